"""The directory's figures endpoints: only counts go in, strictly checked; only admins read them back."""
from __future__ import annotations

import pytest

from services.directory.figures.service import iso_week
from tests.support.signed import SignedFlaskClient
from tests.conftest import SECRET

COUNT = {"need": "shelter", "region": "Utrecht", "matches": 1, "unmet": 1}


def test_a_counted_match_is_read_back_by_an_admin_in_the_week_it_was_made(caseworker, admin, clock):
    assert caseworker.post("/figures/matches", {"counts": [COUNT]}).status_code == 200
    assert caseworker.post("/figures/matches", {"counts": [dict(COUNT, unmet=0)]}).status_code == 200

    answer = admin.get("/figures")
    assert answer.status_code == 200
    assert answer.json["need_counts"] == [{"week": iso_week(clock.now), "need": "shelter", "region": "Utrecht",
                                           "matches": 2, "unmet": 1, "groups": 0, "group_people": 0,
                                           "group_unplaced": 0}]
    assert caseworker.get("/figures").status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"counts": [dict(COUNT, region="Amsterdam")]}, "region"),       # a municipality is never kept
    ({"counts": [dict(COUNT, matches=2)]}, "matches"),               # one match counts once
    ({"counts": [dict(COUNT, unmet="1")]}, "unmet"),                 # strict types
    ({"counts": [dict(COUNT, lat=52.09)]}, "lat"),                   # nothing but counts goes in
    ({"counts": [dict(COUNT, need="haircut")]}, "need"),
    ({"counts": [dict(COUNT, group_people=51)]}, "group_people"),
    ({"counts": []}, "counts"),
])
def test_anything_but_bounded_counts_of_a_known_need_and_province_is_refused_naming_the_field(caseworker, admin,
                                                                                             body, field):
    answer = caseworker.post("/figures/matches", body)
    assert answer.status_code == 400
    assert any(name.split(".")[-1] == field for name in answer.json["error"]["fields"])
    assert admin.get("/figures").json["need_counts"] == []


def test_providers_have_no_matches_to_count(directory_app):
    provider = SignedFlaskClient(directory_app, SECRET, "provider", provider_ids=("p1",))
    assert provider.post("/figures/matches", {"counts": [COUNT]}).status_code == 403
