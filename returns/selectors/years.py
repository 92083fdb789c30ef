"""Which reporting year: the one in season, the one a date falls in, the one a URL
names."""

from django.shortcuts import get_object_or_404


def financial_year_for(day) -> str:
    """The label of the financial year (1 April to 31 March) a date falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def current_reporting_year():
    """The latest year that has been issued; before any issue, the latest opened."""
    from returns.models import ReportingYear

    issued = ReportingYear.objects.filter(issued_at__isnull=False).order_by(
        "-starts_on"
    )
    return issued.first() or ReportingYear.objects.order_by("-starts_on").first()


def year_by_slug(slug: str):
    """A year from its URL form ("2024-25"), or 404."""
    from returns.models import ReportingYear

    return get_object_or_404(ReportingYear, label=slug.replace("-", "/", 1))
