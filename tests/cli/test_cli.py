"""The `inventory` command."""

import sqlalchemy as sa

from inventory import auth
from inventory.cli import main
from inventory.extensions import db, unit_of_work
from inventory.models import Asset, User
from tests.conftest import SAMPLES


def run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def test_seed_demo_twice_creates_everything_once(app):
    first = run(app, "seed-demo")
    assert first.exit_code == 0, first.output
    assert "780 assets" in first.output and "demo-admin-2026" in first.output
    second = run(app, "seed-demo")
    assert second.exit_code == 0 and "0 assets" in second.output and "demo-partner-2026" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 780
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4


def test_users_and_tokens(app, client):
    run(app, "seed-demo")
    made = run(app, "users", "create", "--email", "Sam@Example.org", "--role", "partner", "--organisation", "widnes")
    assert made.exit_code == 0 and "Password (shown once):" in made.output
    password = made.output.split("Password (shown once):")[1].strip()
    token = run(app, "tokens", "create", "sam@example.org", "--password", password).output.strip()
    r = client.get("/api/v1/stock", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert {row["location"] for row in r.json["rows"]} <= {"HUB-HAL-WI"}
    refused = run(app, "users", "create", "--email", "x@example.org", "--role", "partner")
    assert refused.exit_code == 1 and "belongs to an organisation" in refused.output
    revoked = run(app, "tokens", "revoke-all", "sam@example.org")
    assert "Revoked 1" in revoked.output
    # A web worker may trust a token it has seen for TOKEN_CACHE_SECONDS; once that has passed:
    auth.tokens.clear()
    assert client.get("/api/v1/stock", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_assets_import_prints_row_errors_and_stores_nothing(app, tmp_path):
    run(app, "seed-demo")
    bad = tmp_path / "bad.csv"
    bad.write_text("type,make,model,serial,location\nphone,A,B,S1,WH-MAIN\ntablet,A,B,,NOWHERE\n")
    result = run(app, "assets", "import", str(bad))
    assert result.exit_code == 1
    assert "row 2, column type: 'phone' is not a type" in result.output
    assert "row 3, column location: unknown location 'NOWHERE'" in result.output
    assert "row 3, column serial: is required for a tablet" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 780


def test_assets_import_a_good_file(app, tmp_path):
    run(app, "seed-demo")
    good = tmp_path / "more.csv"
    good.write_text("type,make,model,serial,location\nchair,ReUse,Chair,NEW-CH-1,HUB-LIV-NE\n")
    assert "rows checked" in run(app, "assets", "import", "--dry-run", str(good)).output
    result = run(app, "assets", "import", "--as", "warehouse@demo.example", str(good))
    assert result.exit_code == 0 and "Imported 1 assets" in result.output
    assert db.session.scalar(sa.select(Asset.location_id).where(Asset.serial == "NEW-CH-1")) is not None
    assert SAMPLES.exists()


def test_outcomes_report_to_a_csv_file(app, world, make_asset, make_participant, issue, tmp_path):
    issue(make_participant(area="Wirral"), make_asset("sim").tag)
    out = tmp_path / "report.csv"
    result = run(
        app,
        "reports",
        "outcomes",
        "--programme",
        "DII",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--output",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text().splitlines()
    wirral = next(r for r in rows if r.startswith("Wirral,"))
    header = rows[0].split(",")
    assert wirral.split(",")[header.index("assets_issued_sim")] == "1"
    bad = run(app, "reports", "outcomes", "--from", "yesterday", "--output", str(out))
    assert bad.exit_code != 0 and "is not a date" in bad.output


def test_participant_export_and_erase(app, world, make_participant, tmp_path):
    person = make_participant(name="Casey Cli")
    out = tmp_path / "sar.json"
    assert run(app, "participants", "export", str(person.id), "--output", str(out)).exit_code == 0
    assert '"name": "Casey Cli"' in out.read_text()
    result = app.test_cli_runner().invoke(main, ["participants", "erase", str(person.id)], input="y\n")
    assert result.exit_code == 0 and "Erased" in result.output
    assert '"name": null' in run(app, "participants", "export", str(person.id)).output
    missing = run(app, "participants", "export", "999999")
    assert missing.exit_code == 1 and "No participant with this id" in missing.output


def test_retention_run_as_of_a_date(app, world, make_asset, make_participant, issue):
    from datetime import date

    from inventory.models import Participant

    person = make_participant(name="Long Gone")
    db.session.execute(sa.update(Participant).values(created_at=sa.literal(date(2020, 1, 1))))
    db.session.commit()
    result = run(app, "retention", "run", "--as-of", "2026-11-22")
    assert result.exit_code == 0 and "1 participant(s)" in result.output and "before 2024-11-22" in result.output
    assert db.session.scalar(sa.select(Participant.name).where(Participant.id == person.id)) is None
    assert "0 participant(s)" in run(app, "retention", "run", "--as-of", "2026-11-22").output


def test_labels_sheet_for_a_location(app, world, make_asset, tmp_path):
    import pypdfium2 as pdfium
    import zxingcpp

    tags = sorted(make_asset("chair", location="BUS-1").tag for _ in range(3))
    out = tmp_path / "labels.pdf"
    result = run(
        app,
        "labels",
        "sheet",
        "--location",
        "BUS-1",
        "--unprinted",
        "--template",
        "L7160",
        "--start",
        "4",
        "--output",
        str(out),
    )
    assert result.exit_code == 0 and "Wrote 3 labels" in result.output, result.output
    doc = pdfium.PdfDocument(out.read_bytes())
    found = sorted(r.text.rsplit("/", 1)[1] for r in zxingcpp.read_barcodes(doc[0].render(scale=300 / 72).to_pil()))
    doc.close()
    assert found == tags
    again = run(app, "labels", "sheet", "--location", "BUS-1", "--unprinted", "--output", str(out))
    assert again.exit_code == 1 and "nothing to print" in again.output


def test_reminders_sweep_and_send_with_the_log_notifier(app, world, make_asset, make_participant, issue, caplog):
    import logging
    from datetime import date

    issue(
        make_participant(phone="07700900999"),
        make_asset("sim").tag,
        issued_on=date(2026, 8, 31),
        today=date(2026, 8, 31),
    )
    swept = run(app, "reminders", "sweep", "--as-of", "2027-02-21")
    assert "queued 1 participant reminder(s) and 1 advocate digest(s)" in swept.output
    assert "queued 0 participant" in run(app, "reminders", "sweep", "--as-of", "2027-02-21").output
    with caplog.at_level(logging.INFO, logger="inventory.notifier"):
        sent = run(app, "reminders", "send")
    assert "sent 2, to retry 0, failed 0" in sent.output
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "plan_ending sms to *********999 (inventory-" in logged
    assert "07700900999" not in logged and "+447700900999" not in logged  # the log never holds a number
    assert "advocate_digest email to a***@t***.example (inventory-" in logged
    assert "advocate@test.example" not in logged
    assert "sent 0" in run(app, "reminders", "send").output


def test_counts_check_says_all_agree_then_finds_and_repairs_a_hand_made_change(app, world, make_asset):
    tablet = make_asset("tablet")
    result = run(app, "counts", "check")
    assert result.exit_code == 0 and "agrees" in result.output
    with unit_of_work():
        db.session.execute(sa.update(Asset).where(Asset.id == tablet.id).values(status="quarantine"))
    result = app.test_cli_runner().invoke(main, ["counts", "check"])
    assert result.exit_code == 1
    assert "tablet/quarantine: kept 0, counted 1" in result.output
    result = run(app, "counts", "repair")
    assert "2 count(s) repaired" in result.output
    assert run(app, "counts", "check").exit_code == 0


def test_jobs_run_list_and_download_a_sheet_asked_for_over_the_api(app, client, world, tmp_path):
    from tests.api.test_background_jobs import delivery
    from tests.api.test_labels_api import decoded_tags

    headers = world.headers["warehouse"]
    imported = delivery(client, headers, 1001)
    job = client.post("/api/v1/labels/sheet", json={"batch": imported["batch"]}, headers=headers).json
    db.session.remove()
    waiting = run(app, "jobs", "list")
    assert f"{job['id']:>6}  label_sheet   queued" in waiting.output and "warehouse@test.example" in waiting.output
    ran = run(app, "jobs", "run")
    assert ran.exit_code == 0 and f"Job {job['id']} (label_sheet)" in ran.output, ran.output
    assert "Done 1, failed 0" in ran.output
    assert "done       1001/1001" in run(app, "jobs", "list").output
    out = tmp_path / "sheet.pdf"
    saved = run(app, "jobs", "download", str(job["id"]), "-o", str(out))
    assert saved.exit_code == 0 and "labels-L7651-1001.pdf" in saved.output
    assert sorted(decoded_tags(out.read_bytes())) == sorted(imported["tags"])
    assert run(app, "jobs", "download", "999", "-o", str(out)).exit_code == 1
