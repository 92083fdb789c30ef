"""The change history of a return, line, contract or valuation, for the history
pages."""


def object_history(*, kind: str, pk: int):
    """(title, history rows) of a return, line, contract or valuation, with the
    history of what hangs off it (a line's entries; a contract's valuations and
    delivery plan); None when there is no such object, now or in the past."""
    from core.history import history_rows
    from frameworks.models import Contract, DeliveryPlanItem, Valuation
    from returns.models import AnnualReturn, Measure, ReturnEntry, ReturnLine

    codes = None

    def measure_code(record) -> str:
        nonlocal codes
        if codes is None:
            codes = dict(Measure.objects.values_list("pk", "code"))
        return codes.get(record.measure_id, "")

    if kind == "return":
        records = list(
            AnnualReturn.history.filter(id=pk).select_related("history_user")
        )
        title = records and f"Return {records[-1].reference}"
        rows = history_rows(records, subject=lambda r: "Return")
    elif kind == "line":
        records = list(ReturnLine.history.filter(id=pk).select_related("history_user"))
        entries = ReturnEntry.history.filter(line_id=pk).select_related("history_user")
        title = (
            records and f"Contract line {pk} of return {records[-1].annual_return_id}"
        )
        rows = history_rows(records, subject=lambda r: "Line") + history_rows(
            entries, subject=lambda r: f"Figure {measure_code(r)}"
        )
    elif kind == "contract":
        records = list(Contract.history.filter(id=pk).select_related("history_user"))
        valuations = Valuation.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        plan = DeliveryPlanItem.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        title = records and f"Contract {records[-1].reference}"
        rows = (
            history_rows(records, subject=lambda r: "Contract")
            + history_rows(
                valuations,
                subject=lambda r: f"Valuation to {r.period_end:%-d %b %Y}",
                exclude={"contract"},
            )
            + history_rows(
                plan,
                subject=lambda r: f"Delivery plan {measure_code(r)}",
                exclude={"contract"},
            )
        )
    elif kind == "valuation":
        records = list(Valuation.history.filter(id=pk).select_related("history_user"))
        title = records and f"Valuation to {records[-1].period_end:%-d %b %Y}"
        rows = history_rows(records, subject=lambda r: "Valuation")
    else:
        return None
    if not records:
        return None
    rows.sort(key=lambda row: row.when)
    return title, rows
