"""Scoring and explaining one candidate: pure functions, no HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.matcher.domain.geo import Area, Point
from services.matcher.domain.person import Person, failed_requirements
from services.matcher.domain.scoring import ScoringWeights, rank, score_candidate
from services.matcher.settings import MatcherSettings
from services.shared.reasons import reason as why

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
UTRECHT = Point(52.0907, 5.1214)


def view(**overrides) -> dict:
    """A provider as the directory's candidate list shows it."""
    record = {
        "id": overrides.pop("id", "00000000-0000-0000-0000-000000000001"), "name": "Shelter", "type": "shelter",
        "services": ["shelter"], "languages": ["nl"], "interpretation_languages": [], "status": "active",
        "location": {"municipality": "Utrecht", "lat": UTRECHT.lat, "lon": UTRECHT.lon, "precision_km": 0.0},
        "eligibility": {"genders": ["female", "male", "non_binary"], "min_age": 18, "max_age": 120,
                        "accepts_children": False, "wheelchair_accessible": False, "exploitation_types": [],
                        "residence_statuses": [], "countries": []},
        "capacity": {"available": 3, "free": 3, "unit": "bed", "updated": NOW.isoformat()},
    }
    for key, value in overrides.items():
        record[key] = {**record[key], **value} if isinstance(value, dict) else value
    return record


def person(**overrides) -> Person:
    return Person(**{"languages": ("nl",), "location": UTRECHT, **overrides})


def score(provider: dict, who: Person | None = None, distance: float = 5.0, weights=ScoringWeights(), need="shelter"):
    return score_candidate(who or person(), need, provider, distance, NOW, weights)


def test_staff_speaking_a_later_language_beats_an_interpreter_for_the_first():
    who = person(languages=("ti", "ar", "fr", "de", "es", "en"))

    staff = score(view(languages=["en"]), who)
    interpreted = score(view(interpretation_languages=["ti"]), who)

    assert staff.score > interpreted.score
    assert staff.staff_language == "en" and interpreted.staff_language is None
    assert why("language.interpreted", language="ti") in interpreted.reasons


def test_an_earlier_language_preference_is_slightly_better():
    who = person(languages=("ro", "en"))

    first, second = score(view(languages=["ro"]), who), score(view(languages=["en"]), who)

    assert 0 < first.score - second.score < 0.05
    assert first.reasons[0] == why("language.staff_speaks", language="ro")
    assert second.reasons[0] == why("language.staff_speaks_later", language="en", rank=2)


def test_no_shared_language_says_an_interpreter_is_needed():
    result = score(view(languages=["nl"]), person(languages=("ti",)))

    assert result.reasons[0] == why("language.interpreter_needed", language="ti")
    assert dict((f.name, f.value) for f in result.factors)["language"] == 0


def test_the_distance_factor_halves_every_half_life():
    weights = ScoringWeights(distance_half_life_km=20)

    factors = [dict((f.name, f.value) for f in score(view(), distance=d, weights=weights).factors)["distance"]
               for d in (0, 20, 40)]

    assert factors == pytest.approx([1.0, 0.5, 0.25])


@pytest.mark.parametrize(("age", "reason"), [
    (timedelta(minutes=20), why("freshness.confirmed_within_hour")),
    (timedelta(hours=3), why("freshness.confirmed_hours_ago", count=3)),
    (timedelta(hours=30), why("freshness.unconfirmed_hours", count=30)),
    (timedelta(days=3, hours=5), why("freshness.unconfirmed_days", count=3)),
])
def test_freshness_is_given_as_a_reason(age, reason):
    result = score(view(capacity={"updated": (NOW - age).isoformat()}))

    assert reason in result.reasons


def test_capacity_older_than_a_day_counts_much_less():
    values = []
    for age in (timedelta(hours=1), timedelta(hours=23), timedelta(hours=25), timedelta(days=6), timedelta(days=9)):
        result = score(view(capacity={"updated": (NOW - age).isoformat()}))
        values.append(dict((f.name, f.value) for f in result.factors)["freshness"])

    assert values == sorted(values, reverse=True)
    assert values[1] - values[2] > 0.3
    assert values[-1] == 0


def test_a_specialism_counts_only_when_the_exploitation_type_is_known():
    specialised = view(eligibility={"exploitation_types": ["labour"]})

    without_type = score(specialised)
    with_type = score(specialised, person(exploitation_type="labour"))
    other_type = score(specialised, person(exploitation_type="sexual"))

    assert "specialism" not in {f.name for f in without_type.factors}
    assert why("specialism.match", exploitation_type="labour") in with_type.reasons
    assert with_type.score > other_type.score
    assert why("specialism.other", exploitation_type="sexual") in other_type.reasons


@pytest.mark.parametrize(("unit", "free", "reason"), [
    ("bed", 2, why("headroom.beds", count=2)), ("bed", 1, why("headroom.beds", count=1)),
    ("appointment", 4, why("headroom.appointments", count=4)), ("case", 1, why("headroom.cases", count=1)),
    ("hour", 12, why("headroom.hours", count=12)), ("session", 2, why("headroom.places", count=2)),
])
def test_free_capacity_is_given_in_the_providers_unit(unit, free, reason):
    assert reason in score(view(capacity={"unit": unit, "free": free})).reasons


def test_more_free_places_score_a_little_higher():
    assert score(view(capacity={"free": 4})).score > score(view(capacity={"free": 1})).score


def test_weights_come_from_configuration():
    near_no_staff = view(id="a", languages=["nl"], interpretation_languages=["ro"])
    far_with_staff = view(id="b", languages=["ro"])
    who = person(languages=("ro",))
    by_distance = ScoringWeights(language=0, distance=1, freshness=0, specialism=0, headroom=0)

    default = rank([score(near_no_staff, who, 1), score(far_with_staff, who, 30)])
    distance_only = rank([score(near_no_staff, who, 1, by_distance), score(far_with_staff, who, 30, by_distance)])

    assert [c.provider_id for c in default] == ["b", "a"]
    assert [c.provider_id for c in distance_only] == ["a", "b"]


def test_weights_are_read_from_the_environment():
    settings = MatcherSettings.from_env({"HAVEN_INTERNAL_SECRET": "s", "HAVEN_MATCH_WEIGHT_LANGUAGE": "0.5",
                                         "HAVEN_MATCH_WEIGHT_HEADROOM": "0", "HAVEN_DIRECTORY_URL": "http://d:1"})

    assert settings.weights == ScoringWeights(language=0.5, headroom=0.0)
    assert settings.directory_url == "http://d:1"


@pytest.mark.parametrize("bad", ["-1", "nan", "lots"])
def test_a_bad_weight_stops_the_service_from_starting(bad):
    with pytest.raises(ValueError, match="HAVEN_MATCH_WEIGHT_LANGUAGE"):
        MatcherSettings.from_env({"HAVEN_INTERNAL_SECRET": "s", "HAVEN_MATCH_WEIGHT_LANGUAGE": bad})


@given(languages=st.lists(st.sampled_from(["nl", "en", "ro", "ti", "pl"]), min_size=1, max_size=5, unique=True),
       distance=st.floats(min_value=0, max_value=500), free=st.integers(min_value=0, max_value=50),
       hours=st.floats(min_value=0, max_value=400), exploitation=st.sampled_from([None, "labour", "sexual"]))
def test_every_score_lies_between_zero_and_one(languages, distance, free, hours, exploitation):
    provider = view(languages=["ro"], interpretation_languages=["ti"],
                    capacity={"free": free, "updated": (NOW - timedelta(hours=hours)).isoformat()})

    result = score(provider, person(languages=tuple(languages), exploitation_type=exploitation), distance)

    assert 0 <= result.score <= 1
    assert len(result.reasons) == len(result.factors)


def test_ties_go_to_the_nearer_then_to_the_lower_id():
    no_distance = ScoringWeights(distance=0)
    same = [score(view(id=i), distance=d, weights=no_distance) for i, d in (("c", 5), ("a", 5), ("b", 2))]

    assert [c.provider_id for c in rank(same)] == ["b", "a", "c"]


def test_a_provider_inside_an_area_to_avoid_fails_the_matchers_own_check():
    who = person(avoid=(Area(UTRECHT.lat, UTRECHT.lon, 2),))

    assert failed_requirements(who, "shelter", view(), NOW) == ["avoid"]


@pytest.mark.parametrize(("who", "provider", "failed"), [
    (person(gender="male"), view(eligibility={"genders": ["female"]}), ["gender"]),
    (person(age=16), view(), ["age"]),
    (person(accompanying_children=True), view(), ["children"]),
    (person(wheelchair=True), view(), ["wheelchair"]),
    (person(residence_status="asylum"), view(eligibility={"residence_statuses": ["eu"]}), ["residence_status"]),
    (person(residence_status="asylum"), view(), []),
    (person(max_distance_km=10, location=Point(UTRECHT.lat + 0.108, UTRECHT.lon)), view(), ["distance"]),
    (person(), view(capacity={"free": 0}), ["capacity"]),
])
def test_each_hard_filter_is_checked_again_by_the_matcher(who, provider, failed):
    assert failed_requirements(who, "shelter", provider, NOW) == failed


def test_a_return_only_goes_to_an_organisation_serving_the_country():
    office = view(services=["repatriation"], eligibility={"countries": ["RO"]})

    assert failed_requirements(person(origin_country="RO"), "repatriation", office, NOW) == []
    assert failed_requirements(person(origin_country="NG"), "repatriation", office, NOW) == ["return_country"]


def test_an_interpreter_must_offer_one_of_the_persons_languages():
    agency = view(services=["interpreter"], languages=["pl"], interpretation_languages=["uk"])

    assert failed_requirements(person(languages=("uk",)), "interpreter", agency, NOW) == []
    assert failed_requirements(person(languages=("ti",)), "interpreter", agency, NOW) == ["language"]


@given(languages=st.lists(st.sampled_from(["nl", "en", "ro", "ti", "ar"]), min_size=1, max_size=3, unique=True),
       staff=st.lists(st.sampled_from(["nl", "en", "ro", "ti", "ar"]), max_size=3, unique=True),
       interpreted=st.lists(st.sampled_from(["ro", "ti", "ar"]), max_size=2, unique=True),
       distance=st.floats(min_value=0, max_value=600), free=st.integers(min_value=0, max_value=40),
       age_hours=st.floats(min_value=0, max_value=400),
       exploitation=st.sampled_from([None, "sexual", "labour"]), served=st.lists(st.sampled_from(["sexual", "labour"])))
def test_a_candidate_scores_the_same_with_and_without_its_explanation(languages, staff, interpreted, distance, free,
                                                                      age_hours, exploitation, served):
    # Candidates are ranked unexplained and only the shown ones explained: the order must not change.
    provider = view(languages=staff, interpretation_languages=interpreted,
                    eligibility={"exploitation_types": served},
                    capacity={"free": free, "updated": (NOW - timedelta(hours=age_hours)).isoformat()})
    who = person(languages=tuple(languages), exploitation_type=exploitation)
    explained = score_candidate(who, "shelter", provider, distance, NOW, ScoringWeights())
    compared = score_candidate(who, "shelter", provider, distance, NOW, ScoringWeights(), explain=False)
    assert compared.score == explained.score
    assert [(f.name, f.value) for f in compared.factors] == [(f.name, f.value) for f in explained.factors]
    assert compared.staff_language == explained.staff_language


def test_an_interpreter_for_the_first_language_beats_one_for_a_language_already_shared_with_staff():
    who = person(languages=("ro", "en"))

    romanian = score(view(services=["interpreter"], languages=["ro"]), who, need="interpreter")
    english = score(view(services=["interpreter"], languages=["en"]), who, need="interpreter")

    assert romanian.score > english.score + 0.2
    assert why("interpreting.own", language="ro") in romanian.reasons


def test_a_remote_service_is_not_penalised_for_distance_but_a_shelter_is():
    remote = view(services=["interpreter", "shelter"], languages=["ro"], delivery=["remote"])

    far = score(remote, person(languages=("ro",)), distance=180, need="interpreter")
    bed = score(remote, person(languages=("ro",)), distance=180, need="shelter")

    assert dict((f.name, f.value) for f in far.factors)["distance"] == 1.0
    assert dict((f.name, f.value) for f in bed.factors)["distance"] < 0.01


def test_a_need_with_its_own_pool_is_scored_on_that_pool_not_on_the_beds():
    stale = (NOW - timedelta(days=3)).isoformat()
    shelter = view(services=["shelter", "medical"], capacity={"free": 1, "updated": stale})
    shelter["service_capacity"] = {"medical": {"available": 4, "free": 4, "unit": "appointment",
                                               "updated": NOW.isoformat()}}

    care = score(shelter, need="medical")
    beds = score(shelter, need="shelter")

    assert why("headroom.appointments", count=4) in care.reasons
    assert why("headroom.beds", count=1) in beds.reasons
    assert dict((f.name, f.value) for f in care.factors)["freshness"] > dict(
        (f.name, f.value) for f in beds.factors)["freshness"]
    assert care.score > beds.score
    # A need without its own pool reads the main capacity.
    assert score(view(services=["shelter", "legal"], capacity={"free": 2}), need="legal").reasons[-1] == why("headroom.beds", count=2)
