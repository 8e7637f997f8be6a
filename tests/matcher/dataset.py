"""A fixed set of providers around Utrecht for the matching scenarios."""
from __future__ import annotations

from datetime import datetime, timedelta

from tests.support.factories import provider

UTRECHT = {"lat": 52.0907, "lon": 5.1214}
ZEIST = {"lat": 52.0894, "lon": 5.2333}
NIEUWEGEIN = {"lat": 52.0294, "lon": 5.0806}
AMERSFOORT = {"lat": 52.1561, "lon": 5.3878}
HILVERSUM = {"lat": 52.2292, "lon": 5.1669}
HOUTEN = {"lat": 52.0333, "lon": 5.1681}
AMSTERDAM = {"lat": 52.3676, "lon": 4.9041}
ALL_GENDERS = ["female", "male", "non_binary"]


def at(municipality: str, point: dict, *, confidential: bool = False) -> dict:
    return {"municipality": municipality, "region": "", **point, "confidential": confidential}


def eligibility(**overrides) -> dict:
    return {"genders": ALL_GENDERS, "min_age": 18, "max_age": 120, "accepts_children": False,
            "wheelchair_accessible": False, "exploitation_types": [], "residence_statuses": [], "countries": [],
            **overrides}


def fixed_dataset(now: datetime) -> list[dict]:
    fresh = {"available": 3, "maximum": 10, "unit": "bed"}
    return [
        provider(name="Adults Only Utrecht", location=at("Utrecht", UTRECHT, confidential=True),
                 eligibility=eligibility(), capacity=fresh),
        provider(name="Youth House Zeist", location=at("Zeist", ZEIST, confidential=True),
                 eligibility=eligibility(min_age=12, max_age=17), capacity=fresh),
        provider(name="Women's House Amersfoort", languages=["nl", "en", "ro"],
                 location=at("Amersfoort", AMERSFOORT, confidential=True),
                 eligibility=eligibility(genders=["female"], accepts_children=True, exploitation_types=["sexual"]),
                 capacity={"available": 2, "maximum": 8, "unit": "bed"}),
        provider(name="Men's House Nieuwegein", languages=["nl", "en", "pl"],
                 location=at("Nieuwegein", NIEUWEGEIN, confidential=True),
                 eligibility=eligibility(genders=["male"], exploitation_types=["labour"]),
                 capacity={"available": 2, "maximum": 6, "unit": "bed"}),
        provider(name="Family Shelter Hilversum", interpretation_languages=["ro", "ti"],
                 location=at("Hilversum", HILVERSUM, confidential=True),
                 eligibility=eligibility(min_age=0, accepts_children=True, wheelchair_accessible=True),
                 capacity={"available": 1, "maximum": 4, "unit": "bed"}),
        provider(name="Quiet House Houten", location=at("Houten", HOUTEN, confidential=True),
                 eligibility=eligibility(),
                 capacity={**fresh, "updated": (now - timedelta(days=3)).isoformat()}),
        provider(name="Romanian Law Desk", type="legal", services=["legal", "residence_status", "compensation"],
                 languages=["nl", "ro"], location=at("Amersfoort", AMERSFOORT), eligibility=eligibility(min_age=0),
                 capacity={"available": 3, "maximum": 10, "unit": "case"}),
        provider(name="Near Law Office", type="legal", services=["legal"], languages=["nl", "en"],
                 interpretation_languages=["ro"], location=at("Utrecht", UTRECHT), eligibility=eligibility(min_age=0),
                 capacity={"available": 3, "maximum": 10, "unit": "case"}),
        provider(name="Central Clinic Utrecht", type="medical", services=["medical"], languages=["nl", "en", "ro"],
                 location=at("Utrecht", UTRECHT), eligibility=eligibility(min_age=0),
                 capacity={"available": 10, "maximum": 20, "unit": "appointment"}),
        provider(name="Clinic Amersfoort", type="medical", services=["medical"], languages=["nl", "en", "ro"],
                 location=at("Amersfoort", AMERSFOORT), eligibility=eligibility(min_age=0),
                 capacity={"available": 10, "maximum": 20, "unit": "appointment"}),
        provider(name="Return Office West Africa", type="repatriation", services=["repatriation"],
                 languages=["en", "fr"], location=at("Utrecht", UTRECHT),
                 eligibility=eligibility(min_age=0, countries=["NG", "GH"]),
                 capacity={"available": 5, "maximum": 5, "unit": "case"}),
        provider(name="Return Office Eastern Europe", type="repatriation", services=["repatriation"],
                 languages=["en", "ro", "bg"], location=at("Amsterdam", AMSTERDAM),
                 eligibility=eligibility(min_age=0, countries=["RO", "BG"]),
                 capacity={"available": 5, "maximum": 5, "unit": "case"}),
        provider(name="Tigrinya Interpreters", type="interpreter", services=["interpreter"],
                 languages=["ti", "en", "nl"], location=at("Utrecht", UTRECHT), eligibility=eligibility(min_age=0),
                 capacity={"available": 20, "maximum": 40, "unit": "hour"}),
        provider(name="Polish Interpreters", type="interpreter", services=["interpreter"], languages=["pl", "nl"],
                 location=at("Utrecht", UTRECHT), eligibility=eligibility(min_age=0),
                 capacity={"available": 20, "maximum": 40, "unit": "hour"}),
    ]
