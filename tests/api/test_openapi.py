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
    assert sources and all(s.startswith(("/vendor/swagger-ui/", "/ui/")) for s in sources), sources
    assert "<script>" not in page  # started from a file (/ui/api-docs.js): the CSP allows no inline script
    for source in sources:
        r = client.get(source)
        assert r.status_code == 200 and len(r.data) > 100, source


def test_label_urls_offer_signed_out_visitors_the_found_page_and_a_sign_in(client, world, make_asset):
    tablet = make_asset()
    page = client.get(f"/a/{tablet.tag}")
    assert page.status_code == 200 and "/sign-in?next=" in page.get_data(as_text=True)


def test_every_field_of_every_answer_has_a_type(client):
    """A field without a type (a bare Function or Dict) would let any value through schemathesis."""
    spec = client.get("/api/v1/openapi.json").json
    untyped = [
        f"{name}.{prop}"
        for name, schema in spec["components"]["schemas"].items()
        for prop, d in schema.get("properties", {}).items()
        if not ({"type", "$ref", "anyOf", "allOf"} & d.keys())
    ]
    assert untyped == []


def test_case_files_and_loans_are_typed_down_to_their_items(client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    detail = schemas["ParticipantDetail"]["properties"]
    assert detail["loans"]["items"]["$ref"].endswith("/CaseLoan")
    assert detail["data_plans"]["items"]["$ref"].endswith("/DataPlan")
    assert schemas["CaseLoan"]["properties"]["items"]["items"]["$ref"].endswith("/LoanItem")
    assert schemas["LoanItem"]["properties"]["returned_on"] == {"type": "string", "format": "date", "nullable": True}
    assert schemas["Loan"]["properties"]["issued_on"] == {"type": "string", "format": "date"}
    export = spec["paths"]["/api/v1/participants/{participant_id}/export"]["get"]["responses"]["200"]
    assert export["content"]["application/json"]["schema"]["$ref"].endswith("/SubjectAccessExport")
    assert schemas["SubjectAccessExport"]["properties"]["access_log"]["items"]["$ref"].endswith("/AccessRecord")
    assert schemas["AccessRecord"]["properties"]["user"] == {
        "type": "string",
        "nullable": True,
        "description": "who, by email; null for the command line, scheduler",
    }
    report = spec["paths"]["/api/v1/reports/outcomes"]["get"]["responses"]["200"]["content"]
    assert report["application/json"]["schema"]["$ref"].endswith("/OutcomeReport")
    assert schemas["OutcomeRow"]["properties"]["assets_issued"]["$ref"].endswith("/AssetsByType")
    assert schemas["AssetsByType"]["properties"]["tablet"] == {"type": "integer"}
