"""The reference import, kind by kind: a good file creates exactly what it holds, the
same file again changes nothing, and one bad row among good ones changes nothing and
is named by sheet, row and column."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Invitation, SupplierContact, User
from core.xlsx import cells
from frameworks.imports import contracts as contract_kinds
from frameworks.imports.services import ImportRefused, import_apply, import_check
from frameworks.models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    Lot,
    Member,
    Supplier,
    Valuation,
)
from tests import factories
from tests.frameworks.sheets import csv_file, xlsx

pytestmark = pytest.mark.django_db

SPEND = "Spend in quarter (£, excl. VAT)"


def apply(data, name="file.xlsx", user=None):
    return import_apply(file=data, name=name, acting_user=user)


def refused(data, name="file.xlsx"):
    with pytest.raises(ImportRefused) as error:
        apply(data, name)
    return error.value.report


def messages(report):
    return [str(p) for p in report.errors]


# Members and suppliers -------------------------------------------------------------

MEMBER_HEADER = [
    "Member reference",
    "Member name",
    "Kind",
    "Local authority code",
    "Active",
]


def test_members_are_created_then_a_second_import_changes_nothing(team_user):
    data = xlsx(
        MEMBER_HEADER,
        ["M1", "Northfield Homes", "Housing association", "E08000003", "yes"],
        ["M2", "Southfield Council", "Local authority", None, None],
    )
    report = apply(data, user=team_user)
    assert report.kind == "members"
    assert report.counts["Members"] == {"created": 2, "updated": 0, "unchanged": 0}
    member = Member.objects.get(reference="M1")
    assert member.kind == Member.Kind.HOUSING_ASSOCIATION
    assert member.local_authority.code == "E08000003"
    assert member.history.get().history_user == team_user

    again = apply(data, user=team_user)
    assert again.counts["Members"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert Member.history.count() == 2


def test_a_changed_member_is_updated_and_a_missing_one_is_never_deleted():
    factories.MemberFactory(reference="M1", name="Old name")
    kept = factories.MemberFactory(reference="M9")
    report = apply(
        csv_file(["Member reference", "Member name"], ["M1", "New name"]), "m.csv"
    )
    assert report.counts["Members"]["updated"] == 1
    assert Member.objects.get(reference="M1").name == "New name"
    assert Member.objects.filter(pk=kept.pk).exists()


def test_one_bad_member_row_among_good_ones_changes_nothing_and_is_named():
    data = xlsx(
        MEMBER_HEADER,
        ["M1", "Good", "Housing association", "E08000003", "yes"],
        ["M2", "Bad place", "Housing association", "X99", "yes"],
        ["M3", "Good too", "Other", None, "no"],
    )
    report = refused(data)
    assert messages(report) == [
        "Sheet Sheet1, row 3, column D (Local authority code): "
        + "Expected an ONS local authority code, like E08000003 for Manchester"
        + ' (found "X99")'
    ]
    assert not Member.objects.filter(reference__in=["M1", "M2", "M3"]).exists()


def test_a_duplicate_reference_in_the_file_is_refused():
    report = refused(
        xlsx(["Member reference", "Member name"], ["M1", "A"], ["M1", "B"])
    )
    assert report.errors[0].row == 3
    assert "also on row 2" in report.errors[0].message


def test_suppliers_with_company_numbers_normalised():
    data = xlsx(
        ["Supplier reference", "Supplier name", "Company number"],
        ["S1", "Brightwork Ltd", 1234567],
        ["S2", "Sole Trader", None],
        ["S3", "Scottish Ltd", "sc123456"],
    )
    report = apply(data)
    assert report.counts["Suppliers"]["created"] == 3
    numbers = dict(Supplier.objects.values_list("reference", "company_number"))
    assert numbers == {"S1": "01234567", "S2": None, "S3": "SC123456"}
    assert apply(data).counts["Suppliers"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
    }


def test_a_company_number_another_supplier_holds_is_refused():
    factories.SupplierFactory(reference="S1", company_number="01234567")
    report = refused(
        xlsx(
            ["Supplier reference", "Supplier name", "Company number"],
            ["S2", "X", "01234567"],
        )
    )
    assert report.errors[0].column == "C"
    assert "S1" in report.errors[0].message


def test_an_unknown_column_is_refused_so_a_typo_is_not_ignored():
    report = refused(
        xlsx(["Member reference", "Member name", "Acitve"], ["M1", "A", "no"])
    )
    assert report.errors[0].column == "C"
    assert report.errors[0].value == "Acitve"


def test_a_file_that_matches_no_template_is_refused():
    report = refused(xlsx(["Name", "Colour"], ["x", "blue"]))
    assert "match none" in report.errors[0].message


# Frameworks and lots ---------------------------------------------------------------

FRAMEWORK_HEADER = [
    "Framework reference",
    "Framework name",
    "Framework starts",
    "Framework ends",
    "Lot number",
    "Lot name",
    "Consultancy lot",
]


def test_frameworks_and_their_lots():
    data = xlsx(
        FRAMEWORK_HEADER,
        ["FW1", "New homes", "01/04/2020", "31/03/2030", "1a", "Low rise", "no"],
        ["FW1", "New homes", "01/04/2020", "31/03/2030", "2", "Consultancy", "yes"],
        ["FW2", "Repairs", "2021-04-01", "2025-03-31", "1", "Responsive", None],
    )
    report = apply(data)
    assert report.counts["Frameworks"]["created"] == 2
    assert report.counts["Lots"]["created"] == 3
    lot = Lot.objects.get(framework__reference="FW1", number="2")
    assert lot.is_consultancy
    again = apply(data)
    assert again.counts["Frameworks"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.counts["Lots"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_a_framework_ending_before_it_starts_or_differing_between_rows():
    report = refused(
        xlsx(
            FRAMEWORK_HEADER,
            ["FW1", "New homes", "01/04/2020", "31/03/2019", "1", "A", "no"],
            ["FW2", "Repairs", "01/04/2020", "31/03/2025", "1", "A", "no"],
            ["FW2", "Repairs, renamed", "01/04/2020", "31/03/2025", "2", "B", "no"],
        )
    )
    assert [(p.row, p.column) for p in report.errors] == [(2, "D"), (4, "B")]
    assert not Framework.objects.filter(reference__in=["FW1", "FW2"]).exists()


# Contracts --------------------------------------------------------------------------

CONTRACT_HEADER = [
    "Contract reference",
    "Title",
    "Member reference",
    "Supplier reference",
    "Framework reference",
    "Lot number",
    "Starts",
    "Ends",
    "Value (£, excl. VAT)",
    "Status",
]


@pytest.fixture
def reference_data():
    lot = factories.LotFactory(framework__reference="FW1", number="1a")
    return {
        "member": factories.MemberFactory(reference="M1"),
        "supplier": factories.SupplierFactory(reference="S1"),
        "lot": lot,
    }


def contract_row(reference="C-1", **overrides):
    row = {
        "Contract reference": reference,
        "Title": "Kitchens",
        "Member reference": "M1",
        "Supplier reference": "S1",
        "Framework reference": "FW1",
        "Lot number": "1a",
        "Starts": datetime.date(2023, 4, 1),
        "Ends": datetime.date(2026, 3, 31),
        "Value (£, excl. VAT)": 1250000,
        "Status": "Active",
    }
    row.update(overrides)
    return [row[h] for h in CONTRACT_HEADER]


def test_contracts_are_created_with_the_members_place_by_default(reference_data):
    data = xlsx(
        CONTRACT_HEADER, contract_row("C-1"), contract_row("C-2", Status="completed")
    )
    report = apply(data)
    assert report.counts["Contracts"]["created"] == 2
    contract = Contract.objects.get(reference="C-1")
    assert contract.lot == reference_data["lot"]
    assert contract.local_authority == reference_data["member"].local_authority
    assert contract.value == Decimal("1250000.00")
    assert Contract.objects.get(reference="C-2").status == Contract.Status.COMPLETED
    assert apply(data).counts["Contracts"]["unchanged"] == 2


def test_each_contract_problem_is_refused_with_its_message(reference_data):
    data = xlsx(
        CONTRACT_HEADER,
        contract_row("C-1"),
        contract_row("C-2", **{"Supplier reference": "S404"}),
        contract_row("C-3", **{"Lot number": "9"}),
        contract_row("C-4", Ends=datetime.date(2022, 1, 1)),
        contract_row("C-5", Starts="2023/04/01"),
        contract_row("C-6", **{"Value (£, excl. VAT)": -10}),
        contract_row("C-1"),
    )
    report = refused(data)
    found = {(p.row, p.column): p.message for p in report.errors}
    assert found == {
        (3, "D"): contract_kinds.UNKNOWN_SUPPLIER,
        (4, "F"): "Expected a lot of framework FW1: it has no lot 9",
        (5, "H"): "Expected an end date on or after the start date (01/04/2023)",
        (6, "G"): cells.DATE,
        (7, "I"): cells.MONEY_NEGATIVE,
        (
            8,
            "A",
        ): "Expected each contract reference once in the file: it is also on row 2",
    }
    assert not Contract.objects.exists()


# Valuations -------------------------------------------------------------------------


@pytest.fixture
def contract(db):
    return factories.ContractFactory(
        reference="C-1",
        starts_on=datetime.date(2023, 4, 1),
        ends_on=datetime.date(2024, 3, 31),
    )


def test_valuations_are_created_and_reimporting_replaces_the_amount_keeping_history(
    contract, team_user
):
    data = xlsx(
        ["Contract reference", "Quarter ending", SPEND],
        ["C-1", datetime.date(2023, 6, 30), 25000.10],
        ["C-1", "30/09/2023", "£24,999.70"],
    )
    report = apply(data, user=team_user)
    assert report.counts["Valuations"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert apply(data).counts["Valuations"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }

    corrected = xlsx(
        ["Contract reference", "Quarter ending", SPEND],
        ["C-1", datetime.date(2023, 6, 30), 30000],
    )
    report = apply(corrected, user=team_user)
    assert report.counts["Valuations"] == {"created": 0, "updated": 1, "unchanged": 0}
    valuation = Valuation.objects.get(contract=contract, period_end="2023-06-30")
    assert valuation.amount == Decimal("30000.00")
    rows = list(
        valuation.history.order_by("history_date").values_list(
            "amount", "history_type", "history_user", "history_change_reason"
        )
    )
    reason = "Imported from file.xlsx"
    assert rows == [
        (Decimal("25000.10"), "+", team_user.pk, reason),
        (Decimal("30000.00"), "~", team_user.pk, reason),
    ]
    assert Valuation.objects.count() == 2  # the September one is not deleted


def test_replacing_a_bulk_loaded_valuation_first_records_its_old_amount(contract):
    Valuation.objects.bulk_create(
        [Valuation(contract=contract, period_end=datetime.date(2023, 6, 30), amount=5)]
    )
    apply(
        xlsx(["Contract reference", "Quarter ending", SPEND], ["C-1", "30/06/2023", 7])
    )
    valuation = Valuation.objects.get()
    rows = list(
        valuation.history.order_by("history_date").values_list(
            "amount", "history_type", "history_change_reason"
        )
    )
    assert rows == [
        (Decimal("5.00"), "+", "As it was before the import"),
        (Decimal("7.00"), "~", "Imported from file.xlsx"),
    ]


def test_each_valuation_problem_is_refused_with_its_message(contract):
    factories.ContractFactory(reference="C-X", status=Contract.Status.CANCELLED)
    data = xlsx(
        ["Contract reference", "Quarter ending", SPEND],
        ["C-1", "30/06/2023", 100],
        ["C-404", "30/06/2023", 100],
        ["C-1", "2023-06-29", 100],
        ["C-1", "31/12/2023", -1],
        ["C-1", "June 2023", 100],
        ["C-X", "30/06/2023", 100],
        ["C-1", "30/06/2023", 200],
    )
    report = refused(data)
    found = {(p.row, p.column): p.message for p in report.errors}
    assert found == {
        (3, "A"): contract_kinds.UNKNOWN_CONTRACT,
        (4, "B"): cells.QUARTER_END,
        (5, "C"): cells.MONEY_NEGATIVE,
        (6, "B"): cells.DATE,
        (
            7,
            "A",
        ): "Expected a contract that went ahead: C-X is cancelled, so it has no spend",
        (
            8,
            "B",
        ): "Expected each contract and quarter once in the file: it is also on row 2",
    }
    assert not Valuation.objects.exists()


def test_a_valuation_outside_the_contracts_dates_is_a_warning_not_a_problem(contract):
    report = apply(
        xlsx(
            ["Contract reference", "Quarter ending", SPEND],
            ["C-1", "30/06/2024", 100],  # the contract ended 31 March 2024
            ["C-1", "31/03/2024", 100],
        )
    )
    assert report.counts["Valuations"]["created"] == 2
    assert [(w.row, w.column) for w in report.warnings] == [(2, "B")]
    assert "outside the contract's dates" in report.warnings[0].message


# Delivery plans ---------------------------------------------------------------------


def test_delivery_plans_with_the_measures_decimal_places(contract):
    data = xlsx(
        ["Contract reference", "Measure code", "Committed quantity"],
        ["C-1", "EMP-FT", 4],
        ["C-1", "vol", 120.5],
    )
    report = apply(data)
    assert report.counts["Delivery plan items"]["created"] == 2
    assert apply(data).counts["Delivery plan items"]["unchanged"] == 2
    bad = refused(
        xlsx(
            ["Contract reference", "Measure code", "Committed quantity"],
            ["C-1", "EMP-FT", 4.5],
            ["C-1", "NOPE", 1],
        )
    )
    assert [(p.row, p.column, p.message) for p in bad.errors] == [
        (2, "C", cells.WHOLE_NUMBER),
        (3, "B", contract_kinds.UNKNOWN_MEASURE),
    ]
    assert DeliveryPlanItem.objects.get(measure__code="EMP-FT").committed_quantity == 4


# Supplier contacts ------------------------------------------------------------------

CONTACT_HEADER = ["Supplier reference", "Name", "Email", "Phone", "Primary contact"]


def test_contacts_create_people_links_and_stored_invitations(team_user):
    s1 = factories.SupplierFactory(reference="S1")
    s2 = factories.SupplierFactory(reference="S2")
    lonely = factories.SupplierFactory(reference="S3", name="Lonely Ltd")
    signed_in = factories.UserFactory(email="known@example.com")
    data = xlsx(
        CONTACT_HEADER,
        ["S1", "Alex Morgan", "Alex@Example.com", "0161 496 0000", "yes"],
        ["S2", "Alex Morgan", "alex@example.com", None, "no"],
        ["S2", "Known Person", "known@example.com", None, "yes"],
    )
    report = apply(data, user=team_user)
    alex = User.objects.get(email="alex@example.com")
    assert not alex.has_usable_password()
    assert alex.full_name == "Alex Morgan"
    assert SupplierContact.objects.get(user=alex, supplier=s1).is_primary
    assert SupplierContact.objects.filter(
        user=signed_in, supplier=s2, is_primary=True
    ).exists()
    invitations = Invitation.objects.order_by("supplier__reference")
    assert [
        (i.email, i.supplier.reference, i.user, i.is_primary, i.sent_at)
        for i in invitations
    ] == [
        ("alex@example.com", "S1", alex, True, None),
        ("alex@example.com", "S2", alex, False, None),
    ]
    assert invitations[0].invited_by == team_user
    assert report.lists["Suppliers with no active contact"] == [f"S3 {lonely.name}"]

    again = apply(data, user=team_user)
    assert again.totals["created"] == 0 and again.totals["updated"] == 0
    assert Invitation.objects.count() == 2


def test_imported_contacts_are_sent_their_stored_invitation_in_bulk_and_accept_it(
    team_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    from accounts.services.invitations import invitation_accept, invitations_send_bulk
    from tests.accounts.test_invitations import token_in

    factories.SupplierFactory(reference="S1")
    apply(xlsx(CONTACT_HEADER, ["S1", "Lead", "lead@example.com", "0161", "yes"]))
    contact = SupplierContact.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitations_send_bulk(
            everyone_not_invited=True, invited_by=team_user, batch_key="first"
        )
    assert sent == 1
    assert Invitation.objects.get().sent_at is not None  # the stored one, refreshed
    invitation_accept(token=token_in(mail.outbox[-1]), password="a-long-new-password-1")
    contact.refresh_from_db()
    assert contact.user.has_usable_password()
    assert (contact.is_active, contact.is_primary, contact.phone) == (
        True,
        True,
        "0161",
    )


def test_a_contact_made_primary_demotes_the_old_primary():
    supplier = factories.SupplierFactory(reference="S1")
    old = factories.SupplierContactFactory(supplier=supplier, is_primary=True)
    other = factories.SupplierContactFactory(
        supplier=supplier, user__email="other@example.com"
    )
    apply(xlsx(CONTACT_HEADER, ["S1", "Other", "other@example.com", None, "yes"]))
    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.is_primary, other.is_primary) == (False, True)


def test_contact_problems_are_refused():
    factories.SupplierFactory(reference="S1")
    report = refused(
        xlsx(
            CONTACT_HEADER,
            ["S1", "A", "a@example.com", None, "yes"],
            ["S1", "B", "b@example.com", None, "yes"],
            ["S9", "C", "c@example.com", None, "no"],
            ["S1", "D", "not-an-email", None, "no"],
        )
    )
    assert [(p.row, p.column) for p in report.errors] == [(3, "E"), (4, "A"), (5, "C")]
    assert not User.objects.filter(email__endswith="@example.com").exists()


# The check writes nothing ---------------------------------------------------------------


def test_checking_a_good_file_writes_nothing_and_reports_the_counts(contract):
    report = import_check(
        file=xlsx(
            ["Contract reference", "Quarter ending", SPEND], ["C-1", "30/06/2023", 1]
        ),
        name="v.xlsx",
    )
    assert report.ok and not report.applied
    assert report.counts["Valuations"]["created"] == 1
    assert not Valuation.objects.exists()
