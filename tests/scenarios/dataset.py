"""A small Dutch directory for the placement scenarios: the kinds of places a coordinator works with."""
from __future__ import annotations

from tests.support.factories import provider

ROTTERDAM = {"lat": 51.9225, "lon": 4.4792}
ARNHEM = {"lat": 51.98, "lon": 5.9111}
UTRECHT = {"lat": 52.0908, "lon": 5.1222}
AMSTERDAM = {"lat": 52.3740, "lon": 4.8897}
ZWOLLE = {"lat": 52.5125, "lon": 6.0944}
DEN_HAAG = {"lat": 52.0767, "lon": 4.2986}
GRONINGEN = {"lat": 53.2192, "lon": 6.5667}
ALL_GENDERS = ["female", "male", "non_binary"]
NON_DUTCH = ["reflection_period", "residence_permit", "undocumented", "unknown"]


def at(municipality: str, point: dict, *, confidential: bool = False) -> dict:
    return {"municipality": municipality, "region": "", **point, "confidential": confidential}


def rules(**overrides) -> dict:
    return {"genders": ALL_GENDERS, "min_age": 18, "max_age": 120, "accepts_children": False,
            "wheelchair_accessible": False, "exploitation_types": [], "residence_statuses": [], "countries": [],
            **overrides}


def beds(available: int, maximum: int) -> dict:
    return {"available": available, "maximum": maximum, "unit": "bed"}


def directory() -> list[dict]:
    """Shelters by category, outpatient care, lawyers, interpreters and return desks around the Randstad."""
    return [
        # Shelters for non-Dutch victims in the reflection period: women (and their children), men.
        provider(name="Reflection House Women Rotterdam", languages=["nl", "en", "pcm"],
                 location=at("Rotterdam", ROTTERDAM, confidential=True),
                 eligibility=rules(genders=["female"], min_age=18, accepts_children=True,
                                   exploitation_types=["sexual"], residence_statuses=NON_DUTCH,
                                   specialises_in=["pregnant"], target_groups=["reflection_period_non_dutch"]),
                 capacity=beds(3, 8), contact={"intake_hours": "24/7"}),
        provider(name="Reflection House Men Arnhem", languages=["nl", "en", "ro", "pl"],
                 location=at("Arnhem", ARNHEM, confidential=True),
                 eligibility=rules(genders=["male"], exploitation_types=["labour"], residence_statuses=NON_DUTCH,
                                   target_groups=["reflection_period_non_dutch"]),
                 capacity=beds(16, 20),
                 contact={"intake_hours": "evenings", "intake_opening_hours": "Mo-Su 17:00-23:00"}),
        # Municipal shelter for Dutch and EU adults (Social Support Act).
        provider(name="Women's Shelter Utrecht", languages=["nl", "en"],
                 location=at("Utrecht", UTRECHT, confidential=True),
                 eligibility=rules(genders=["female"], accepts_children=True, residence_statuses=["dutch", "eu"],
                                   target_groups=["dutch_eu_adults"], cannot_serve=["addiction"]),
                 capacity=beds(2, 12)),
        # A safe house only for LGBTQI+ people (asylum seekers among them go to asylum reception's own units).
        provider(name="Rainbow Safe House Amsterdam", languages=["nl", "en", "es"],
                 location=at("Amsterdam", AMSTERDAM, confidential=True),
                 eligibility=rules(specialises_in=["lgbtqi"], target_groups=["lgbtqi"],
                                   residence_statuses=NON_DUTCH + ["dutch", "eu"]), capacity=beds(2, 5)),
        # Complex needs: psychiatric problems, addiction, intellectual disability; scarce beds kept for them.
        provider(name="Complex Care House Den Haag", languages=["nl", "en"],
                 location=at("Den Haag", DEN_HAAG, confidential=True),
                 eligibility=rules(specialises_in=["psychiatric", "addiction", "intellectual_disability"],
                                   target_groups=["complex_needs"]), capacity=beds(2, 6)),
        # Protected shelter for Dutch minors, far from where most are recruited.
        provider(name="Youth Protected Shelter Groningen", languages=["nl", "en"],
                 location=at("Groningen", GRONINGEN, confidential=True),
                 eligibility=rules(genders=["female"], min_age=12, max_age=17, residence_statuses=["dutch", "eu"],
                                   target_groups=["minors"]), capacity=beds(2, 8)),
        # A shelter with accessible rooms that also runs an outpatient clinic (two needs, one provider).
        provider(name="Haven House Zwolle", languages=["nl", "en", "bg"], services=["shelter", "medical"],
                 location=at("Zwolle", ZWOLLE, confidential=True),
                 eligibility=rules(wheelchair_accessible=True, residence_statuses=NON_DUTCH + ["eu"]),
                 capacity=beds(2, 6), contact={"intake_opening_hours": "24/7"},
                 # Its clinic's places are counted apart from its beds (HSDS service_capacity).
                 service_capacity={"medical": {"available": 3, "maximum": 4, "unit": "appointment"}}),
        # Outpatient care: no beds, children are no concern of theirs.
        provider(name="Trauma Outpatient Utrecht", type="mental_health", services=["mental_health"],
                 languages=["nl", "en"], interpretation_languages=["ro", "pcm", "ti"],
                 location=at("Utrecht", UTRECHT), eligibility=rules(min_age=12),
                 capacity={"available": 6, "maximum": 20, "unit": "appointment"}),
        provider(name="GP Practice Rotterdam Zuid", type="medical", services=["medical"], languages=["nl", "en"],
                 location=at("Rotterdam", ROTTERDAM), eligibility=rules(min_age=0),
                 capacity={"available": 8, "maximum": 20, "unit": "appointment"}),
        # Lawyers: one only at its office up a flight of stairs, one that also works by phone and video.
        provider(name="Law Office Coolsingel", type="legal", services=["legal", "residence_status", "compensation"],
                 languages=["nl", "en"], location=at("Rotterdam", ROTTERDAM), eligibility=rules(min_age=0),
                 capacity={"available": 4, "maximum": 10, "unit": "case"}),
        provider(name="Legal Aid Desk Utrecht", type="legal", services=["legal", "residence_status"],
                 languages=["nl", "en", "ro"], delivery=["on_site", "remote"],
                 location=at("Utrecht", UTRECHT), eligibility=rules(min_age=0),
                 capacity={"available": 5, "maximum": 10, "unit": "case"}),
        # Interpreters: mostly by phone or video.
        provider(name="Phone Interpreters NL", type="interpreter", services=["interpreter"],
                 languages=["ro", "bg", "pcm", "en", "ti", "ar", "nl"], delivery=["remote"],
                 location=at("Den Haag", DEN_HAAG), eligibility=rules(min_age=0),
                 capacity={"available": 30, "maximum": 60, "unit": "hour"}),
        # An interpreter desk at the town hall, for the languages most staff speak anyway.
        provider(name="Town Hall Interpreters Utrecht", type="interpreter", services=["interpreter"],
                 languages=["en", "nl", "de"], location=at("Utrecht", UTRECHT), eligibility=rules(min_age=0),
                 capacity={"available": 10, "maximum": 20, "unit": "hour"}),
        # Return: a desk that also comes to the shelter.
        provider(name="Return Desk Randstad", type="repatriation", services=["repatriation"],
                 languages=["en", "ro", "bg", "nl"], delivery=["on_site", "outreach"],
                 location=at("Den Haag", DEN_HAAG), eligibility=rules(min_age=0, countries=["NG", "RO", "BG", "UA"]),
                 capacity={"available": 5, "maximum": 5, "unit": "case"}),
    ]
