"""The change history of a return, line, contract or valuation, for the history
pages."""


def _reference(model, pk) -> str:
    return model._base_manager.filter(pk=pk).values_list("reference", flat=True).first()


def _title(kind: str, pk: int, records: list) -> str | None:
    """The object's name (as its latest history record has it when the object has
    gone); None when there is no such object, now or in the past."""
    from frameworks.models import Contract, Valuation
    from returns.models import AnnualReturn, ReturnLine

    model = {
        "return": AnnualReturn,
        "line": ReturnLine,
        "contract": Contract,
        "valuation": Valuation,
    }[kind]
    current = model._base_manager.filter(pk=pk).first()
    latest = current or (records[-1] if records else None)
    if latest is None:
        return None
    if kind == "return":
        return f"Return {latest.reference}"
    if kind == "contract":
        return f"Contract {latest.reference}"
    if kind == "line":
        contract = _reference(Contract, latest.contract_id)
        return f"Contract {contract} on return {_reference(AnnualReturn, latest.annual_return_id)}"
    contract = _reference(Contract, latest.contract_id)
    return f"Valuation of {contract} to {latest.period_end:%-d %B %Y}"


def object_history(*, kind: str, pk: int):
    """(title, history rows) of a return, line, contract or valuation, with the
    history of what hangs off it (a line's entries; a contract's valuations and
    delivery plan); None when there is no such object, now or in the past. An
    object loaded in bulk before any change was recorded has a title and no rows."""
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
        rows = history_rows(records, subject=lambda r: "Return")
    elif kind == "line":
        records = list(ReturnLine.history.filter(id=pk).select_related("history_user"))
        entries = ReturnEntry.history.filter(line_id=pk).select_related("history_user")
        rows = history_rows(records, subject=lambda r: "Line") + history_rows(
            entries, subject=lambda r: f"Figure {measure_code(r)}", exclude={"line"}
        )
    elif kind == "contract":
        records = list(Contract.history.filter(id=pk).select_related("history_user"))
        valuations = Valuation.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        plan = DeliveryPlanItem.history.filter(contract_id=pk).select_related(
            "history_user"
        )
        rows = (
            history_rows(records, subject=lambda r: "Contract")
            + history_rows(
                valuations,
                subject=lambda r: f"Valuation to {r.period_end:%-d %B %Y}",
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
        rows = history_rows(
            records, subject=lambda r: "Valuation", exclude={"contract"}
        )
    else:
        return None
    title = _title(kind, pk, records)
    if not title:
        return None
    rows.sort(key=lambda row: row.when)
    return title, rows
