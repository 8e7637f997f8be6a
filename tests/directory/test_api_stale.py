from tests.support.factories import provider


def test_admin_lists_providers_whose_capacity_is_older_than_a_day_oldest_first(admin, clock):
    old = admin.post("/providers", provider(name="Eerste Huis")).json
    clock.advance(hours=5)
    admin.post("/providers", provider(name="Tweede Huis"))
    clock.advance(hours=25)
    fresh = admin.post("/providers", provider(name="Vers Huis")).json

    answer = admin.get("/stale")

    assert answer.status_code == 200, answer.json
    names = [item["name"] for item in answer.json["contents"]]
    assert names == ["Eerste Huis", "Tweede Huis"]  # 30 h and 25 h old; "Vers Huis" is new
    assert answer.json["contents"][0]["id"] == old["id"]
    assert answer.json["contents"][0]["phone"] == "+31 30 000 0000"
    assert fresh["id"] not in {item["id"] for item in answer.json["contents"]}


def test_stale_threshold_is_a_query_parameter_with_bounds(admin, clock):
    admin.post("/providers", provider(name="Huis"))
    clock.advance(hours=3)
    assert admin.get("/stale", hours=2).json["total_items"] == 1
    assert admin.get("/stale", hours=4).json["total_items"] == 0
    refused = admin.get("/stale", hours=0)
    assert refused.status_code == 400 and "hours" in refused.json["error"]["fields"]


def test_only_admins_list_stale_providers(caseworker):
    assert caseworker.get("/stale").status_code == 403


def test_a_care_pool_whose_count_is_old_is_named_with_its_provider(admin, clock):
    shelter = admin.post("/providers", provider(
        name="Huis met zorg", services=["shelter", "medical"],
        service_capacity={"medical": {"available": 2, "maximum": 4, "unit": "appointment"}})).json
    clock.advance(hours=30)
    assert admin.put(f"/providers/{shelter['id']}/capacity", {"available": 1}).status_code == 200

    listed, = admin.get("/stale").json["contents"]

    assert (listed["id"], listed["available"], listed["age_hours"]) == (shelter["id"], 1, 30.0)
    assert [(pool["need"], pool["available"], pool["unit"], pool["age_hours"]) for pool in listed["pools"]] == [
        ("medical", 2, "appointment", 30.0)]
