"""factory_boy factories for every model the tests build."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import ADMIN_GROUP, TEAM_GROUP, MemberViewer, SupplierContact, User
from frameworks.models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    LocalAuthority,
    Lot,
    Member,
    Supplier,
    Valuation,
)
from returns.models import (
    AnnualReturn,
    CaseStudy,
    Evidence,
    LineQuery,
    Measure,
    ReportingYear,
    ReturnEntry,
    ReturnLine,
    YearMeasure,
)
from returns.services.summary import summary_refresh

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user, secret: str = TOTP_SECRET):
    """An authenticator app for `user`, as allauth stores one after setup."""
    from allauth.mfa.totp.internal.auth import TOTP

    authenticator = TOTP.activate(user, secret).instance
    # Setting up two-factor ends the person's sessions by changing their stamp.
    user.refresh_from_db(fields=["session_stamp"])
    return authenticator


class TeamUserFactory(UserFactory):
    """A team member who has set up two-factor (the team must); pass
    `two_factor=False` for one who has not."""

    email = factory.Sequence(lambda n: f"team{n}@consortium.example")

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=TEAM_GROUP))

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            give_totp(self)


class AdministratorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@consortium.example")
    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=ADMIN_GROUP))

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            give_totp(self)


def local_authority(code: str = "E08000003") -> LocalAuthority:
    """A real authority loaded by the data migration (default: Manchester)."""
    return LocalAuthority.objects.get(code=code)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    reference = factory.Sequence(lambda n: f"M{n:04d}")
    name = factory.Sequence(lambda n: f"Member Homes {n}")
    kind = Member.Kind.HOUSING_ASSOCIATION
    local_authority = factory.LazyFunction(local_authority)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    reference = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    company_number = factory.Sequence(lambda n: f"{n:08d}")


class SupplierContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierContact

    user = factory.SubFactory(UserFactory)
    supplier = factory.SubFactory(SupplierFactory)
    is_primary = False


class MemberViewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberViewer

    user = factory.SubFactory(UserFactory)
    member = factory.SubFactory(MemberFactory)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    reference = factory.Sequence(lambda n: f"FW{n:03d}")
    name = factory.Sequence(lambda n: f"Framework {n}")
    starts_on = datetime.date(2020, 4, 1)
    ends_on = datetime.date(2030, 3, 31)


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Lot {n}")
    is_consultancy = False


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"C-{n:06d}")
    title = factory.Sequence(lambda n: f"Works package {n}")
    member = factory.SubFactory(MemberFactory)
    supplier = factory.SubFactory(SupplierFactory)
    lot = factory.SubFactory(LotFactory)
    value = Decimal("1000000.00")
    starts_on = datetime.date(2023, 4, 1)
    ends_on = datetime.date(2027, 3, 31)
    status = Contract.Status.ACTIVE
    local_authority = factory.LazyAttribute(lambda o: o.member.local_authority)


class ValuationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Valuation

    contract = factory.SubFactory(ContractFactory)
    period_end = datetime.date(2024, 6, 30)
    amount = Decimal("50000.00")


def measure(code: str) -> Measure:
    """A measure of the default catalogue, loaded by migration."""
    return Measure.objects.get(code=code)


class DeliveryPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryPlanItem

    contract = factory.SubFactory(ContractFactory)
    measure = factory.LazyFunction(lambda: measure("EMP-FT"))
    committed_quantity = Decimal("4")


class ReportingYearFactory(factory.django.DjangoModelFactory):
    """2024/25 by default; pass `first_year=2023` for 2023/24."""

    class Meta:
        model = ReportingYear
        django_get_or_create = ("label",)
        skip_postgeneration_save = True

    class Params:
        first_year = 2024

    label = factory.LazyAttribute(
        lambda o: f"{o.first_year}/{(o.first_year + 1) % 100:02d}"
    )
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.first_year, 4, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.first_year + 1, 3, 31))
    issue_on = factory.LazyAttribute(lambda o: datetime.date(o.first_year + 1, 4, 14))
    deadline = factory.LazyAttribute(lambda o: datetime.date(o.first_year + 1, 6, 30))

    @factory.post_generation
    def measures(self, create, extracted, **kwargs):
        """Copy the catalogue's defaults into the year, as opening a year does."""
        if not create or extracted is False:
            return
        YearMeasure.objects.bulk_create(
            [
                YearMeasure(
                    year=self,
                    measure=m,
                    credits_per_unit=m.default_credits_per_unit,
                    spend_per_unit=m.default_spend_per_unit,
                )
                for m in Measure.objects.all()
            ],
            ignore_conflicts=True,
        )


class AnnualReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReturn

    supplier = factory.SubFactory(SupplierFactory)
    year = factory.SubFactory(ReportingYearFactory)
    reference = factory.LazyAttributeSequence(
        lambda o, n: f"SV-{o.year.label.replace('/', '-')}-{n:05d}"
    )
    status = AnnualReturn.Status.NOT_STARTED


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnLine
        skip_postgeneration_save = True

    annual_return = factory.SubFactory(AnnualReturnFactory)
    contract = factory.SubFactory(
        ContractFactory, supplier=factory.SelfAttribute("..annual_return.supplier")
    )
    member = factory.LazyAttribute(lambda o: o.contract.member)
    lot = factory.LazyAttribute(lambda o: o.contract.lot)
    local_authority = factory.LazyAttribute(lambda o: o.contract.local_authority)
    spend = Decimal("200000.00")
    target_credits = Decimal("20.00")

    @factory.post_generation
    def summary(obj, create, extracted, **kwargs):
        # As the services do when they write a line: the contract's summary of
        # figures follows (a test that changes a line or return directly afterwards
        # calls `summary_refresh` itself, or `summary_rebuild`).
        if create:
            summary_refresh(contract_ids=[obj.contract_id])


class ReturnEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnEntry

    line = factory.SubFactory(ReturnLineFactory)
    measure = factory.LazyFunction(lambda: measure("EMP-FT"))
    quantity = Decimal("1")


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A small real PDF on a line, stored through the storage API."""

    class Meta:
        model = Evidence

    line = factory.SubFactory(ReturnLineFactory)
    file = factory.django.FileField(filename="upload", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "attendance.pdf"
    content_type = "application/pdf"
    size = 15
    uploaded_by = factory.SubFactory(UserFactory)


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudy

    line = factory.SubFactory(ReturnLineFactory)
    title = factory.Sequence(lambda n: f"Apprentice story {n}")
    story = "An apprentice from the estate finished a Level 2 in carpentry."
    people_benefited = 1
    created_by = factory.SubFactory(UserFactory)


class LineQueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LineQuery

    line = factory.SubFactory(ReturnLineFactory)
    raised_by = factory.SubFactory(UserFactory)
    text = "The spend is wrong: we invoiced £150,000 this year."


def issued_return(
    *,
    supplier=None,
    year=None,
    issued_on: datetime.date | None = None,
    contacts: int = 1,
    **fields,
) -> AnnualReturn:
    """A return as issuing leaves it: issued at 07:00 London on `issued_on` (default
    the year's issue date), with `contacts` active contacts (the first primary). Until
    the issuing service is on main, tests make issued returns with this."""
    import zoneinfo

    year = year or ReportingYearFactory()
    supplier = supplier or SupplierFactory()
    day = issued_on or year.issue_on
    issued_at = datetime.datetime(
        day.year, day.month, day.day, 7, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London")
    )
    for index in range(contacts):
        SupplierContactFactory(supplier=supplier, is_primary=index == 0)
    return AnnualReturnFactory(
        supplier=supplier, year=year, issued_at=issued_at, **fields
    )


def explain_flags(annual_return, text: str = "Checked: the figures are right.") -> int:
    """Gives every flag on a return's lines an explanation, as the supplier does on
    the line page before submitting (issue 23); returns how many it explained."""
    from returns.models import LineFlag

    return LineFlag.objects.filter(
        line__annual_return=annual_return, explanation=""
    ).update(explanation=text)
