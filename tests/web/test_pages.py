"""The web pages, server side: sign-in with CSRF, back to where you were going, the asset page a label
opens (by role), sign-out and the idle timeout. (The same journeys in a real browser: tests/browser.)"""

from datetime import timedelta

from tests.web.conftest import csrf_from, sign_in


def test_a_label_opens_the_found_page_with_a_sign_in_link_and_then_the_asset(client, world, make_asset):
    tablet = make_asset("tablet", serial="R9SERIAL01")
    first = client.get(f"/A/{tablet.tag}")
    link = first.get_data(as_text=True).replace("%2F", "/")
    assert first.status_code == 200 and f"/sign-in?next=/A/{tablet.tag}" in link
    assert "R9SERIAL01" not in first.get_data(as_text=True)
    signed = sign_in(client, "warehouse@test.example", f"/A/{tablet.tag}")
    assert signed.status_code == 302 and signed.headers["Location"] == f"/A/{tablet.tag}"
    page = client.get(f"/A/{tablet.tag}").get_data(as_text=True)
    assert tablet.tag in page and "In stock" in page and "R9SERIAL01" in page
    assert "in_stock" not in page  # words people use, not the database's
    assert "History" in page and "Receive" in page  # the delivery that brought it
    assert "Move it" in page and "Put it in quarantine" in page and "Retire it" in page
    assert "Download a replacement label" in page


def test_a_partner_sees_stock_fields_of_their_own_hubs_only(client, world, make_asset):
    here = make_asset("chair", location="HUB-A", serial="CH-SECRET-1")
    elsewhere = make_asset("chair", location="HUB-B")
    sign_in(client, "partner@test.example")
    page = client.get(f"/a/{here.tag}").get_data(as_text=True)
    assert here.tag in page and "HUB-A" in page
    assert "CH-SECRET-1" not in page and "History" not in page
    assert client.get(f"/a/{elsewhere.tag}").status_code == 404


def test_a_mistyped_tag_says_so(client, world, make_asset):
    tag = make_asset().tag
    sign_in(client, "advocate@test.example")
    typo = tag[:-1] + ("2" if tag[-1] != "2" else "3")
    page = client.get(f"/a/{typo}")
    assert page.status_code == 422 and "failed its check character" in page.get_data(as_text=True)


def test_sign_in_needs_the_csrf_token_and_the_right_password(client, world):
    refused = client.post("/sign-in", data={"email": "admin@test.example", "password": "correct horse battery"})
    assert refused.status_code == 400
    wrong = sign_in(client, "admin@test.example", password="nope")
    assert wrong.status_code == 401 and "The email or password is wrong" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_no_open_redirect_after_sign_in(client, world):
    signed = sign_in(client, "admin@test.example", "https://evil.example/phish")
    assert signed.headers["Location"] == "/"


def test_sign_out_is_a_post_with_csrf(client, world, make_asset):
    tag = make_asset().tag
    sign_in(client, "admin@test.example")
    home = client.get("/")
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400  # no token
    assert client.post("/sign-out", data={"csrf_token": csrf_from(home)}).status_code == 302
    assert "Have you found this?" in client.get(f"/a/{tag}").get_data(as_text=True)  # the public page
    assert client.get("/stock").status_code == 302


def test_idle_sessions_are_signed_out(app, client, world, make_asset):
    tag = make_asset().tag
    sign_in(client, "admin@test.example")
    assert client.get(f"/a/{tag}").status_code == 200
    app.config["CLOCK"].advance(timedelta(minutes=app.config["WEB_IDLE_MINUTES"] - 1))
    assert client.get(f"/a/{tag}").status_code == 200  # activity restarts the count
    app.config["CLOCK"].advance(timedelta(minutes=app.config["WEB_IDLE_MINUTES"], seconds=1))
    expired = client.get(f"/a/{tag}")
    assert expired.status_code == 302 and "/sign-in" in expired.headers["Location"]
    assert "without activity" in client.get(expired.headers["Location"]).get_data(as_text=True)


def test_the_api_still_takes_tokens_without_csrf(client, world):
    r = client.post("/api/v1/organisations", json={"code": "WEBTEST", "name": "W"}, headers=world.headers["admin"])
    assert r.status_code == 201, r.get_json()
    assert client.get("/api/v1/organisations/WEBTEST", headers=world.headers["admin"]).get_json()["name"] == "W"


def test_the_stock_page_shows_ready_kits_by_template_beside_the_items(client, world, make_asset):
    from inventory.extensions import unit_of_work
    from inventory.services import kits

    items = [make_asset("tablet", location="HUB-A").tag, make_asset("sim", location="HUB-A").tag]
    with unit_of_work():
        kits.build_kit(items, world.warehouse, template="DII-TABLET")
    sign_in(client, "partner@test.example")
    page = client.get("/stock").get_data(as_text=True)
    assert "Ready kits: DII-TABLET <strong>1</strong>" in page
    assert "Ready kits across the network" in page


def test_what_someone_typed_shows_as_text_in_an_assets_details_never_as_markup(client, world, make_asset):
    tablet = make_asset("tablet", make="<b>Bold</b> & Co", model='Tab"><img src=x>')
    sign_in(client, "warehouse@test.example")
    page = client.get(f"/a/{tablet.tag}").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page and "<b>Bold</b>" not in page
    assert "<img src=x>" not in page
