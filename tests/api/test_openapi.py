"""The OpenAPI document and the documentation page, served by the app with no CDN."""

import re


def test_the_openapi_document_describes_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    paths = spec["paths"]
    for path in (
        "/api/v1/assets",
        "/api/v1/assets/import",
        "/api/v1/scan",
        "/api/v1/kits",
        "/api/v1/stock",
        "/api/v1/assets/{tag}/retire",
        "/api/v1/auth/tokens",
        "/api/v1/health",
    ):
        assert path in paths, path
    assert paths["/api/v1/health"]["get"]["security"] == []
    create = paths["/api/v1/assets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["$ref"].endswith("AssetCreateArgs")
    assert "text/csv" in paths["/api/v1/assets/import"]["post"]["requestBody"]["content"]


def test_the_docs_page_loads_its_scripts_from_this_app(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/vendor/swagger-ui/") for s in sources), sources
    for source in sources:
        r = client.get(source)
        assert r.status_code == 200 and len(r.data) > 1000, source


def test_label_urls_ask_signed_out_visitors_to_sign_in(client, world, make_asset):
    tablet = make_asset()
    page = client.get(f"/a/{tablet.tag}")
    assert page.status_code == 302 and "/sign-in" in page.headers["Location"]
