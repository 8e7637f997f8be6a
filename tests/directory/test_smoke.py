from tests.support.factories import provider


def test_admin_creates_and_caseworker_finds_a_provider(admin, caseworker):
    created = admin.post("/providers", provider(name="Huis Utrecht"))
    assert created.status_code == 201, created.json
    found = caseworker.get("/providers", q="huis", near="Amsterdam", radius_km=100)
    assert found.status_code == 200, found.json
    assert found.json["total_items"] == 1
    assert found.json["contents"][0]["distance_km"] > 30
