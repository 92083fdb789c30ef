"""The API's plumbing on Django REST framework: RFC 9457 problem details, cursor
pagination that refuses hostile cursors, ETags, and recording each use of a token.
Who asks is `api.authentication`."""

from __future__ import annotations

import hashlib
import json
from http import HTTPStatus

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from .authentication import token_of
from .services import token_use_record

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status, content_type=PROBLEM_TYPE)


def problem_exception_handler(exc, context):
    """Every error as RFC 9457 problem details. DRF's own handler first, for its
    headers (Retry-After, WWW-Authenticate) and for turning Http404 and
    PermissionDenied into answers."""
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    data = response.data
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = "Some values of the request are not valid."
        extra["errors"] = data
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:
        detail = HTTPStatus(response.status_code).phrase
    if isinstance(exc, Http404 | exceptions.NotFound) and detail in ("Not found.", ""):
        detail = "Nothing is here, or you may not see it."
    answer = problem(response.status_code, detail, **extra)
    for name, value in response.items():
        if name.lower() not in ("content-type", "content-length"):
            answer[name] = value
    return answer


class ReferenceCursorPagination(pagination.CursorPagination):
    """Pages of 100 by a unique text column; a cursor that is not one of ours, or
    whose position could not be a reference, is "not found" (never a 500)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "reference"

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            position = cursor.position
            if len(position) > 200 or any(ord(c) < 32 for c in position):
                raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor


def etag_for(data) -> str:
    body = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def with_etag(request, data) -> Response:
    """A figures answer with its ETag; 304 when the client already holds it."""
    etag = etag_for(data)
    wanted = request.headers.get("If-None-Match", "")
    if etag in [tag.strip() for tag in wanted.split(",")] or wanted.strip() == "*":
        response = Response(status=304)
    else:
        response = Response(data)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class ApiView(APIView):
    """Every API view: records each answered use of a token."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = token_of(request)
        if token is not None:
            token_use_record(
                token=token,
                method=request.method,
                path=request.get_full_path(),
                status=response.status_code,
            )
        return response
