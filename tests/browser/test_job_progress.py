"""A delivery's sheet of 1,001 labels in a real browser: the print button opens the job's page, which
follows the job's progress by itself (static job-progress.js, under the Content-Security-Policy) and
offers the download once the sheet is made; the PDF it downloads decodes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inventory import clock
from inventory.extensions import db
from inventory.services import background_jobs
from tests.api.test_background_jobs import delivery
from tests.api.test_labels_api import decoded_tags
from tests.browser.conftest import PHONE, fits_width, screenshot, sign_in

pytestmark = pytest.mark.slow


def test_the_job_page_follows_a_big_sheet_to_its_download(app, browser_page, world):
    imported = delivery(app.test_client(), world.headers["warehouse"], 1001)
    db.session.remove()
    page = browser_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "warehouse", f"/deliveries/{imported['batch']}")
    page.get_by_label("Label sheet").select_option("L7651")
    page.get_by_role("button", name="Print labels").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Label sheet")
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    download = page.get_by_role("link", name="Download the file")
    expect(download).to_be_hidden()

    # The scheduler's runner claims it and gets part of the way: the page shows it without a reload.
    token = "browser-test-runner"
    job_id = background_jobs.claim(clock.now(), token)
    background_jobs._progress_writer(job_id, token, clock.now, None)(500, 1001)
    db.session.remove()
    expect(page.get_by_role("status")).to_contain_text("500 of 1,001 labels drawn (49%)")
    expect(page.locator("#job-bar")).to_have_attribute("value", "49")
    assert fits_width(page)
    screenshot(page, "job-progress-phone")

    assert background_jobs.run(job_id, token, clock.now) == "done"
    db.session.remove()
    expect(page.get_by_role("status")).to_contain_text("Ready.")
    expect(page.get_by_role("link", name="Check again")).to_be_hidden()
    with page.expect_download() as fetched:
        download.click()
    pdf = open(fetched.value.path(), "rb").read()
    assert sorted(decoded_tags(pdf)) == sorted(imported["tags"])
