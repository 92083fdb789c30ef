"""Each database constraint refuses what it should, on SQLite and on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from frameworks.models import Supplier, Valuation
from returns.models import ReturnEntry
from tests import factories

pytestmark = pytest.mark.django_db


def refuses(callable_, *args, **kwargs) -> bool:
    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "period_end",
    [datetime.date(2024, 6, 28), datetime.date(2024, 7, 1), datetime.date(2024, 3, 30)],
)
def test_valuation_not_on_a_quarter_end_is_refused(period_end):
    contract = factories.ContractFactory()
    assert refuses(
        Valuation.objects.create, contract=contract, period_end=period_end, amount=1
    )


@pytest.mark.parametrize(
    "period_end",
    [
        datetime.date(2024, 6, 30),
        datetime.date(2024, 9, 30),
        datetime.date(2024, 12, 31),
        datetime.date(2025, 3, 31),
    ],
)
def test_valuation_on_each_quarter_end_is_accepted(period_end):
    contract = factories.ContractFactory()
    Valuation.objects.create(contract=contract, period_end=period_end, amount=1)
    assert Valuation.objects.filter(contract=contract).count() == 1


def test_second_valuation_for_the_same_quarter_is_refused():
    valuation = factories.ValuationFactory()
    assert refuses(
        Valuation.objects.create,
        contract=valuation.contract,
        period_end=valuation.period_end,
        amount=2,
    )


def test_negative_valuation_is_refused():
    assert refuses(factories.ValuationFactory, amount=Decimal("-0.01"))


def test_contract_ending_before_it_starts_is_refused():
    assert refuses(
        factories.ContractFactory,
        starts_on=datetime.date(2024, 4, 1),
        ends_on=datetime.date(2024, 3, 31),
    )


def test_contract_ending_the_day_it_starts_is_accepted():
    day = datetime.date(2024, 4, 1)
    assert factories.ContractFactory(starts_on=day, ends_on=day).pk


def test_negative_contract_value_is_refused():
    assert refuses(factories.ContractFactory, value=Decimal("-1"))


def test_duplicate_references_are_refused():
    supplier = factories.SupplierFactory()
    assert refuses(factories.SupplierFactory, reference=supplier.reference)
    contract = factories.ContractFactory()
    assert refuses(factories.ContractFactory, reference=contract.reference)
    member = factories.MemberFactory()
    assert refuses(factories.MemberFactory, reference=member.reference)


def test_lot_number_is_unique_within_its_framework_only():
    lot = factories.LotFactory(number="1a")
    assert refuses(factories.LotFactory, framework=lot.framework, number="1a")
    assert factories.LotFactory(number="1a").pk


def test_company_number_is_stored_upper_case_and_empty_as_null():
    supplier = factories.SupplierFactory(company_number=" sc123456 ")
    assert Supplier.objects.get(pk=supplier.pk).company_number == "SC123456"
    first = factories.SupplierFactory(company_number="")
    second = factories.SupplierFactory(company_number=None)
    assert first.company_number is None and second.company_number is None


def test_company_number_blank_or_lower_case_is_refused_by_the_database():
    supplier = factories.SupplierFactory()
    assert refuses(Supplier.objects.filter(pk=supplier.pk).update, company_number="")
    assert refuses(
        Supplier.objects.filter(pk=supplier.pk).update, company_number="sc000001"
    )


def test_delivery_plan_quantity_not_negative_and_unique_per_measure():
    item = factories.DeliveryPlanItemFactory()
    assert refuses(
        factories.DeliveryPlanItemFactory, contract=item.contract, measure=item.measure
    )
    assert refuses(factories.DeliveryPlanItemFactory, committed_quantity=Decimal("-1"))


def test_return_quantities_and_credits_not_negative():
    line = factories.ReturnLineFactory()
    assert refuses(
        ReturnEntry.objects.create,
        line=line,
        measure=factories.measure("EMP-FT"),
        quantity=Decimal("-1"),
    )
    assert refuses(factories.ReturnLineFactory, spend=Decimal("-1"))
    assert refuses(factories.ReturnLineFactory, target_credits=Decimal("-0.01"))
    assert refuses(factories.ReturnLineFactory, delivered_credits=Decimal("-0.01"))


def test_one_return_per_supplier_per_year_and_one_line_per_contract():
    line = factories.ReturnLineFactory()
    annual_return = line.annual_return
    assert refuses(
        factories.AnnualReturnFactory,
        supplier=annual_return.supplier,
        year=annual_return.year,
    )
    assert refuses(
        factories.ReturnLineFactory, annual_return=annual_return, contract=line.contract
    )


def test_reporting_year_dates_must_be_in_order():
    assert refuses(
        factories.ReportingYearFactory,
        first_year=2030,
        issue_on=datetime.date(2031, 3, 1),  # before the year ends
        measures=False,
    )
    assert refuses(
        factories.ReportingYearFactory,
        first_year=2031,
        deadline=datetime.date(2032, 4, 1),  # before the issue date
        measures=False,
    )


def test_a_supplier_has_at_most_one_active_primary_contact():
    contact = factories.SupplierContactFactory(is_primary=True)
    assert refuses(
        factories.SupplierContactFactory, supplier=contact.supplier, is_primary=True
    )
    assert factories.SupplierContactFactory(supplier=contact.supplier, is_primary=False)


def test_deleting_a_supplier_with_contracts_is_refused():
    contract = factories.ContractFactory()
    with pytest.raises(ProtectedError):
        contract.supplier.delete()


def test_deleting_a_user_who_belongs_to_a_supplier_is_refused():
    contact = factories.SupplierContactFactory()
    with pytest.raises(ProtectedError):
        contact.user.delete()


def test_deleting_a_contract_on_a_return_is_refused():
    line = factories.ReturnLineFactory()
    with pytest.raises(ProtectedError):
        line.contract.delete()
