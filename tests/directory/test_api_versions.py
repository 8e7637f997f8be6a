"""Versioned provider writes over the directory's API: ETag on every answer, If-Match on PUT and PATCH."""
from __future__ import annotations

import pytest

from tests.support.factories import provider


def _etag(response) -> str:
    tag = response.headers.get("ETag")
    assert tag and tag.startswith('"') and tag.endswith('"'), tag
    return tag


def test_reads_and_writes_of_a_provider_carry_its_etag(admin, create_provider, as_provider):
    created = admin.post("/providers", provider())
    provider_id = created.json["id"]
    first = _etag(created)
    assert _etag(admin.get(f"/providers/{provider_id}")) == first
    patched = _etag(admin.patch(f"/providers/{provider_id}", {"description": "anders"}))
    reported = _etag(as_provider(provider_id).put(f"/providers/{provider_id}/capacity", {"available": 2}))
    assert len({first, patched, reported}) == 3
    assert _etag(admin.get(f"/providers/{provider_id}")) == reported


def test_accepting_a_referral_changes_the_etag_and_holding_one_does_not(admin, create_provider, caseworker,
                                                                        as_provider):
    shelter = create_provider()
    before = _etag(admin.get(f"/providers/{shelter['id']}"))
    referral = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                              "case_reference": "versions-1"}).json
    assert _etag(admin.get(f"/providers/{shelter['id']}")) == before
    as_provider(shelter["id"]).post(f"/referrals/{referral['id']}/accept")
    assert _etag(admin.get(f"/providers/{shelter['id']}")) != before


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_with_the_current_etag_goes_through_and_a_stale_one_is_412(admin, create_provider, as_provider,
                                                                           method):
    shelter = create_provider()
    read = _etag(admin.get(f"/providers/{shelter['id']}"))
    as_provider(shelter["id"]).put(f"/providers/{shelter['id']}/capacity", {"available": 1})
    current = _etag(admin.get(f"/providers/{shelter['id']}"))

    def write(tag: str):
        if method == "PUT":
            return admin.put(f"/providers/{shelter['id']}", provider(id=shelter["id"], name="Nieuw"),
                             headers={"If-Match": tag})
        return admin.patch(f"/providers/{shelter['id']}", {"name": "Nieuw"}, headers={"If-Match": tag})

    stale = write(read)
    assert stale.status_code == 412
    error = stale.json["error"]
    assert error["code"] == "precondition_failed"
    assert list(error["fields"]) == ["If-Match"]
    assert "changed since you read it" in error["message"]
    assert admin.get(f"/providers/{shelter['id']}").json["name"] == shelter["name"]

    fresh = write(current)
    assert fresh.status_code == 200
    assert fresh.json["name"] == "Nieuw"
    assert _etag(fresh) not in (read, current)


def test_if_match_star_or_any_of_several_tags_matches_an_existing_provider(admin, create_provider):
    shelter = create_provider()
    current = _etag(admin.get(f"/providers/{shelter['id']}"))
    assert admin.patch(f"/providers/{shelter['id']}", {"name": "A"}, headers={"If-Match": "*"}).status_code == 200
    newer = _etag(admin.get(f"/providers/{shelter['id']}"))
    several = f'"999", {newer}, {current}'
    assert admin.patch(f"/providers/{shelter['id']}", {"name": "B"}, headers={"If-Match": several}).status_code == 200


def test_a_weak_tag_never_matches(admin, create_provider):
    shelter = create_provider()
    current = _etag(admin.get(f"/providers/{shelter['id']}"))
    response = admin.patch(f"/providers/{shelter['id']}", {"name": "A"}, headers={"If-Match": f"W/{current}"})
    assert response.status_code == 412


def test_put_with_if_match_on_a_provider_that_does_not_exist_is_412_and_creates_nothing(admin):
    body = provider()
    response = admin.put(f"/providers/{body['id']}", body, headers={"If-Match": "*"})
    assert response.status_code == 412
    assert admin.get(f"/providers/{body['id']}").status_code == 404


def test_patch_with_if_match_on_a_provider_that_does_not_exist_is_404(admin):
    response = admin.patch("/providers/00000000-0000-4000-8000-000000000000", {"name": "x"},
                           headers={"If-Match": '"1"'})
    assert response.status_code == 404


@pytest.mark.parametrize("header", ["3", '"3', "abc, *", '"3" "4"'])
def test_a_malformed_if_match_is_400_naming_the_header(admin, create_provider, header):
    shelter = create_provider()
    response = admin.patch(f"/providers/{shelter['id']}", {"name": "x"}, headers={"If-Match": header})
    assert response.status_code == 400
    assert list(response.json["error"]["fields"]) == ["If-Match"]
