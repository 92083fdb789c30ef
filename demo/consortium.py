"""Demo data: a believable consortium placed relative to a given day.

`load_demo()` (in `demo/__init__.py`) runs a list of steps (`STEPS`) inside one transaction. Every step is
deterministic (each row draws from its own `random.Random` seeded by its natural key,
so a row never depends on how many others there are) and idempotent (rows are written
with `bulk_create(ignore_conflicts=True)` keyed on natural keys, then ids are re-read).
A second run inserts nothing; a run with a larger `scale` only adds rows. Rows that
depend on a contract (valuations, delivery plans) are derived from the contract as
stored, so they agree with it even when the contract came from an earlier run.

`bulk_create` writes no django-simple-history rows, which is what we want: demo data
has no history of its own.

This module builds the consortium itself (reference data, organisations, people,
contracts, valuations, delivery plans). Later steps (reporting years, returns, their
season) live in sibling modules and are listed in `STEPS` in `demo/__init__.py`.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ADMIN_GROUP, TEAM_GROUP, MemberViewer, SupplierContact, User
from core.numbers import round_half_up, round_money
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
from returns.models import Measure

DEMO_PASSWORD = "demo-password"
BATCH_SIZE = 5_000
MEMBERS_PER_SCALE = 40
SUPPLIERS_PER_SCALE = 120
CONTRACTS_PER_SCALE = 600
CREDITS_PER_100K = 10  # the default rate: plans are sized to what a year would ask

# Where the consortium works: Greater Manchester and West Yorkshire. Only the codes
# that exist with is_current=True are used; see `build_reference_data`.
AUTHORITY_POSTCODES: dict[str, tuple[str, ...]] = {
    "E08000003": ("M1", "M4", "M8", "M11", "M13", "M14", "M20", "M22", "M40"),
    "E08000006": ("M5", "M6", "M7", "M27", "M28", "M30"),
    "E08000001": ("BL1", "BL2", "BL3", "BL4", "BL5"),
    "E08000010": ("WN1", "WN2", "WN3", "WN5", "WN6", "WN7"),
    "E08000035": ("LS6", "LS7", "LS8", "LS9", "LS11", "LS12", "LS14"),
    "E08000032": ("BD1", "BD3", "BD4", "BD5", "BD7", "BD8"),
    "E08000033": ("HX1", "HX2", "HX3", "HX6", "HX7"),
    "E08000034": ("HD1", "HD2", "HD3", "HD4", "HD5", "WF13"),
}
AUTHORITY_COUNT = len(AUTHORITY_POSTCODES)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code uses


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    role: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin@example.org", "Ada Admin", "Administrator"),
    DemoLogin("team@example.org", "Sam Team", "Social value team"),
    DemoLogin("supplier@example.org", "Priya Supplier", "Supplier, primary contact"),
    DemoLogin("supplier2@example.org", "Jordan Supplier", "Supplier, two suppliers"),
    DemoLogin("member@example.org", "Morgan Member", "Member viewer"),
)
# Which demo organisation each login belongs to, by index in the generated lists.
DEMO_SUPPLIER_INDEX = 0  # supplier@ is its primary contact
SWITCHING_SUPPLIER_INDEXES = (1, 2)  # supplier2@ reports for both
DEMO_MEMBER_INDEX = 0  # member@ views it
# The first contracts go to the demo suppliers so their pages are never empty,
# whatever the scale.
FORCED_SUPPLIER_CONTRACTS = (12, 4, 4)

# --- Word lists ------------------------------------------------------------------

PLACE_ROOTS = (
    "North", "South", "East", "West", "River", "Calder", "Ash", "Elm", "Oak", "Thorn",
    "Holm", "Kirk", "Mill", "Stan", "Hal", "Clay", "Red", "Green", "Harrow", "Mere",
    "Fern", "Broad", "Hazel", "Brock", "Wold", "Lark", "Marsh", "Ridge", "Stone", "Bel",
)  # fmt: skip
PLACE_ENDINGS = (
    "dale", "brook", "field", "ley", "bury", "worth", "ford", "holme", "wick",
    "bridge", "moor", "side", "gate", "wood", "ton",
)  # fmt: skip
# "Eastton" and "Harrowwood" read badly: skip a root that ends as the ending starts.
PLACES = tuple(
    root + ending
    for root, ending in itertools.product(PLACE_ROOTS, PLACE_ENDINGS)
    if root[-1].lower() != ending[0]
)
SAINTS = (
    "Anne", "Mary", "John", "Peter", "Paul", "Joseph", "Hilda", "Aidan", "Chad",
    "Bede", "Oswald", "Wilfrid", "Helen", "Margaret", "Luke", "Mark", "Michael",
    "Bernadette", "Cuthbert", "Teresa",
)  # fmt: skip
STREET_KINDS = (
    "Estate", "Road", "Court", "House", "Gardens", "Lane", "Park", "Street", "Close",
    "Centre", "Way", "View",
)  # fmt: skip

MEMBER_TEMPLATES: dict[str, tuple[str, ...]] = {
    Member.Kind.HOUSING_ASSOCIATION: (
        "{place} Homes", "{place} Housing", "{place} Housing Trust", "{place} Living",
        "{place} Housing Association", "{place} Community Homes",
    ),
    Member.Kind.LOCAL_AUTHORITY: (
        "{place} Borough Council", "{place} City Council", "{place} District Council",
        "{place} Metropolitan Borough Council", "{place} Town Council",
    ),
    Member.Kind.EDUCATION: (
        "{place} College", "{place} Academy", "{place} High School",
        "{place} Primary School", "{place} Sixth Form College", "{place} Learning Trust",
        "St {saint}'s College", "St {saint}'s Catholic Primary School",
        "St {saint}'s CE Primary School", "St {saint}'s High School",
    ),
    Member.Kind.HEALTH: (
        "{place} NHS Foundation Trust", "{place} Teaching Hospitals NHS Foundation Trust",
        "{place} Community Health NHS Trust", "{place} and District NHS Foundation Trust",
        "{place} Mental Health NHS Foundation Trust",
    ),
    Member.Kind.OTHER: (
        "{place} Fire and Rescue Service", "{place} Leisure Trust",
        "{place} Parks Trust", "{place} Waste Partnership",
        "{place} Museums and Galleries Trust",
    ),
}  # fmt: skip
# 20 places in the cycle: 6 housing associations, 5 councils, 4 schools or colleges,
# 2 health trusts, 3 others; any scale has every kind.
# It starts with the featured members' kinds, so they take their places in it.
MEMBER_KIND_CYCLE: tuple[str, ...] = (
    (Member.Kind.LOCAL_AUTHORITY, Member.Kind.HOUSING_ASSOCIATION)
    + (Member.Kind.EDUCATION, Member.Kind.HEALTH, Member.Kind.OTHER)
    + (Member.Kind.HOUSING_ASSOCIATION,) * 5
    + (Member.Kind.LOCAL_AUTHORITY,) * 4
    + (Member.Kind.EDUCATION,) * 3
    + (Member.Kind.OTHER,) * 2
    + (Member.Kind.HEALTH,)
)
# Councils and landlords call off far more than a primary school does.
MEMBER_KIND_WEIGHT = {
    Member.Kind.HOUSING_ASSOCIATION: 3.0,
    Member.Kind.LOCAL_AUTHORITY: 3.0,
    Member.Kind.EDUCATION: 0.6,
    Member.Kind.HEALTH: 2.0,
    Member.Kind.OTHER: 1.0,
}
FEATURED_MEMBERS: tuple[tuple[str, str], ...] = (
    ("Northdale Borough Council", Member.Kind.LOCAL_AUTHORITY),
    ("Riverside Homes", Member.Kind.HOUSING_ASSOCIATION),
    ("St Anne's College", Member.Kind.EDUCATION),
    ("Calderbrook NHS Foundation Trust", Member.Kind.HEALTH),
    ("Westmoor Fire and Rescue Service", Member.Kind.OTHER),
)

SUPPLIER_WORDS = (
    "Acme", "Apex", "Ashworth", "Beacon", "Bramley", "Brightwater", "Castlegate",
    "Cedar", "Clearview", "Delta", "Eden", "Evergreen", "Fairfield", "Forge",
    "Granite", "Greenway", "Hallmark", "Harbour", "Hartley", "Heron", "Highpoint",
    "Holbrook", "Ironbridge", "Keystone", "Kingfisher", "Lakeside", "Lantern", "Linden",
    "Lowther", "Maple", "Meridian", "Millstone", "Moorland", "Northgate", "Oakwood",
    "Orchard", "Osprey", "Paragon", "Peak", "Pennine", "Pinnacle", "Quarry", "Redwood",
    "Ridgeway", "Rowan", "Saxon", "Sentinel", "Severn", "Skyline", "Sterling",
    "Stonegate", "Summit", "Swift", "Thornton", "Trident", "Vale", "Vanguard",
    "Westbrook", "Willow", "Windmill", "Zenith", "Alder", "Aspen", "Bridgewater",
    "Compass", "Foxley", "Hawthorn", "Irwell", "Kestrel", "Mersey",
)  # fmt: skip
SUPPLIER_TRADES = (
    "Build", "Construction", "Building Services", "Roofing", "Plumbing", "Electrical",
    "Joinery", "Scaffolding", "Groundworks", "Civils", "Landscapes", "Decorators",
    "Glazing", "Heating", "Energy", "Solar", "Insulation", "Maintenance",
    "Property Services", "Facilities", "Cleaning", "Security", "Lifts", "Fire Safety",
    "Surveyors", "Consulting", "Engineering", "Architects", "Project Services",
    "Demolition", "Drainage", "Interiors", "Kitchens", "Windows", "Fencing", "Flooring",
    "Renewables", "Environmental", "Contracts", "Developments", "Homes", "Mechanical",
    "Controls", "Water Services", "Highways", "Training", "Recruitment", "Legal",
)  # fmt: skip
# When the word lists run out (scale 170 wants 20,400 names), a regional word goes in
# front: "Northern Acme Build Ltd".
SUPPLIER_QUALIFIERS = (
    "", "Northern", "Pennine", "Lancashire", "Yorkshire", "Mersey", "Humber",
    "Cheshire", "Tyne", "Midland", "Wessex", "Anglia",
)  # fmt: skip
FEATURED_SUPPLIERS = ("Acme Build", "Pennine Property Services", "Kingfisher Energy")
# (suffix, weight, kind of registration): LLPs have OC numbers, partnerships none.
SUPPLIER_FORMS: tuple[tuple[str, float, str], ...] = (
    (" Ltd", 70, "company"),
    (" Limited", 12, "company"),
    (" Group Ltd", 5, "company"),
    (" & Sons Ltd", 4, "company"),
    (" plc", 1, "company"),
    (" LLP", 3, "llp"),
    ("", 5, "none"),
)
FIRST_NAMES = (
    "Aisha", "Alice", "Amir", "Amy", "Ben", "Bilal", "Callum", "Charlotte", "Chloe",
    "Daniel", "David", "Deborah", "Ellie", "Emma", "Fatima", "Gareth", "Grace",
    "Hannah", "Harry", "Imran", "Jack", "James", "Jasmine", "Joanne", "Kate", "Kieran",
    "Laura", "Liam", "Lucy", "Mark", "Mohammed", "Nadia", "Natalie", "Neil", "Oliver",
    "Paul", "Rachel", "Rebecca", "Ryan", "Sadia", "Sarah", "Sean", "Simon", "Sophie",
    "Stephen", "Tom", "Usman", "Victoria", "Wei", "Zara", "Anne-Marie", "Gemma",
)  # fmt: skip
LAST_NAMES = (
    "Ahmed", "Ali", "Atkinson", "Bailey", "Barker", "Begum", "Bell", "Brooks",
    "Chadwick", "Clarke", "Cooper", "Davies", "Dawson", "Evans", "Fletcher", "Green",
    "Hall", "Hughes", "Hussain", "Jackson", "Johnson", "Kaur", "Khan", "Lee",
    "Lomax", "Marsden", "Mitchell", "Morris", "Nowak", "O'Brien", "Patel", "Pearson",
    "Roberts", "Robinson", "Shaw", "Singh", "Smith", "Taylor", "Thompson", "Walker",
    "Ward", "Whittaker", "Wilson", "Wood", "Wright", "Yates", "Zhang", "Kowalski",
)  # fmt: skip


@dataclass(frozen=True)
class LotSpec:
    number: str
    name: str
    titles: tuple[str, ...]
    is_consultancy: bool = False


@dataclass(frozen=True)
class FrameworkSpec:
    reference: str
    name: str  # "{year}" becomes the year the framework started
    share: float  # of all contracts
    measures: tuple[str, ...]  # what its suppliers typically commit to
    lots: tuple[LotSpec, ...]


FRAMEWORKS: tuple[FrameworkSpec, ...] = (
    FrameworkSpec(
        "FW-CW", "Construction Works {year}", 0.28,
        ("EMP-FT", "EMP-PT", "EMP-SUS", "APP-NEW", "APP-SUS", "TRN", "WEX", "CAR",
         "EDU", "VOL", "COM", "SUP-LOC", "SUP-SME", "ENV-WST", "DON-KIND"),
        (
            LotSpec("1", "New build housing",
                    ("New build: {n} homes", "Extra care scheme: {n} apartments")),
            LotSpec("2a", "Refurbishment and extensions up to £1m",
                    ("Extension and remodelling", "Library refurbishment",
                     "Health centre fit-out")),
            LotSpec("2b", "Refurbishment and extensions over £1m",
                    ("Refurbishment of sheltered housing", "Tower block refurbishment")),
            LotSpec("3", "Education and community buildings",
                    ("New primary school", "Sixth form block extension",
                     "New community centre", "Sports hall replacement")),
        ),
    ),
    FrameworkSpec(
        "FW-RM", "Repairs and Maintenance", 0.25,
        ("EMP-FT", "EMP-SUS", "APP-NEW", "APP-SUS", "TRN", "WEX", "CAR", "VOL", "COM",
         "SUP-LOC", "DON-CASH", "WEL"),
        (
            LotSpec("1", "Responsive repairs and voids",
                    ("Responsive repairs", "Void property works",
                     "Damp and mould remediation")),
            LotSpec("2", "Planned maintenance",
                    ("Kitchen and bathroom replacements", "Roof and window replacements",
                     "Fire door replacement programme")),
            LotSpec("3", "Gas servicing and heating",
                    ("Gas servicing and boiler replacement", "Communal heating upgrade")),
            LotSpec("4", "Electrical testing and upgrades",
                    ("Electrical testing programme", "Rewires and consumer units")),
            LotSpec("5", "Lifts and access equipment",
                    ("Lift maintenance", "Stairlift and hoist servicing")),
        ),
    ),
    FrameworkSpec(
        "FW-CS", "Consultancy Services", 0.10,
        ("EDU", "VOL", "CAR", "WEX", "DON-CASH", "SUP-SME", "TRN", "ENV-CO2"),
        (
            LotSpec("1", "Cost consultancy and project management",
                    ("Cost consultancy", "Project management", "Employer's agent"),
                    is_consultancy=True),
            LotSpec("2", "Architecture and design",
                    ("Architectural design services", "Principal designer services"),
                    is_consultancy=True),
            LotSpec("3", "Surveys and inspections",
                    ("Stock condition survey", "Asbestos management surveys")),
        ),
    ),
    FrameworkSpec(
        "FW-ED", "Energy and Decarbonisation", 0.12,
        ("EMP-FT", "APP-NEW", "TRN", "WEX", "EDU", "ENV-CO2", "ENV-WST", "SUP-LOC",
         "COM"),
        (
            LotSpec("1", "Retrofit and insulation",
                    ("External wall insulation", "Whole-house retrofit",
                     "Warm homes retrofit programme")),
            LotSpec("2a", "Solar PV and battery storage",
                    ("Solar PV installation", "Battery storage installation")),
            LotSpec("2b", "Heat pumps",
                    ("Air source heat pump installation", "Ground source heat pumps")),
            LotSpec("3", "Electric vehicle charging",
                    ("EV charging points", "Fleet depot charging")),
        ),
    ),
    FrameworkSpec(
        "FW-FM", "Facilities Management", 0.15,
        ("EMP-FT", "EMP-PT", "EMP-SUS", "APP-NEW", "TRN", "WEL", "VOL", "SUP-LOC",
         "DON-CASH"),
        (
            LotSpec("1", "Cleaning", ("Office cleaning", "Window cleaning")),
            LotSpec("2", "Grounds maintenance",
                    ("Grounds maintenance", "Tree surgery and arboriculture")),
            LotSpec("3", "Security and concierge",
                    ("Security and concierge", "CCTV monitoring")),
        ),
    ),
    FrameworkSpec(
        "FW-PS", "Professional Services", 0.10,
        ("EMP-PT", "CAR", "EDU", "VOL", "DON-CASH", "WEX", "TRN", "WEL"),
        (
            LotSpec("1", "Legal services",
                    ("Housing law advice", "Employment law support", "Conveyancing")),
            LotSpec("2", "Recruitment and temporary staff",
                    ("Interim staff", "Recruitment services")),
        ),
    ),
)  # fmt: skip
# Two-decimal measures that suit a small contract when a whole person is too much.
SMALL_MEASURES = ("VOL", "EDU", "DON-CASH", "SUP-SME", "SUP-LOC", "ENV-WST")


# --- The build -------------------------------------------------------------------


class _Writable(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class LotRow:
    id: int
    framework: FrameworkSpec
    spec: LotSpec


@dataclass
class DemoBuild:
    """What one run knows: its arguments and the ids the earlier steps stored."""

    today: datetime.date
    scale: int
    stdout: _Writable | None = None
    years: int = 3  # reporting years issued before today's
    authority_codes: dict[int, str] = field(default_factory=dict)  # id: GSS code
    lots: list[LotRow] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)
    member_ids: list[int] = field(default_factory=list)  # by generated index
    member_authority: dict[int, int | None] = field(default_factory=dict)
    member_weights: list[float] = field(default_factory=list)  # cumulative
    supplier_ids: list[int] = field(default_factory=list)  # by generated index
    supplier_weights: list[float] = field(default_factory=list)  # cumulative

    @property
    def member_count(self) -> int:
        return MEMBERS_PER_SCALE * self.scale

    @property
    def supplier_count(self) -> int:
        return SUPPLIERS_PER_SCALE * self.scale

    @property
    def contract_count(self) -> int:
        return CONTRACTS_PER_SCALE * self.scale

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def at(self, days_before: int, hour: int = 9) -> datetime.datetime:
        """An aware datetime `days_before` today, so timestamps move with --today."""
        day = self.today - datetime.timedelta(days=days_before)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _rng(kind: str, key: object) -> random.Random:
    # A string seed goes through SHA-512, so it is the same in every process.
    return random.Random(f"demo:{kind}:{key}")


def _insert(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    """Insert what is missing, in batches, never holding more than one batch."""
    batch: list[models.Model] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        model.objects.bulk_create(batch, ignore_conflicts=True)


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return rng.choices(range(len(cumulative)), cum_weights=cumulative)[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _name_from(universe: list[str], ordinal: int, overflow: str) -> str:
    """The ordinal-th name of a shuffled universe; past its end, a distinguishing word."""
    base = universe[ordinal % len(universe)]
    lap = ordinal // len(universe)
    return base if lap == 0 else overflow.format(base=base, lap=lap + 1)


def quarter_end(day: datetime.date) -> datetime.date:
    """The calendar quarter end on or after `day` (30 Jun, 30 Sep, 31 Dec, 31 Mar)."""
    month = ((day.month - 1) // 3 + 1) * 3
    return datetime.date(day.year, month, 30 if month in (6, 9) else 31)


def quarter_ends(
    starts_on: datetime.date, ends_on: datetime.date
) -> list[datetime.date]:
    """Every quarter end whose quarter overlaps the dates."""
    ends: list[datetime.date] = []
    current = quarter_end(starts_on)
    last = quarter_end(ends_on)
    while current <= last:
        ends.append(current)
        current = quarter_end(current + datetime.timedelta(days=1))
    return ends


# --- Steps -------------------------------------------------------------------------


def build_reference_data(build: DemoBuild) -> None:
    """Places, frameworks and lots; the measures the migration loaded."""
    authorities = dict(
        LocalAuthority.objects.filter(
            code__in=AUTHORITY_POSTCODES, is_current=True
        ).values_list("code", "id")
    )
    # Keep the order of AUTHORITY_POSTCODES so a member's place never depends on
    # which codes the table happens to return first.
    codes = [code for code in AUTHORITY_POSTCODES if code in authorities]
    if len(codes) < AUTHORITY_COUNT:
        # A future ONS update may retire one of ours: make up the number from other
        # current English authorities rather than fail (they get no postcodes).
        extra = (
            LocalAuthority.objects.filter(is_current=True, code__startswith="E08")
            .exclude(code__in=codes)
            .order_by("code")
            .values_list("code", "id")[: AUTHORITY_COUNT - len(codes)]
        )
        for code, pk in extra:
            authorities[code] = pk
            codes.append(code)
    if not codes:
        raise RuntimeError("No current local authorities: run migrate first.")
    build.authority_codes = {authorities[code]: code for code in codes}

    framework_rows = []
    for spec in FRAMEWORKS:
        rng = _rng("framework", spec.reference)
        # Frameworks run long enough to hold every demo call-off (the oldest start
        # six years back) and a few years of new ones.
        starts_on = build.today - datetime.timedelta(days=2250 + rng.randint(0, 120))
        ends_on = build.today + datetime.timedelta(days=rng.randint(400, 1100))
        framework_rows.append(
            Framework(
                reference=spec.reference,
                name=spec.name.format(year=starts_on.year),
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )
    _insert(Framework, framework_rows)
    framework_ids = dict(
        Framework.objects.filter(
            reference__in=[spec.reference for spec in FRAMEWORKS]
        ).values_list("reference", "id")
    )
    _insert(
        Lot,
        (
            Lot(
                framework_id=framework_ids[spec.reference],
                number=lot.number,
                name=lot.name,
                is_consultancy=lot.is_consultancy,
            )
            for spec in FRAMEWORKS
            for lot in spec.lots
        ),
    )
    lot_ids = {
        (framework_id, number): pk
        for pk, framework_id, number in Lot.objects.filter(
            framework_id__in=framework_ids.values()
        ).values_list("id", "framework_id", "number")
    }
    build.lots = [
        LotRow(lot_ids[framework_ids[spec.reference], lot.number], spec, lot)
        for spec in FRAMEWORKS
        for lot in spec.lots
    ]
    build.measures = {
        measure.code: measure for measure in Measure.objects.filter(is_active=True)
    }


def _member_universe(kind: str) -> list[str]:
    """Every name a member of this kind may take, in a fixed shuffled order."""
    names: set[str] = set()
    for template in MEMBER_TEMPLATES[kind]:
        if "{saint}" in template:
            names.update(template.format(saint=saint) for saint in SAINTS)
        else:
            names.update(template.format(place=place) for place in PLACES)
    ordered = sorted(names - {name for name, _ in FEATURED_MEMBERS})
    _rng("member-names", kind).shuffle(ordered)
    return ordered


def _supplier_universe() -> list[str]:
    names = sorted(
        {f"{word} {trade}" for word in SUPPLIER_WORDS for trade in SUPPLIER_TRADES}
        - set(FEATURED_SUPPLIERS)
    )
    _rng("supplier-names", "all").shuffle(names)
    return names


def _company_number(index: int, registration: str) -> str | None:
    """A unique, upper-case, eight-character Companies House number per index.

    A multiplier coprime to the range makes index -> number a bijection, so numbers
    never collide at any scale, and the same supplier always gets the same number.
    """
    if registration == "none":
        return None
    if registration == "llp":
        return f"OC{300_000 + (index * 7_919 + 42_427) % 100_000:06d}"
    if registration == "scottish":
        return f"SC{100_000 + (index * 7_919 + 61_237) % 800_000:06d}"
    return f"{1_000_000 + (index * 9_181_873 + 2_468_013) % 15_000_000:08d}"


def build_organisations(build: DemoBuild) -> None:
    """Members of every kind, each in one of the chosen places, and suppliers."""
    authority_ids = list(build.authority_codes)
    universes = {kind: _member_universe(kind) for kind in MEMBER_TEMPLATES}
    ordinals = dict.fromkeys(MEMBER_TEMPLATES, 0)
    members: list[Member] = []
    weights: list[float] = []
    for index in range(build.member_count):
        rng = _rng("member", index)
        kind = MEMBER_KIND_CYCLE[index % len(MEMBER_KIND_CYCLE)]
        if index < len(FEATURED_MEMBERS):
            name, kind = FEATURED_MEMBERS[index]
        else:
            name = _name_from(universes[kind], ordinals[kind], "{base} ({lap})")
            ordinals[kind] += 1
        members.append(
            Member(
                reference=f"M-{index + 1:05d}",
                name=name,
                kind=kind,
                local_authority_id=authority_ids[rng.randrange(len(authority_ids))],
            )
        )
        weight = MEMBER_KIND_WEIGHT[kind] * rng.lognormvariate(0, 0.5)
        # The member@ login's organisation is a busy one.
        weights.append(weight * 3 if index == DEMO_MEMBER_INDEX else weight)
    _insert(Member, members)
    stored = {
        reference: (pk, authority_id)
        for reference, pk, authority_id in Member.objects.filter(
            reference__startswith="M-"
        ).values_list("reference", "id", "local_authority_id")
    }
    build.member_ids = [stored[member.reference][0] for member in members]
    build.member_authority = dict(stored.values())
    build.member_weights = _cumulative(weights)

    universe = _supplier_universe()
    forms = [form for form, _, _ in SUPPLIER_FORMS]
    form_weights = _cumulative(weight for _, weight, _ in SUPPLIER_FORMS)
    suppliers: list[Supplier] = []
    weights = []
    for index in range(build.supplier_count):
        rng = _rng("supplier", index)
        if index < len(FEATURED_SUPPLIERS):
            base = FEATURED_SUPPLIERS[index]
        else:
            ordinal = index - len(FEATURED_SUPPLIERS)
            lap = ordinal // len(universe)
            base = universe[ordinal % len(universe)]
            if lap:
                qualifier = SUPPLIER_QUALIFIERS[lap % len(SUPPLIER_QUALIFIERS)]
                round_ = lap // len(SUPPLIER_QUALIFIERS)
                words = [qualifier, base, str(round_ + 1) if round_ else ""]
                base = " ".join(word for word in words if word)
        form_index = _pick(rng, form_weights)
        registration = SUPPLIER_FORMS[form_index][2]
        if registration == "company" and rng.random() < 0.06:
            registration = "scottish"
        suppliers.append(
            Supplier(
                reference=f"S-{index + 1:05d}",
                name=base + forms[form_index],
                company_number=_company_number(index, registration),
            )
        )
        # A few suppliers win many call-offs; most win a handful.
        weights.append(rng.lognormvariate(0, 0.8))
    _insert(Supplier, suppliers)
    stored_suppliers = dict(
        Supplier.objects.filter(reference__startswith="S-").values_list(
            "reference", "id"
        )
    )
    build.supplier_ids = [stored_suppliers[s.reference] for s in suppliers]
    build.supplier_weights = _cumulative(weights)


def _phone(rng: random.Random) -> str:
    # Ofcom's ranges reserved for drama: never a real person's number.
    choice = rng.random()
    if choice < 0.5:
        return f"07700 900{rng.randint(0, 999):03d}"
    area = "0161" if choice < 0.75 else "0113"
    return f"{area} 496 0{rng.randint(0, 999):03d}"


def build_people(build: DemoBuild) -> None:
    """The demo logins, staff groups, supplier contacts and a member viewer."""
    # One hash for every demo user: hashing each would take minutes at scale.
    password = make_password(DEMO_PASSWORD)
    users: list[User] = [
        User(
            email=login.email,
            full_name=login.full_name,
            password=password,
            is_staff=login.email == "admin@example.org",
            is_superuser=login.email == "admin@example.org",
            date_joined=build.at(days_before=1500),
        )
        for login in DEMO_LOGINS
    ]
    # (email, supplier index, phone, is_primary)
    contacts: list[tuple[str, int, str, bool]] = []
    names = _supplier_names(build)
    seen: set[str] = {user.email for user in users}
    for index, supplier_name in enumerate(names):
        rng = _rng("contacts", index)
        domain = f"{slugify(supplier_name)}.example.com"
        count = rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
        # The demo supplier's primary contact is supplier@, so none of its own.
        needs_primary = index != DEMO_SUPPLIER_INDEX
        for _ in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{slugify(first)}.{slugify(last)}@{domain}"
            if email in seen:
                continue  # two Sarah Smiths at one firm: keep the first
            seen.add(email)
            users.append(
                User(
                    email=email,
                    full_name=f"{first} {last}",
                    password=password,
                    date_joined=build.at(days_before=rng.randint(30, 1500)),
                )
            )
            contacts.append((email, index, _phone(rng), needs_primary))
            needs_primary = False
    contacts.append(("supplier@example.org", DEMO_SUPPLIER_INDEX, "07700 900001", True))
    contacts.extend(
        ("supplier2@example.org", index, "07700 900002", False)
        for index in SWITCHING_SUPPLIER_INDEXES
    )
    _insert(User, users)
    user_ids = dict(
        User.objects.filter(
            Q(email__endswith=".example.com")
            | Q(email__in=[login.email for login in DEMO_LOGINS])
        ).values_list("email", "id")
    )
    groups = dict(
        Group.objects.filter(name__in=[TEAM_GROUP, ADMIN_GROUP]).values_list(
            "name", "id"
        )
    )
    membership = User.groups.through
    _insert(
        membership,
        [
            membership(
                user_id=user_ids["admin@example.org"], group_id=groups[ADMIN_GROUP]
            ),
            membership(
                user_id=user_ids["team@example.org"], group_id=groups[TEAM_GROUP]
            ),
        ],
    )
    _insert(
        SupplierContact,
        (
            SupplierContact(
                user_id=user_ids[email],
                supplier_id=build.supplier_ids[index],
                phone=phone,
                is_primary=is_primary,
                created_at=build.at(days_before=30),
            )
            for email, index, phone, is_primary in contacts
        ),
    )
    _insert(
        MemberViewer,
        [
            MemberViewer(
                user_id=user_ids["member@example.org"],
                member_id=build.member_ids[DEMO_MEMBER_INDEX],
                created_at=build.at(days_before=30),
            )
        ],
    )


def _supplier_names(build: DemoBuild) -> list[str]:
    """Stored names, so contact emails follow a supplier that an earlier run named."""
    names = dict(
        Supplier.objects.filter(reference__startswith="S-").values_list("id", "name")
    )
    return [names[pk] for pk in build.supplier_ids]


def _contract_dates(
    rng: random.Random, today: datetime.date, small: bool, years: int = 3
) -> tuple[datetime.date, datetime.date]:
    """Start and end, as day offsets from today, so --today shifts them exactly.

    Most start within the last `years` + 1 years (the current financial year and the
    reporting years before it); some started earlier, some end within six months, a
    few have not started yet. The default of three years keeps the draws the demo has
    always made.
    """
    days = datetime.timedelta
    span = 365 * (years + 1) + 1  # 1,461 days for three years
    category = rng.random()
    if category < 0.10:  # signed long ago, some still running
        starts_on = today - days(rng.randint(span + 1, span + 729))
        duration = rng.randint(1100, 2200)
    elif category < 0.14:  # ending within six months: at risk if behind
        duration = rng.randint(365, 1460)
        starts_on = today + days(rng.randint(7, 180) - duration)
    elif category < 0.17:  # not started yet
        starts_on = today + days(rng.randint(7, 120))
        duration = rng.randint(365, 1095)
    else:
        starts_on = today - days(rng.randint(30, span))
        duration = rng.randint(90, 540) if small else rng.randint(270, 1460)
    return starts_on, starts_on + days(duration)


def _contract_value(rng: random.Random, is_consultancy: bool) -> Decimal:
    """Most £150k-£3m; some under £100k; a few large; consultancy mostly small."""
    roll = rng.random()
    if is_consultancy:
        pounds = (
            _log_uniform(rng, 3_000, 95_000)
            if roll < 0.85
            else _log_uniform(rng, 100_000, 250_000)
        )
    elif roll < 0.14:
        pounds = _log_uniform(rng, 15_000, 99_000)
    elif roll < 0.95:
        pounds = _log_uniform(rng, 150_000, 3_000_000)
    else:
        pounds = _log_uniform(rng, 3_000_000, 12_000_000)
    return round_money(round(pounds))


def _postcode(rng: random.Random, code: str | None) -> str:
    outward = AUTHORITY_POSTCODES.get(code or "")
    if not outward:
        return ""
    letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
    return f"{rng.choice(outward)} {rng.randint(1, 9)}{letters}"


def build_contracts(build: DemoBuild) -> None:
    """Call-offs of every size, spread over the reporting years, in the members' places."""
    framework_weights = _cumulative(spec.share for spec in FRAMEWORKS)
    lots_by_framework = {
        spec.reference: [row for row in build.lots if row.framework is spec]
        for spec in FRAMEWORKS
    }
    forced = [
        supplier_index
        for supplier_index, count in enumerate(FORCED_SUPPLIER_CONTRACTS)
        for _ in range(count)
    ]

    def rows() -> Iterator[Contract]:
        for index in range(build.contract_count):
            reference = f"C-{index + 1:06d}"
            rng = _rng("contract", reference)
            member_index = _pick(rng, build.member_weights)
            supplier_index = _pick(rng, build.supplier_weights)
            if index < len(forced):
                supplier_index = forced[index]
            spec = FRAMEWORKS[_pick(rng, framework_weights)]
            lot = rng.choice(lots_by_framework[spec.reference])
            value = _contract_value(rng, lot.spec.is_consultancy)
            starts_on, ends_on = _contract_dates(
                rng, build.today, small=value < 100_000, years=build.years
            )
            if rng.random() < 0.02:
                status = Contract.Status.CANCELLED  # never went ahead
            elif ends_on < build.today:
                status = Contract.Status.COMPLETED
            else:
                status = Contract.Status.ACTIVE
            member_id = build.member_ids[member_index]
            authority_id = build.member_authority[member_id]
            site = f"{rng.choice(PLACES)} {rng.choice(STREET_KINDS)}"
            title = rng.choice(lot.spec.titles).format(n=rng.randint(6, 80))
            yield Contract(
                reference=reference,
                title=f"{title}, {site}",
                member_id=member_id,
                supplier_id=build.supplier_ids[supplier_index],
                lot_id=lot.id,
                value=value,
                starts_on=starts_on,
                ends_on=ends_on,
                status=status,
                local_authority_id=authority_id,
                postcode=_postcode(rng, build.authority_codes.get(authority_id)),
            )

    _insert(Contract, rows())


@dataclass(frozen=True)
class StoredContract:
    id: int
    reference: str
    value: Decimal
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    lot_id: int


def _stored_contracts(build: DemoBuild) -> list[StoredContract]:
    wanted = {f"C-{index + 1:06d}" for index in range(build.contract_count)}
    return [
        StoredContract(*row)
        for row in Contract.objects.filter(reference__startswith="C-")
        .order_by("reference")
        .values_list(
            "id", "reference", "value", "starts_on", "ends_on", "status", "lot_id"
        )
        if row[1] in wanted
    ]


def _valuations_for(
    contract: StoredContract, today: datetime.date
) -> Iterator[Valuation]:
    if contract.status == Contract.Status.CANCELLED or contract.starts_on > today:
        return
    rng = _rng("valuations", contract.reference)
    quarters = quarter_ends(contract.starts_on, contract.ends_on)
    weights = []
    for position, end in enumerate(quarters):
        start = datetime.date(end.year, end.month - 2, 1)
        overlap = (min(end, contract.ends_on) - max(start, contract.starts_on)).days + 1
        # Spend builds up and tails off; a part quarter gets a part share.
        curve = 0.35 + math.sin(math.pi * (position + 0.5) / len(quarters))
        weights.append(curve * rng.uniform(0.6, 1.4) * overlap / 91)
    # Final accounts come in a little over or under the contract value.
    total = float(contract.value) * rng.uniform(0.9, 1.08)
    scale = total / sum(weights)
    ended = [
        (end, weight)
        for end, weight in zip(quarters, weights, strict=True)
        if end <= today
    ]
    # A few live contracts are missing the latest quarter's valuation, so the team's
    # dry run has something to warn about.
    if (
        contract.status == Contract.Status.ACTIVE
        and len(ended) >= 2
        and rng.random() < 0.04
    ):
        ended.pop()
    for end, weight in ended:
        yield Valuation(
            contract_id=contract.id, period_end=end, amount=round_money(weight * scale)
        )


def build_valuations(build: DemoBuild) -> None:
    """A valuation for each quarter of each contract that has ended by today."""
    _insert(
        Valuation,
        (
            valuation
            for contract in _stored_contracts(build)
            for valuation in _valuations_for(contract, build.today)
        ),
    )


def _plan_for(
    contract: StoredContract, framework: FrameworkSpec, measures: dict[str, Measure]
) -> Iterator[DeliveryPlanItem]:
    rng = _rng("plan", contract.reference)
    if contract.status == Contract.Status.CANCELLED or rng.random() < 0.15:
        return  # most contracts have a plan; a few were let before plans were asked
    pool = [code for code in framework.measures if code in measures]
    chosen = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
    shares = [rng.uniform(0.5, 1.5) for _ in chosen]
    # The plan covers the whole contract's target, with some over-commitment.
    credits = float(contract.value) * CREDITS_PER_100K / 100_000 * rng.uniform(1.0, 1.3)
    quantities: dict[str, Decimal] = {}
    for code, share in zip(chosen, shares, strict=True):
        measure = measures[code]
        credits_for_measure = credits * share / sum(shares)
        if measure.decimal_places == 0 and (
            credits_for_measure < float(measure.default_credits_per_unit) / 2
        ):
            # Not even one person's worth: commit to something a small firm can do.
            spare = [c for c in SMALL_MEASURES if c in measures and c not in chosen]
            spare = [c for c in spare if c not in quantities]
            if not spare:
                continue
            measure = measures[rng.choice(spare)]
        rate = float(measure.default_credits_per_unit)
        if rate <= 0:
            continue
        exact = credits_for_measure / rate
        # People commit to "175 hours" or "£78,325", not "174.61": whole units
        # unless the quantity is small (tonnes of CO2e).
        places = 0 if exact >= 10 else measure.decimal_places
        quantity = round_half_up(exact, places)
        quantities[measure.code] = max(
            quantity, Decimal(1).scaleb(-measure.decimal_places)
        )
    # A subset measure (EMP-BAR of EMP-FT + EMP-PT) never exceeds its parents.
    for code, measure in measures.items():
        parents = [quantities.get(parent) for parent in measure.part_of or []]
        parent_total = sum(q for q in parents if q is not None)
        if code in quantities or not parent_total or len(quantities) >= 6:
            continue
        if rng.random() < 0.4:
            share = round_half_up(
                float(parent_total) * rng.uniform(0.2, 0.5), measure.decimal_places
            )
            if share > 0:
                quantities[code] = share
    for code, quantity in quantities.items():
        yield DeliveryPlanItem(
            contract_id=contract.id,
            measure_id=measures[code].id,
            committed_quantity=quantity,
        )


def build_delivery_plans(build: DemoBuild) -> None:
    """3-6 committed measures per contract, sized to its value."""
    frameworks = {row.id: row.framework for row in build.lots}
    _insert(
        DeliveryPlanItem,
        (
            item
            for contract in _stored_contracts(build)
            if contract.lot_id in frameworks  # not a demo lot: not a demo contract
            for item in _plan_for(contract, frameworks[contract.lot_id], build.measures)
        ),
    )
