"""The outcome report page (/reports): From and To as GOV.UK date boxes, refusals beside the field and in
the summary with what was typed kept, and a CSV link that carries the dates of the report shown."""

from __future__ import annotations

import html
import re
from datetime import date

OCTOBER = "from-day=1&from-month=10&from-year=2026&to-day=31&to-month=10&to-year=2026"


def csv_link(page) -> str:
    found = re.search(r'href="([^"]+)"[^>]*>Download as CSV', page.get_data(as_text=True))
    assert found, "no CSV link"
    return html.unescape(found.group(1))


def box(text: str, name: str) -> str | None:
    """The value a date box shows (None when it has none)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', text)
    assert tag, f"no box {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def summary(text: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', text, re.S)
    assert found, "no error summary"
    return found.group(0)


def beside(text: str, field: str) -> str:
    found = re.search(rf'<p id="f-{field}-error" class="govuk-error-message">(.*?)</p>', text, re.S)
    assert found, f"no error beside {field}"
    return found.group(1)


def test_the_date_boxes_choose_the_report_and_the_csv_link_carries_them(as_role, make_participant, make_asset, issue):
    issue(make_participant(area="Wirral"), make_asset("tablet").tag, issued_on=date(2026, 10, 10))
    issue(make_participant(area="Halton"), make_asset("tablet").tag)  # today, 22 November: not in October
    admin, _ = as_role("admin")
    page = admin.get(f"/reports?area=Wirral&{OCTOBER}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "from 1 October 2026 to 31 October 2026" in text
    kept = {f"{d}-{part}": box(text, f"{d}-{part}") for d in ("from", "to") for part in ("day", "month", "year")}
    assert kept == {"from-day": "1", "from-month": "10", "from-year": "2026"} | {
        "to-day": "31",
        "to-month": "10",
        "to-year": "2026",
    }
    assert 'type="date"' not in text  # no browser date picker (mm/dd/yyyy) left
    link = csv_link(page)
    assert link.startswith("/reports/outcomes.csv?") and "from=2026-10-01" in link and "to=2026-10-31" in link
    assert "area=Wirral" in link
    download = admin.get(link)
    assert download.status_code == 200
    assert 'filename="outcomes-2026-10-01-to-2026-10-31.csv"' in download.headers["Content-Disposition"]
    body = download.get_data(as_text=True)
    assert not any(line.startswith("Halton,") for line in body.splitlines())  # the area filter kept too
    # An older link's YYYY-MM-DD dates still choose the same report.
    old = admin.get("/reports?area=Wirral&from=2026-10-01&to=2026-10-31")
    assert old.status_code == 200 and "from 1 October 2026 to 31 October 2026" in old.get_data(as_text=True)
    assert csv_link(old) == link


def test_a_day_that_does_not_exist_is_refused_beside_its_field_and_kept(as_role):
    admin, _ = as_role("admin")
    page = admin.get("/reports?from-day=31&from-month=2&from-year=2026&to-day=&to-month=&to-year=")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Enter a real date" in summary(text) and 'href="#f-from"' in summary(text)
    assert "Enter a real date" in beside(text, "from")
    assert box(text, "from-day") == "31" and box(text, "from-month") == "2" and box(text, "from-year") == "2026"
    assert "Download as CSV" not in text


def test_from_after_to_is_refused_beside_from(as_role):
    admin, _ = as_role("admin")
    page = admin.get("/reports?from-day=2&from-month=11&from-year=2026&to-day=1&to-month=11&to-year=2026")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    message = "The from date must be the same as or before the to date"
    assert message in summary(text) and message in beside(text, "from")
    assert box(text, "to-day") == "1" and box(text, "from-day") == "2"


def test_a_bad_date_in_the_csv_address_goes_back_to_the_page_saying_why(as_role):
    admin, _ = as_role("admin")
    refused = admin.get("/reports/outcomes.csv?from-day=30&from-month=2&from-year=2026")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/reports")
    assert "is not a date" in admin.get("/reports").get_data(as_text=True)
