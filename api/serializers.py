"""The API's shapes. Money and credits are strings with two places (exact decimals,
as a BI tool's decimal type reads them); quantities too, with their measure's
places."""

from rest_framework import serializers

MONEY = {"max_digits": 16, "decimal_places": 2, "allow_null": True}


class YearSerializer(serializers.Serializer):
    label = serializers.CharField()
    slug = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    deadline = serializers.DateField()
    credits_per_100k = serializers.DecimalField(max_digits=12, decimal_places=2)
    spend_threshold = serializers.DecimalField(max_digits=14, decimal_places=2)
    issued = serializers.SerializerMethodField()
    report_published = serializers.SerializerMethodField()

    def get_issued(self, year) -> bool:
        return year.issued_at is not None

    def get_report_published(self, year) -> bool:
        return year.report_published_at is not None


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField(source="measure.code")
    name = serializers.CharField(source="measure.name")
    theme = serializers.CharField(source="measure.theme")
    unit = serializers.CharField(source="measure.unit")
    decimal_places = serializers.IntegerField(source="measure.decimal_places")
    credits_per_unit = serializers.DecimalField(max_digits=12, decimal_places=6)
    proxy_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MemberByYearSerializer(serializers.Serializer):
    year = serializers.CharField(source="annual_return.year.label")
    member = NamedSerializer(allow_null=True)
    supplier = NamedSerializer(source="annual_return.supplier")
    framework = NamedSerializer(source="lot.framework")
    lot = serializers.CharField(source="lot.number")
    return_status = serializers.SerializerMethodField()

    def get_return_status(self, line) -> str:
        from .selectors import status_for

        return status_for(self.context["token"], line.annual_return.status)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    value = serializers.DecimalField(**MONEY)
    supplier = NamedSerializer()
    framework = NamedSerializer(source="lot.framework")
    lot = serializers.CharField(source="lot.number")
    local_authority = serializers.CharField(
        source="local_authority.name", allow_null=True, default=None
    )
    by_year = MemberByYearSerializer(source="visible_lines", many=True)


class ToDateSerializer(serializers.Serializer):
    target = serializers.DecimalField(**MONEY)
    delivered = serializers.DecimalField(**MONEY)
    awaiting_review = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    years = serializers.IntegerField()


class QuantitiesField(serializers.DictField):
    child = serializers.DecimalField(max_digits=16, decimal_places=2)


class YearFiguresSerializer(serializers.Serializer):
    year = serializers.CharField()
    member = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    approved = serializers.BooleanField()
    spend = serializers.DecimalField(**MONEY)
    target = serializers.DecimalField(**MONEY)
    delivered = serializers.DecimalField(**MONEY)
    awaiting_review = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    employment_opportunities = serializers.DecimalField(**MONEY)
    quantities = QuantitiesField()


class ContractFiguresSerializer(serializers.Serializer):
    contract = serializers.CharField(source="contract.reference")
    years = YearFiguresSerializer(many=True)
    to_date = ToDateSerializer(allow_null=True)
    to_date_note = serializers.CharField()


class YearContractRowSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    member = serializers.CharField(allow_null=True)
    supplier = serializers.CharField()
    framework = serializers.CharField()
    lot = serializers.CharField()
    local_authority = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    approved = serializers.BooleanField()
    spend = serializers.DecimalField(**MONEY)
    target = serializers.DecimalField(**MONEY)
    delivered = serializers.DecimalField(**MONEY)
    awaiting_review = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    employment_opportunities = serializers.DecimalField(**MONEY)
    to_date = ToDateSerializer(allow_null=True)
    quantities = QuantitiesField()


class ReturnSerializer(serializers.Serializer):
    reference = serializers.CharField()
    year = serializers.CharField(source="year.label")
    supplier = NamedSerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    issued_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField(source="effective_deadline")
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class CompletionRowSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    approved = serializers.IntegerField()
    awaiting_review = serializers.IntegerField()
    returned = serializers.IntegerField()
    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_required = serializers.IntegerField()
    completion_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True
    )
    on_time_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True
    )


class CompletionFrameworkSerializer(CompletionRowSerializer):
    framework_id = serializers.IntegerField()
    framework = serializers.CharField()


class CompletionSerializer(serializers.Serializer):
    year = serializers.CharField()
    totals = CompletionRowSerializer()
    by_framework = CompletionFrameworkSerializer(many=True)


class ReportTotalsSerializer(serializers.Serializer):
    spend = serializers.DecimalField(**MONEY)
    target = serializers.DecimalField(**MONEY)
    delivered = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    lines = serializers.IntegerField()
    contracts_short = serializers.IntegerField()


class OutcomeSerializer(serializers.Serializer):
    label = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(**MONEY)
    last_year = serializers.DecimalField(**MONEY)
    level = serializers.IntegerField()


class BreakdownRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    contracts = serializers.IntegerField(source="lines")
    target = serializers.DecimalField(**MONEY)
    delivered = serializers.DecimalField(**MONEY)
    shortfall = serializers.DecimalField(**MONEY)
    employment_opportunities = serializers.DecimalField(**MONEY)


class BreakdownSerializer(serializers.Serializer):
    group = serializers.CharField()
    title = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class MeasureTotalSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(**MONEY)
    last_year = serializers.DecimalField(**MONEY)


class ImpactReportSerializer(serializers.Serializer):
    year = serializers.CharField(source="year.label")
    published_at = serializers.DateTimeField(source="year.report_published_at")
    totals = ReportTotalsSerializer()
    outcomes = OutcomeSerializer(many=True)
    breakdowns = BreakdownSerializer(many=True)
    measures = MeasureTotalSerializer(many=True)
    returns_approved = serializers.IntegerField()
    returns_expected = serializers.IntegerField()
