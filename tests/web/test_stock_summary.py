"""The stock page across many locations: each location's totals by status, linking to its table by type."""

from inventory.extensions import unit_of_work
from inventory.services import reference
from inventory.web.stock import DETAILED_LOCATIONS
from tests.web.conftest import sign_in


def test_many_locations_show_as_one_row_each_and_a_location_shows_its_types(client, world, make_asset):
    with unit_of_work():
        for n in range(DETAILED_LOCATIONS + 1):
            reference.create_location(code=f"HUB-X{n:02d}", name=f"Extra hub {n}", kind="hub", area="Halton")
    for n in range(DETAILED_LOCATIONS + 1):
        make_asset("tablet", location=f"HUB-X{n:02d}")
    make_asset("sim", location="HUB-X03")
    make_asset("laptop", location="HUB-X03")
    sign_in(client, "warehouse@test.example")
    page = client.get("/stock").get_data(as_text=True)
    assert "Held at each location" in page and "Items held at HUB-X03" not in page
    row = page.split('href="/stock?location=HUB-X03">')[1].split("</tr>")[0]
    assert "Extra hub 3 (HUB-X03)" in row and ">3</td>" in row  # three items in stock, whatever their type
    one = client.get("/stock?location=HUB-X03").get_data(as_text=True)
    assert "Held at each location" not in one and "Items held at HUB-X03, by type and status" in one
    assert "Items held at HUB-X04" not in one
