"""Search through the port: every filter, text, distances, confidential points and pagination."""
from __future__ import annotations

import pytest

from services.directory.domain.queries import SearchQuery
from services.shared.geo import coarsen
from tests.contract.geo_points import corner_of_cell, km_between, point_at
from tests.contract.records import ids

ORIGIN = (52.0, 5.0)


def search(directory, **query):
    return directory.store.search(SearchQuery(**query), directory.clock.now)


def at(point: tuple[float, float], **location) -> dict:
    return {"lat": point[0], "lon": point[1], **location}


# -- status ----------------------------------------------------------------------------------

def test_inactive_and_temporarily_closed_providers_are_left_out_by_default(directory):
    active = directory.add(status="active")
    directory.add(status="inactive")
    directory.add(status="temporarily_closed")
    assert ids(search(directory)) == [active["id"]]
    assert search(directory).total == 1


def test_include_inactive_lists_every_status(directory):
    added = {directory.add(status=status)["id"] for status in ("active", "inactive", "temporarily_closed")}
    assert set(ids(search(directory, include_inactive=True))) == added


# -- attribute filters -----------------------------------------------------------------------

def test_a_list_of_types_matches_any_of_them(directory):
    shelter = directory.add(type="shelter")
    legal = directory.add(type="legal", services=["legal"])
    directory.add(type="medical", services=["medical"])
    assert set(ids(search(directory, types=("shelter", "legal")))) == {shelter["id"], legal["id"]}
    assert ids(search(directory, types=("legal",))) == [legal["id"]]


def test_need_matches_any_service_a_provider_lists(directory):
    both = directory.add(type="legal", services=["legal", "compensation"])
    directory.add(type="legal", services=["legal"])
    assert ids(search(directory, need="compensation")) == [both["id"]]


def test_language_matches_staff_languages(directory):
    romanian = directory.add(languages=["nl", "ro"])
    directory.add(languages=["nl", "bg"])
    assert ids(search(directory, language="ro")) == [romanian["id"]]


def test_language_matches_languages_offered_through_an_interpreter(directory):
    interpreted = directory.add(languages=["nl"], interpretation_languages=["ti", "pcm"])
    directory.add(languages=["nl"], interpretation_languages=["ar"])
    assert ids(search(directory, language="pcm")) == [interpreted["id"]]


def test_a_provider_with_the_language_in_both_lists_appears_once(directory):
    both = directory.add(languages=["uk"], interpretation_languages=["uk"])
    page = search(directory, language="uk")
    assert ids(page) == [both["id"]]
    assert page.total == 1


def test_gender_keeps_providers_that_accept_it(directory):
    women_only = directory.add(eligibility={"genders": ["female"]})
    men_only = directory.add(eligibility={"genders": ["male"]})
    everyone = directory.add()
    assert set(ids(search(directory, gender="female"))) == {women_only["id"], everyone["id"]}
    assert set(ids(search(directory, gender="male"))) == {men_only["id"], everyone["id"]}
    assert ids(search(directory, gender="non_binary")) == [everyone["id"]]


@pytest.mark.parametrize(("age", "found"), [(17, False), (18, True), (25, True), (26, False)])
def test_age_is_inside_the_range_with_both_ends_included(directory, age, found):
    young_adults = directory.add(eligibility={"min_age": 18, "max_age": 25})
    assert (ids(search(directory, age=age)) == [young_adults["id"]]) is found


def test_filters_combine_so_every_one_must_hold(directory):
    match = directory.add(services=["shelter"], languages=["ro"], eligibility={"genders": ["female"]})
    directory.add(services=["shelter"], languages=["bg"], eligibility={"genders": ["female"]})
    directory.add(services=["shelter"], languages=["ro"], eligibility={"genders": ["male"]})
    directory.add(type="medical", services=["medical"], languages=["ro"], eligibility={"genders": ["female"]})
    assert ids(search(directory, need="shelter", language="ro", gender="female")) == [match["id"]]


# -- free capacity ---------------------------------------------------------------------------

def test_available_only_leaves_out_providers_reporting_nothing_free(directory):
    free = directory.add(capacity={"available": 2})
    directory.add(capacity={"available": 0})
    assert ids(search(directory, available_only=True)) == [free["id"]]
    assert len(ids(search(directory))) == 2


def test_available_only_subtracts_pending_holds_from_reported_units(directory):
    one_unit = directory.add(capacity={"available": 1})
    two_units = directory.add(capacity={"available": 2})
    directory.refer(one_unit["id"])
    directory.refer(two_units["id"])
    assert ids(search(directory, available_only=True)) == [two_units["id"]]


def test_available_only_counts_a_hold_again_once_it_has_expired(directory):
    one_unit = directory.add(capacity={"available": 1})
    directory.refer(one_unit["id"], minutes=30)
    directory.clock.advance(minutes=29, seconds=59)
    assert ids(search(directory, available_only=True)) == []
    directory.clock.advance(seconds=1)
    assert ids(search(directory, available_only=True)) == [one_unit["id"]]


# -- text ------------------------------------------------------------------------------------

def test_text_without_accents_finds_a_description_with_them(directory):
    accented = directory.add(description="Coördinatie van zorg voor slachtoffers")
    directory.add(description="Juridische bijstand")
    assert ids(search(directory, text="coordinatie")) == [accented["id"]]


def test_text_with_accents_finds_a_description_without_them(directory):
    plain = directory.add(description="Coordinatie van opvang")
    directory.add(description="Medische zorg")
    assert ids(search(directory, text="coördinatie")) == [plain["id"]]


def test_text_finds_dutch_words_and_their_longer_forms(directory):
    dutch = directory.add(description="Veilige opvang voor slachtoffers van mensenhandel")
    directory.add(description="Advocaat voor arbeidsrecht")
    assert ids(search(directory, text="mensenhandel")) == [dutch["id"]]
    assert ids(search(directory, text="slachtoffer")) == [dutch["id"]]


def test_text_finds_english_words_and_their_inflections(directory):
    english = directory.add(description="Safe housing for victims of human trafficking")
    directory.add(description="Interpreters on call")
    assert ids(search(directory, text="victim")) == [english["id"]]
    assert ids(search(directory, text="trafficked")) == [english["id"]]


def test_every_word_of_the_text_must_match(directory):
    both = directory.add(description="veilige opvang in de stad")
    directory.add(description="veilige haven")
    directory.add(description="opvang op het platteland")
    assert ids(search(directory, text="veilige opvang")) == [both["id"]]


def test_text_matches_name_organisation_and_municipality(directory):
    by_name = directory.add(name="Huis Zonnebloem", description="")
    by_organisation = directory.add(organization="Stichting Kompas", description="")
    by_municipality = directory.add(location={"municipality": "Dordrecht"}, description="")
    assert ids(search(directory, text="zonnebloem")) == [by_name["id"]]
    assert ids(search(directory, text="kompas")) == [by_organisation["id"]]
    assert ids(search(directory, text="dordrecht")) == [by_municipality["id"]]


def test_a_name_match_ranks_before_a_description_match(directory):
    in_description = directory.add(name="Aaa", description="hier werkt een tolk")
    in_name = directory.add(name="Zzz Tolk", description="vertaling")
    assert ids(search(directory, text="tolk")) == [in_name["id"], in_description["id"]]


@pytest.mark.parametrize("text", ['"unbalanced', "NEAR(a b)", "opvang OR *", "a AND", "-minus", "col:on", "(((", "!!!"])
def test_query_syntax_in_text_is_taken_as_plain_words_and_never_fails(directory, text):
    directory.add(description="opvang")
    page = search(directory, text=text)
    assert page.total == len(page.items)


def test_text_combines_with_the_other_filters(directory):
    match = directory.add(description="opvang", languages=["ro"])
    directory.add(description="opvang", languages=["bg"])
    directory.add(description="kliniek", languages=["ro"])
    assert ids(search(directory, text="opvang", language="ro")) == [match["id"]]


# -- near and radius -------------------------------------------------------------------------

@pytest.mark.parametrize("bearing", [0, 90, 180, 270, 45])
def test_the_radius_includes_a_provider_just_inside_it_and_excludes_one_just_outside(directory, bearing):
    point = point_at(ORIGIN, 49.99, bearing)
    on_edge = directory.add(location=at(point))
    exact = km_between(point, ORIGIN)
    assert ids(search(directory, near=ORIGIN, radius_km=exact + 0.001)) == [on_edge["id"]]
    assert ids(search(directory, near=ORIGIN, radius_km=exact - 0.001)) == []


def test_a_provider_exactly_at_the_radius_is_included(directory):
    point = point_at(ORIGIN, 30.0, 0)
    on_edge = directory.add(location=at(point))
    assert ids(search(directory, near=ORIGIN, radius_km=km_between(point, ORIGIN))) == [on_edge["id"]]


def test_search_near_a_point_orders_by_distance_and_reports_it(directory):
    far = directory.add(name="A far", location=at(point_at(ORIGIN, 40, 10)))
    near = directory.add(name="Z near", location=at(point_at(ORIGIN, 5, 200)))
    middle = directory.add(name="M middle", location=at(point_at(ORIGIN, 20, 300)))

    page = search(directory, near=ORIGIN)

    assert ids(page) == [near["id"], middle["id"], far["id"]]
    assert [round(d, 1) for _, d in page.items] == [5.0, 20.0, 40.0]


def test_search_without_near_reports_no_distance(directory):
    directory.add()
    assert [d for _, d in search(directory).items] == [None]


def test_a_radius_search_keeps_distance_order_and_leaves_out_what_lies_beyond(directory):
    inside = [directory.add(location=at(point_at(ORIGIN, km, 33 * km))) for km in (12, 3, 8)]
    directory.add(location=at(point_at(ORIGIN, 16, 0)))
    page = search(directory, near=ORIGIN, radius_km=15)
    assert ids(page) == [inside[1]["id"], inside[2]["id"], inside[0]["id"]]
    assert page.total == 3


def test_a_confidential_provider_is_found_by_radius_around_its_coarse_point_not_its_exact_one(directory):
    exact = corner_of_cell(*ORIGIN)
    coarse = coarsen(*exact)
    hidden = directory.add(location=at(exact, confidential=True))
    assert km_between(exact, coarse) > 3

    assert ids(search(directory, near=coarse, radius_km=0.5)) == [hidden["id"]]
    assert ids(search(directory, near=exact, radius_km=1.0)) == []


def test_a_confidential_provider_is_at_its_coarse_distance(directory):
    exact = corner_of_cell(*ORIGIN)
    directory.add(location=at(exact, confidential=True))
    probe = point_at(coarsen(*exact), 10, 180)
    [(_, distance)] = search(directory, near=probe).items
    assert distance == pytest.approx(km_between(coarsen(*exact), probe), abs=0.01)
    assert abs(distance - km_between(exact, probe)) > 1


def test_a_provider_that_is_not_confidential_is_at_its_exact_distance(directory):
    exact = corner_of_cell(*ORIGIN)
    directory.add(location=at(exact, confidential=False))
    probe = point_at(ORIGIN, 10, 180)
    [(_, distance)] = search(directory, near=probe).items
    assert distance == pytest.approx(km_between(exact, probe), abs=0.01)


def test_the_stored_confidential_record_keeps_its_exact_point(directory):
    exact = corner_of_cell(*ORIGIN)
    hidden = directory.add(location=at(exact, confidential=True, address="Geheimstraat 9"))
    [(found, _)] = search(directory, near=ORIGIN).items
    # The store returns the whole record; coarsening for the viewer happens above it.
    assert (found["location"]["lat"], found["location"]["lon"]) == exact
    assert directory.get(hidden["id"])["location"]["address"] == "Geheimstraat 9"


# -- order and pagination --------------------------------------------------------------------

def _name_then_id(records):
    return [r["id"] for r in sorted(records, key=lambda r: (r["name"].casefold(), r["id"]))]


def test_without_text_or_near_results_come_by_name_with_ties_broken_by_id(directory):
    added = [directory.add(name=name) for name in ("beta", "Alpha", "gamma", "alpha", "Beta", "alpha")]
    assert ids(search(directory)) == _name_then_id(added)


def test_pages_together_hold_every_match_once_in_one_stable_order(directory):
    added = [directory.add(name=f"Huis {n % 4}") for n in range(23)]
    pages = [search(directory, page=number, size=5) for number in range(1, 6)]

    assert [p.total for p in pages] == [23] * 5
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for p in pages for i in ids(p)] == _name_then_id(added)


def test_a_page_beyond_the_last_is_empty_but_still_counts_the_total(directory):
    for _ in range(3):
        directory.add()
    page = search(directory, page=3, size=2)
    assert page.items == []
    assert page.total == 3


def test_an_empty_result_counts_zero(directory):
    directory.add(services=["shelter"])
    page = search(directory, need="repatriation")
    assert (page.items, page.total) == ([], 0)


def test_equally_near_providers_are_ordered_by_name_then_id_across_pages(directory):
    same_place = at(point_at(ORIGIN, 7, 90))
    added = [directory.add(name="Gelijk" if n % 2 else "Anders", location=same_place) for n in range(9)]
    pages = [search(directory, near=ORIGIN, radius_km=10, page=n, size=4) for n in (1, 2, 3)]
    assert [i for p in pages for i in ids(p)] == _name_then_id(added)
    assert pages[0].total == 9


def test_pagination_with_a_filter_counts_only_the_matches(directory):
    matches = [directory.add(languages=["ro"], name=f"R{n}") for n in range(7)]
    for n in range(5):
        directory.add(languages=["bg"], name=f"B{n}")
    first, second = search(directory, language="ro", size=4), search(directory, language="ro", size=4, page=2)
    assert (first.total, second.total) == (7, 7)
    assert ids(first) + ids(second) == _name_then_id(matches)


def test_text_results_page_without_duplicates_or_gaps(directory):
    added = [directory.add(name=f"Opvang {n}", description="opvang " * (n % 3 + 1)) for n in range(11)]
    pages = [search(directory, text="opvang", size=3, page=n) for n in range(1, 5)]
    seen = [i for p in pages for i in ids(p)]
    assert sorted(seen) == sorted(r["id"] for r in added)
    assert len(set(seen)) == 11


@pytest.mark.parametrize("narrowest", ["language", "need", "radius"])
def test_combined_filters_give_the_same_answer_whichever_is_narrowest(directory, narrowest):
    # Many providers pass the two wide filters and few the narrow one, so a store that starts from
    # the narrowest filter and one that starts from the map must agree.
    wide = {"languages": ["nl"], "services": ["shelter", "medical"], "location": at(point_at(ORIGIN, 5, 0))}
    narrow = {"language": {"languages": ["ti"]}, "need": {"services": ["shelter", "compensation"]},
              "radius": {"location": at(point_at(ORIGIN, 5, 0))}}[narrowest]
    far = at(point_at(ORIGIN, 80, 90))
    for n in range(12):
        fields = dict(wide, name=f"Breed {n}")
        if narrowest == "radius":
            fields["location"] = far
        directory.add(**fields)
    matches = [directory.add(**{**wide, **narrow, "name": f"Smal {n}"}) for n in range(3)]
    if narrowest != "radius":
        directory.add(**{**wide, **narrow, "name": "Te ver", "location": far})
    query = {"language": {"language": "ti"}, "need": {"need": "compensation"}, "radius": {}}[narrowest]
    base = {"language": "nl", "need": "shelter", "near": ORIGIN, "radius_km": 20}
    page = search(directory, **{**base, **query})
    assert sorted(ids(page)) == sorted(r["id"] for r in matches)
    assert page.total == 3
