"""Demo data: the programmes, places and people the sample deliveries name. Safe to run again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Asset, KitTemplate, Location, Organisation, Programme, User
from . import issuing, kits, participants, receiving, reference, users

DATA = Path(__file__).resolve().parent.parent / "demo_data"
SAMPLE_FILES = ("delivery-tablets.csv", "delivery-laptops-furniture.csv", "sims-vodafone.csv")

PROGRAMMES: list[dict[str, Any]] = [
    dict(
        code="DII",
        name="Digital Inclusion Initiative",
        connectivity_months=6,
        ownership_rule="on_assessment_pass",
        assessment_name="Level 1 Internet Safety for IT Users",
        pass_mark=70,
    ),
    dict(
        code="HIW",
        name="Households into Work",
        connectivity_months=2,
        ownership_rule="on_assessment_pass",
        assessment_name="Level 1 Internet Safety for IT Users",
        pass_mark=70,
    ),
]
ORGANISATIONS = [
    dict(code="REBOOT", name="Reboot Refurbishment (warehouse operator)"),
    dict(code="NORTHEND", name="North End Community Hub"),
    dict(code="BIRKENHEAD", name="Birkenhead Digital Den"),
    dict(code="WIDNES", name="Widnes Learning Centre"),
]
LOCATIONS = [
    dict(code="WH-MAIN", name="Main warehouse, Knowsley", kind="warehouse", area="Knowsley", organisation="REBOOT"),
    dict(code="BUS-1", name="Digital bus", kind="mobile_unit", area="Sefton", organisation="REBOOT"),
    dict(code="HUB-LIV-NE", name="North End Community Hub", kind="hub", area="Liverpool", organisation="NORTHEND"),
    dict(code="HUB-WIR-BH", name="Birkenhead Digital Den", kind="hub", area="Wirral", organisation="BIRKENHEAD"),
    dict(code="HUB-HAL-WI", name="Widnes Learning Centre", kind="hub", area="Halton", organisation="WIDNES"),
]
TEMPLATES: list[dict[str, Any]] = [
    dict(
        code="DII-TABLET",
        name="Tablet and data SIM",
        programme="DII",
        contents=[{"type": "tablet", "count": 1}, {"type": "sim", "count": 1}],
    ),
    # The sample SIM batch belongs to DII, so the demo's home-office kit is built without one.
    dict(
        code="HIW-HOME",
        name="Laptop, desk and chair",
        programme="HIW",
        contents=[{"type": "laptop", "count": 1}, {"type": "desk", "count": 1}, {"type": "chair", "count": 1}],
    ),
]
# Demo accounts only: fixed passwords so that a second run can print them again.
USERS = [
    dict(email="admin@demo.example", role="admin", name="Ada Admin", password="demo-admin-2026"),
    dict(email="warehouse@demo.example", role="warehouse", name="Wes Warehouse", password="demo-warehouse-2026"),
    dict(email="advocate@demo.example", role="advocate", name="Ava Advocate", password="demo-advocate-2026"),
    dict(
        email="partner@demo.example",
        role="partner",
        name="Pat Partner",
        password="demo-partner-2026",
        organisation="NORTHEND",
    ),
]


def _exists(model, column, value) -> bool:
    return db.session.scalar(sa.select(model.id).where(column == value)) is not None


# Fictional people (Ofcom's drama numbers, example.org addresses) on the demo advocate's caseload. The
# first got a tablet kit long enough ago that their free data ends within the week, so the scheduler
# started by `make run` has a reminder to send.
PARTICIPANTS: list[dict[str, Any]] = [
    dict(
        reference="DII-DEMO-0001",
        name="Jordan Example",
        phone="07700 900901",
        email="jordan@example.org",
        area="Knowsley",
        referral_source="jobcentre_plus",
        programme="DII",
        contact_consent=True,
    ),
    dict(
        reference="DII-DEMO-0002",
        name="Riley Example",
        phone=None,
        email="riley@example.org",
        area="Sefton",
        referral_source="restart",
        programme="DII",
        contact_consent=True,
    ),
]


def seed_demo(progress=None, today=None) -> dict:
    """Create what is missing and import each sample delivery once. Returns what it did."""
    done = {"programmes": 0, "organisations": 0, "locations": 0, "kit_templates": 0, "users": 0, "assets": 0}
    for p in PROGRAMMES:
        if not _exists(Programme, Programme.code, p["code"]):
            reference.create_programme(**p)
            done["programmes"] += 1
    for o in ORGANISATIONS:
        if not _exists(Organisation, Organisation.code, o["code"]):
            reference.create_organisation(**o)
            done["organisations"] += 1
    for loc in LOCATIONS:
        if not _exists(Location, Location.code, loc["code"]):
            reference.create_location(**loc)
            done["locations"] += 1
    for t in TEMPLATES:
        if not _exists(KitTemplate, KitTemplate.code, t["code"]):
            reference.create_kit_template(**t)
            done["kit_templates"] += 1
    for u in USERS:
        if not _exists(User, User.email, u["email"]):
            users.create_user(
                u["email"], u["role"], name=u["name"], organisation=u.get("organisation"), password=u["password"]
            )
            done["users"] += 1
    actor = users.get_user("warehouse@demo.example")
    for name in SAMPLE_FILES:
        batch = "demo-" + name.removesuffix(".csv")[:27]
        if _exists(Asset, Asset.batch, batch):
            continue
        result = receiving.import_manifest((DATA / name).read_bytes(), actor, batch=batch, progress=progress)
        done["assets"] += result.created
    done["participants"] = _demo_participants(today)
    return done


def _demo_participants(today) -> int:
    from ..dates import add_months
    from ..models import AssetStatus, AssetType, Participant

    if today is None or _exists(Participant, Participant.reference, PARTICIPANTS[0]["reference"]):
        return 0
    advocate = users.get_user("advocate@demo.example")
    warehouse = users.get_user("warehouse@demo.example")
    issued_on = add_months(today, -6) + timedelta(days=5)  # six months of data: ends in about five days
    first = participants.create_participant(PARTICIPANTS[0] | {"enrolled_on": issued_on}, advocate, today)
    participants.create_participant(PARTICIPANTS[1], advocate, today)
    tablet, sim = (
        db.session.scalar(
            sa.select(Asset.tag)
            .where(Asset.type == kind, Asset.status == AssetStatus.IN_STOCK, Asset.imei.is_(None))
            .order_by(Asset.id)
        )
        for kind in (AssetType.TABLET, AssetType.SIM)
    )
    assert tablet is not None and sim is not None  # the sample deliveries have both in stock
    kit = kits.build_kit([tablet, sim], warehouse, template="DII-TABLET")
    issuing.issue(
        participant_id=first.id,
        items=[kit.tag],
        agreement_accepted=True,
        issued_on=issued_on,
        actor=advocate,
        today=today,
    )
    return len(PARTICIPANTS)
