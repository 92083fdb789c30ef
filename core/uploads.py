"""What every place that takes a file shares: how sizes read, the messages about a
file's size and emptiness, and the upload handler that stops a body past the limit
while it streams (Django would otherwise spool all of it to disk before any view
could refuse it)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.urls import Resolver404, resolve

EMPTY = "The selected file is empty"
TOO_LARGE = "The selected file is {size}: it must be smaller than {limit}"
TOO_LARGE_UNKNOWN = "The selected file is larger than {limit}, the largest accepted"


def human_size(size: int) -> str:
    """ "312 bytes", "14 KB", "3.4 MB", "20 MB": whole numbers without ".0"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def too_large(size: int | None, limit: int) -> str:
    """The refusal of a file over `limit`, with its own size when it is known."""
    if size is None:
        return TOO_LARGE_UNKNOWN.format(limit=human_size(limit))
    return TOO_LARGE.format(size=human_size(size), limit=human_size(limit))


def largest_upload() -> int:
    """The largest file any page takes (evidence or a spreadsheet)."""
    return max(settings.EVIDENCE_MAX_BYTES, settings.SPREADSHEET_MAX_BYTES)


def takes_upload(limit_setting: str):
    """Marks a view as taking a file of at most `settings.<limit_setting>` bytes, so
    the upload handler stops a larger one with that page's own limit. Put it above
    the view's other decorators (they copy it up with functools.wraps anyway)."""

    def mark(view):
        view.upload_limit_setting = limit_setting
        return view

    return mark


def upload_limit_for(request) -> int:
    """The limit of the page the request is for (see `takes_upload`)."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return largest_upload()
    setting = getattr(view, "upload_limit_setting", None)
    return getattr(settings, setting) if setting else largest_upload()


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops an upload that is larger than its page takes (`takes_upload`), as soon
    as the request's declared length, or the file's bytes streamed so far, pass the
    limit by more than the slack: nothing more is read or written. The form fields
    before the file (the CSRF token) are kept; the file is missing from
    `request.FILES` and `request.upload_refused` says why, with the size the request
    declared. A file within the slack of the limit reaches the page, which refuses
    it with its exact size, as the command line does. Listed first in
    FILE_UPLOAD_HANDLERS."""

    # A multipart body carries boundaries, headers and the form's other fields too.
    BODY_SLACK = 256 * 1024

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        self.limit = upload_limit_for(self.request)
        self.declared = content_length or None
        self.received = 0
        self.request.upload_refused = None
        return None  # the multipart parser goes on; the file's chunks come here

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.declared and self.declared > self.limit + self.BODY_SLACK:
            self._refuse(self.declared)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit + self.BODY_SLACK:
            self._refuse(self.declared)
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self, size: int | None) -> None:
        self.request.upload_refused = too_large(size, self.limit)
        # connection_reset: Django stops reading the body here.
        raise StopUpload(connection_reset=True)


def upload_refused(request) -> str | None:
    """Why `SizeLimitUploadHandler` stopped this request's upload, if it did."""
    return getattr(request, "upload_refused", None)


class UploadForm:
    """Mixin for a form whose file field is `file`: when the upload handler stopped
    the upload (`refused`, from `upload_refused(request)`), the file is missing, and
    the field says why instead of "select a file"; an empty file gets EMPTY."""

    def __init__(self, *args, refused: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        messages = dict(self.fields["file"].error_messages)
        messages["empty"] = EMPTY
        if refused:
            messages["required"] = refused
            messages["invalid"] = refused
        self.fields["file"].error_messages = messages
