"""A hand-built pair of years for the member pages and the impact report.

Two members (A: Hollins Homes, B: Aire College), three suppliers, contracts in
Manchester (North West) and Leeds (Yorkshire and The Humber), on two frameworks.

2023/24 ("last")
  Acme, approved:  C-1 A Manchester Works     spend 200,000 target 20 delivered 18
                       EMP-FT 2, EMP-PT 1, APP-NEW 1, TRN 10, VOL 40.5
                   C-2 A Leeds      Services  spend 100,000 target 10 delivered 12
                       EMP-SUS 3, DON-CASH 500
  Brick, approved: C-3 B Leeds      Works     spend 300,000 target 30 delivered 35
                       EMP-FT 1, APP-SUS 2, WEX 4, CAR 25, COM 1
Then C-2 is re-assigned to member B (its 2023/24 line stays with A).

2024/25 ("this")
  Acme, approved:  C-1 A Manchester Works     spend 250,000 target 25 delivered 20
                       EMP-FT 3, EMP-PT 2, EMP-SUS 2, APP-NEW 1, TRN 12, VOL 20
                   C-2 B Leeds      Services  spend 150,000 target 15 delivered 16
                       EMP-SUS 4, DON-KIND 1,200.50
                   C-5 A Manchester Works     excluded (novated): EMP-FT 50, target 9
  Brick, submitted:         C-3 B  target 30 delivered 40, EMP-FT 9   (awaiting review)
  Cobalt, sent back:        C-4 A  target 12 delivered 5,  EMP-FT 7   (not submitted)
  Proxy value set by the team for 2024/25: TRN £100 per person.
"""

import datetime
from decimal import Decimal as D

from returns.models import AnnualReturn, CaseStudy, YearMeasure
from tests import factories

APPROVED = AnnualReturn.Status.APPROVED
MANCHESTER = "E08000003"
LEEDS = "E08000035"


def build_impact_world() -> dict:
    last = factories.ReportingYearFactory(first_year=2023)
    this = factories.ReportingYearFactory(first_year=2024)
    manchester = factories.local_authority(MANCHESTER)
    leeds = factories.local_authority(LEEDS)
    member_a = factories.MemberFactory(name="Hollins Homes", local_authority=manchester)
    member_b = factories.MemberFactory(name="Aire College", local_authority=leeds)
    works = factories.LotFactory(framework__name="Building Works", number="1")
    services = factories.LotFactory(framework__name="Property Services", number="1")
    acme = factories.SupplierFactory(name="Acme Build Ltd")
    brick = factories.SupplierFactory(name="Brick and Co Ltd")
    cobalt = factories.SupplierFactory(name="Cobalt Services Ltd")

    def contract(reference, supplier, member, lot, place):
        return factories.ContractFactory(
            reference=reference,
            title=f"Works at {reference}",
            supplier=supplier,
            member=member,
            lot=lot,
            local_authority=place,
            starts_on=datetime.date(2023, 4, 1),
            ends_on=datetime.date(2028, 3, 31),
        )

    c1 = contract("C-1", acme, member_a, works, manchester)
    c2 = contract("C-2", acme, member_a, services, leeds)
    c3 = contract("C-3", brick, member_b, works, leeds)
    c4 = contract("C-4", cobalt, member_a, services, leeds)
    c5 = contract("C-5", acme, member_a, works, manchester)

    def annual_return(supplier, year, status):
        return factories.AnnualReturnFactory(
            supplier=supplier, year=year, status=status
        )

    def line(annual_return, contract, spend, target, delivered, entries, **extra):
        made = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract=contract,
            spend=D(spend),
            target_credits=D(target),
            delivered_credits=D(delivered),
            **extra,
        )
        for code, quantity in entries.items():
            factories.ReturnEntryFactory(
                line=made, measure=factories.measure(code), quantity=D(quantity)
            )
        return made

    acme_last = annual_return(acme, last, APPROVED)
    brick_last = annual_return(brick, last, APPROVED)
    line(
        acme_last,
        c1,
        "200000",
        "20",
        "18",
        {"EMP-FT": 2, "EMP-PT": 1, "APP-NEW": 1, "TRN": 10, "VOL": "40.5"},
    )
    line(acme_last, c2, "100000", "10", "12", {"EMP-SUS": 3, "DON-CASH": 500})
    line(
        brick_last,
        c3,
        "300000",
        "30",
        "35",
        {"EMP-FT": 1, "APP-SUS": 2, "WEX": 4, "CAR": 25, "COM": 1},
    )

    # After approval of 2023/24, C-2 moves to member B.
    c2.member = member_b
    c2.save()

    acme_this = annual_return(acme, this, APPROVED)
    brick_this = annual_return(brick, this, AnnualReturn.Status.SUBMITTED)
    cobalt_this = annual_return(cobalt, this, AnnualReturn.Status.RETURNED)
    c1_this = line(
        acme_this,
        c1,
        "250000",
        "25",
        "20",
        {"EMP-FT": 3, "EMP-PT": 2, "EMP-SUS": 2, "APP-NEW": 1, "TRN": 12, "VOL": 20},
    )
    c2_this = line(
        acme_this, c2, "150000", "15", "16", {"EMP-SUS": 4, "DON-KIND": "1200.50"}
    )
    line(
        acme_this,
        c5,
        "90000",
        "9",
        "50",
        {"EMP-FT": 50},
        excluded_reason="Novated to another supplier",
        excluded_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
    )
    c3_this = line(brick_this, c3, "300000", "30", "40", {"EMP-FT": 9})
    line(cobalt_this, c4, "120000", "12", "5", {"EMP-FT": 7})
    YearMeasure.objects.filter(year=this, measure__code="TRN").update(
        proxy_value=D("100.00")
    )

    approved_public = CaseStudy.Publication.APPROVED
    studies = {
        "shared_public": factories.CaseStudyFactory(
            line=c1_this,
            title="Private title: an apprenticeship for Jo",
            story="PRIVATE STORY naming Jo Bloggs of 1 High Street.",
            share_with_member=True,
            publication=approved_public,
            public_title="An apprentice joins the site team",
            public_story="A young person from Moss Side started an apprenticeship.",
        ),
        "not_shared": factories.CaseStudyFactory(
            line=c1_this, title="Unshared study", story="UNSHARED STORY text."
        ),
        "requested": factories.CaseStudyFactory(
            line=c1_this,
            title="Requested study",
            share_with_member=True,
            publication=CaseStudy.Publication.REQUESTED,
            public_title="REQUESTED PUBLIC TITLE",
            public_story="REQUESTED PUBLIC STORY",
        ),
        "member_b": factories.CaseStudyFactory(
            line=c2_this, title="Aire College garden", share_with_member=True
        ),
        "unapproved_return": factories.CaseStudyFactory(
            line=c3_this,
            title="Submitted-return study",
            share_with_member=True,
            publication=approved_public,
            public_title="SUBMITTED PUBLIC TITLE",
            public_story="SUBMITTED PUBLIC STORY",
        ),
    }
    return {
        "last": last,
        "this": this,
        "member_a": member_a,
        "member_b": member_b,
        "suppliers": {"acme": acme, "brick": brick, "cobalt": cobalt},
        "contracts": {"C-1": c1, "C-2": c2, "C-3": c3, "C-4": c4, "C-5": c5},
        "studies": studies,
    }
