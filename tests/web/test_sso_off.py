"""Without OIDC settings the sign-in page is as it was: passwords only, and no single sign-on routes."""

from tests.web.conftest import csrf_from, new_request_context


def test_without_single_sign_on_the_page_offers_passwords_only(client):
    page = client.get("/sign-in")
    html = page.get_data(as_text=True)
    assert "organisation account" not in html and 'name="password"' in html
    new_request_context()
    assert client.post("/sign-in/oidc", data={"csrf_token": csrf_from(page)}).status_code == 404
    assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404
