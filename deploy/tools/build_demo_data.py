"""Build services/directory/data/demo_providers.json: fictional providers at real Dutch places, deterministic."""
from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from services.shared.places import fold_name, resolve_place

OUTPUT = Path(__file__).resolve().parents[2] / "services" / "directory" / "data" / "demo_providers.json"
SEED = 20261128
REFERENCE_TIME = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-5e4f-9a10-4861c0de2026")
ALL_GENDERS = ["female", "male", "non_binary"]
UNITS = {"shelter": "bed", "medical": "appointment", "mental_health": "appointment", "legal": "case",
         "interpreter": "hour", "repatriation": "case"}

# Telephone area code and the range of four-digit postal codes of each municipality used below.
MUNICIPALITIES = {
    "Amsterdam": ("20", 1011, 1109), "Rotterdam": ("10", 3011, 3089), "Den Haag": ("70", 2511, 2599),
    "Utrecht": ("30", 3511, 3585), "Haarlem": ("23", 2011, 2037), "Leiden": ("71", 2311, 2334),
    "Delft": ("15", 2611, 2629), "Zoetermeer": ("79", 2711, 2729), "Dordrecht": ("78", 3311, 3329),
    "Gouda": ("182", 2801, 2809), "Alkmaar": ("72", 1811, 1827), "Hoorn": ("229", 1621, 1628),
    "Zaandam": ("75", 1501, 1509), "Hilversum": ("35", 1211, 1223), "Almere": ("36", 1311, 1363),
    "Lelystad": ("320", 8211, 8245), "Amersfoort": ("33", 3811, 3829), "Groningen": ("50", 9711, 9747),
    "Leeuwarden": ("58", 8911, 8939), "Sneek": ("515", 8601, 8608), "Assen": ("592", 9401, 9409),
    "Emmen": ("591", 7811, 7826), "Zwolle": ("38", 8011, 8043), "Enschede": ("53", 7511, 7548),
    "Deventer": ("570", 7411, 7429), "Arnhem": ("26", 6811, 6846), "Nijmegen": ("24", 6511, 6546),
    "Apeldoorn": ("55", 7311, 7339), "Eindhoven": ("40", 5611, 5658), "Tilburg": ("13", 5011, 5049),
    "Breda": ("76", 4811, 4839), "'s-Hertogenbosch": ("73", 5211, 5237), "Maastricht": ("43", 6211, 6229),
    "Heerlen": ("45", 6411, 6422), "Venlo": ("77", 5911, 5928), "Middelburg": ("118", 4331, 4339),
    "Goes": ("113", 4461, 4465), "Schiedam": ("10", 3111, 3125),
}

STREETS = (
    "Lindenlaan", "Kastanjelaan", "Molenstraat", "Kerkstraat", "Stationsweg", "Parkweg", "Beukenlaan",
    "Julianastraat", "Wilhelminaweg", "Nieuwe Gracht", "Oranjestraat", "Havenkade", "Sportlaan",
    "Schoolstraat", "Eikenlaan", "Berkenweg", "Populierenlaan", "Zonnebloemstraat", "Tulpstraat",
    "Hoofdstraat", "Vondelstraat", "Rembrandtlaan", "Spoorstraat", "Dijkweg", "Emmalaan", "Prins Hendrikkade",
    "Burgemeester de Vrieslaan", "Weverstraat", "Koningin Julianaplein", "Vlietweg", "Singel",
    "Bloemendaalseweg", "Willemsplein", "Van Goghstraat", "Marnixlaan", "Esdoornstraat",
)

# Kinds of provider: what every provider of a kind has in common. Each provider below may override any key.
KINDS: dict[str, dict] = {
    "reflection_women": dict(
        type="shelter", organization="Stichting Lindenhof", services=["shelter"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "hu", "pcm", "bin", "ti", "ar", "vi", "zh", "th"],
        genders=["female"], min_age=18, max_age=120, accepts_children=True, exploitation_types=["sexual", "labour"],
        residence_statuses=["eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown"],
        maximum=(8, 16), confidential=True, intake_hours="24/7 via de landelijke coördinatie", hold_minutes=240,
        description=("Beschermde opvang op een geheim adres voor vrouwen in de bedenktijd, met hun kinderen. "
                     "Begeleiding door een vaste mentor; tolken via het raamcontract."),
    ),
    "men_families": dict(
        type="shelter", organization="Stichting Vaste Grond", services=["shelter"],
        languages=["nl", "en", "pl"], interpretation_languages=["ro", "bg", "uk", "vi", "ar", "ti", "pcm"],
        genders=["male"], min_age=18, max_age=120, accepts_children=False, exploitation_types=["labour", "criminal"],
        residence_statuses=["eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown"],
        maximum=(8, 14), confidential=True, intake_hours="24/7", hold_minutes=240,
        description=("Safe house for men freed from labour or criminal exploitation, during the reflection "
                     "period and after. Staff help with daily routines, work permits and the next step."),
    ),
    "minors": dict(
        type="shelter", organization="Jeugdbescherming Kompas", services=["shelter", "mental_health"],
        languages=["nl", "en", "fr"], interpretation_languages=["ti", "ar", "vi", "ro", "bg", "so", "prs"],
        genders=ALL_GENDERS, min_age=12, max_age=17, accepts_children=False, exploitation_types=["sexual", "criminal"],
        residence_statuses=[], maximum=(6, 10), confidential=True,
        intake_hours="24/7, plaatsing via de voogdijinstelling", hold_minutes=120,
        description=("Beschermde opvang voor minderjarigen (12 tot 18 jaar) met 24-uurs begeleiding, "
                     "school op locatie en een vaste voogd. Geen contact met de buitenwereld zonder overleg."),
    ),
    "complex_needs": dict(
        type="shelter", organization="Stichting Wegwijzer Zorg", services=["shelter", "mental_health", "medical"],
        languages=["nl", "en"], interpretation_languages=["ro", "pl", "bg", "ar", "ti"],
        genders=ALL_GENDERS, min_age=18, max_age=120, accepts_children=False, exploitation_types=[],
        residence_statuses=[], maximum=(4, 8), confidential=True, wheelchair_accessible=True,
        intake_hours="ma-vr 09:00-17:00, crisis 24/7", hold_minutes=480,
        description=("Opvang met zorg voor slachtoffers met complexe problematiek: psychiatrische klachten, "
                     "verslaving of een licht verstandelijke beperking. Behandeling en wonen onder één dak."),
    ),
    "womens_shelter": dict(
        type="shelter", organization="Vrouwenopvang Het Baken", services=["shelter"],
        languages=["nl", "en"], interpretation_languages=["ar", "tr", "pl", "ro", "bg"],
        genders=["female"], min_age=18, max_age=120, accepts_children=True, exploitation_types=["sexual"],
        residence_statuses=["dutch", "eu", "residence_permit"], maximum=(6, 20), confidential=True,
        intake_hours="24/7 crisislijn", hold_minutes=240,
        description=("Vrouwenopvang onder de Wmo voor Nederlandse en EU-vrouwen, ook met kinderen. "
                     "Ervaren met loverboy-slachtoffers en seksuele uitbuiting."),
    ),
    "mens_shelter": dict(
        type="shelter", organization="Mannenopvang De Brug", services=["shelter"],
        languages=["nl", "en", "pl"], interpretation_languages=["ro", "bg", "lt", "lv", "hu"],
        genders=["male"], min_age=18, max_age=120, accepts_children=False, exploitation_types=["labour"],
        residence_statuses=["dutch", "eu", "residence_permit"], maximum=(5, 10), confidential=True,
        intake_hours="ma-zo 08:00-22:00", hold_minutes=240,
        description=("Men's shelter for Dutch and EU men, many of them former seasonal or warehouse "
                     "workers. We work closely with the labour inspectorate and regional care coordinators."),
    ),
    "social_shelter": dict(
        type="shelter", organization="Stichting Nachtwacht", services=["shelter"],
        languages=["nl", "en"], interpretation_languages=[],
        genders=ALL_GENDERS, min_age=18, max_age=120, accepts_children=False, exploitation_types=[],
        residence_statuses=["dutch", "eu", "residence_permit"], maximum=(10, 24), confidential=False,
        intake_hours="dagelijks 17:00-23:00", hold_minutes=120,
        description=("Maatschappelijke opvang voor volwassenen, alleen tijdelijk. Inloop met café en "
                     "maaltijden; doorverwijzing naar gespecialiseerde opvang als dat nodig is."),
    ),
    "lgbtq_shelter": dict(
        type="shelter", organization="Stichting Regenboog Veilig", services=["shelter", "mental_health"],
        languages=["nl", "en", "es", "pt"], interpretation_languages=["ar", "fa", "ru", "uk", "th"],
        genders=["male", "non_binary", "female"], min_age=18, max_age=120, accepts_children=False,
        exploitation_types=["sexual"], residence_statuses=[], maximum=(4, 6), confidential=True,
        intake_hours="24/7", hold_minutes=240,
        description=("Safe house for LGBTQI+ survivors of trafficking, including trans women and non-binary "
                     "people. Peer support and a queer-friendly GP nearby."),
    ),
    "gp": dict(
        type="medical", organization="Gezondheidscentrum De Linde", services=["medical"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "pl", "ar", "ti", "pcm", "vi", "zh"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=[],
        residence_statuses=[], maximum=(10, 30), confidential=False, wheelchair_accessible=True,
        intake_hours="ma-vr 08:00-17:00", hold_minutes=240,
        description=("Huisartsenpraktijk die ook cliënten zonder verblijfsvergunning of verzekering helpt. "
                     "Telefonische tolk bij elk consult, zonder kosten voor de patiënt."),
    ),
    "sexual_health": dict(
        type="medical", organization="Poli Seksuele Gezondheid", services=["medical"],
        languages=["nl", "en", "es", "pt"], interpretation_languages=["ro", "bg", "hu", "th", "zh", "pcm"],
        genders=ALL_GENDERS, min_age=12, max_age=120, accepts_children=False, exploitation_types=["sexual"],
        residence_statuses=[], maximum=(12, 30), confidential=False, wheelchair_accessible=True,
        intake_hours="ma-vr 09:00-16:30", hold_minutes=240,
        description=("Free and anonymous STI testing, contraception and pregnancy care, with extra time for "
                     "people referred after sexual exploitation."),
    ),
    "forensic": dict(
        type="medical", organization="Forensisch Medisch Centrum", services=["medical"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "pl", "ar", "ti", "pcm", "vi", "zh", "th", "es"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=["sexual", "labour"],
        residence_statuses=[], maximum=(6, 12), confidential=False, wheelchair_accessible=True,
        intake_hours="24/7", hold_minutes=120,
        description=("Forensisch-medisch onderzoek en letselverslag voor de aangifte, "
                     "ook buiten kantooruren. Zorgvuldige coördinatie met politie en opvang."),
    ),
    "hospital": dict(
        type="medical", organization="Stadsziekenhuis", services=["medical"],
        languages=["nl", "en", "de"], interpretation_languages=["ro", "bg", "pl", "ar", "ti", "tr", "uk"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=[],
        residence_statuses=[], maximum=(20, 40), confidential=False, wheelchair_accessible=True,
        intake_hours="ma-vr 08:00-17:00 (polikliniek)", hold_minutes=480,
        description=("Outpatient clinic for referred survivors: general check-up, wound care, dental referral "
                     "and follow-up of chronic conditions."),
    ),
    "midwife": dict(
        type="medical", organization="Verloskundigenpraktijk Nieuw Leven", services=["medical"],
        languages=["nl", "en", "ar"], interpretation_languages=["ti", "pcm", "ro", "bg", "so"],
        genders=["female"], min_age=14, max_age=55, accepts_children=True, exploitation_types=["sexual"],
        residence_statuses=[], maximum=(8, 16), confidential=False,
        intake_hours="ma-vr 08:30-17:00, spoed 24/7", hold_minutes=240,
        description=("Verloskundige zorg voor zwangere vrouwen, ook zonder verzekering. "
                     "Kraamzorg en nazorg in afstemming met de opvanglocatie."),
    ),
    "trauma": dict(
        type="mental_health", organization="Centrum Trauma en Herstel", services=["mental_health"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "ar", "ti", "fa", "prs", "pcm", "vi"],
        genders=ALL_GENDERS, min_age=18, max_age=120, accepts_children=False, exploitation_types=["sexual", "labour"],
        residence_statuses=[], maximum=(6, 16), confidential=False, wheelchair_accessible=True,
        intake_hours="ma-vr 09:00-17:00", hold_minutes=1440,
        description=("Traumabehandeling (EMDR, NET) voor volwassenen na mensenhandel, met tolk "
                     "in de behandelkamer. Korte wachttijd voor verwijzingen vanuit de opvang."),
    ),
    "youth_trauma": dict(
        type="mental_health", organization="Jeugd-GGZ De Wending", services=["mental_health"],
        languages=["nl", "en"], interpretation_languages=["ar", "ti", "so", "prs", "ro"],
        genders=ALL_GENDERS, min_age=4, max_age=23, accepts_children=True, exploitation_types=["sexual", "criminal"],
        residence_statuses=[], maximum=(4, 10), confidential=False, wheelchair_accessible=True,
        intake_hours="ma-vr 09:00-17:00", hold_minutes=1440,
        description=("Trauma care for children and young people, including minors exploited in drug "
                     "running or sexual exploitation. Parents or guardians are involved where safe."),
    ),
    "transcultural": dict(
        type="mental_health", organization="Transculturele Psychiatrie Oost", services=["mental_health"],
        languages=["nl", "en", "ar", "fa", "tr"], interpretation_languages=["ti", "am", "so", "ps", "prs", "ku"],
        genders=ALL_GENDERS, min_age=16, max_age=120, accepts_children=False, exploitation_types=[],
        residence_statuses=[], maximum=(4, 12), confidential=False,
        intake_hours="ma-do 09:00-17:00", hold_minutes=1440,
        description=("Transcultural psychiatry for refugees and survivors: diagnosis, medication and therapy "
                     "in the client's own language wherever possible."),
    ),
    "crisis": dict(
        type="mental_health", organization="GGZ Crisisdienst", services=["mental_health"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "pl", "ar", "ti", "uk"],
        genders=ALL_GENDERS, min_age=18, max_age=120, accepts_children=False, exploitation_types=[],
        residence_statuses=[], maximum=(3, 6), confidential=False,
        intake_hours="24/7", hold_minutes=60,
        description=("Psychiatrische crisisdienst: beoordeling binnen vier uur na verwijzing "
                     "door huisarts, opvang of politie."),
    ),
    "victim_counsel": dict(
        type="legal", organization="Advocatenkantoor", services=["legal", "compensation"],
        languages=["nl", "en"], interpretation_languages=["ro", "bg", "pl", "pcm", "vi", "zh"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=["sexual", "labour"],
        residence_statuses=[], maximum=(4, 12), confidential=False,
        intake_hours="ma-vr 09:00-17:30", hold_minutes=1440,
        description=("Slachtofferadvocaat in de strafzaak: aangifte, spreekrecht en schadevergoeding. "
                     "Gefinancierd via de Raad voor Rechtsbijstand."),
    ),
    "immigration": dict(
        type="legal", organization="Advocatenkantoor", services=["legal", "residence_status"],
        languages=["nl", "en", "fr"], interpretation_languages=["ti", "ar", "fa", "prs", "so", "pcm"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=[],
        residence_statuses=["reflection_period", "residence_permit", "asylum", "undocumented", "unknown"],
        maximum=(4, 15), confidential=False,
        intake_hours="ma-vr 09:00-17:00", hold_minutes=1440,
        description=("Immigration lawyers: the reflection period, the temporary residence permit for "
                     "victims (B8) and continued residence after the criminal case."),
    ),
    "compensation": dict(
        type="legal", organization="Schadeclaim Bureau", services=["legal", "compensation"],
        languages=["nl", "en", "de"], interpretation_languages=["ro", "bg", "pl", "hu", "uk"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=["labour"],
        residence_statuses=[], maximum=(5, 15), confidential=False,
        intake_hours="ma-vr 09:00-17:00", hold_minutes=2880,
        description=("Claims for unpaid wages and damages from employers and agencies, "
                     "including cross-border recovery. Geïnteresseerd? Bel voor een gratis intake."),
    ),
    "legal_clinic": dict(
        type="legal", organization="Rechtswinkel", services=["legal", "residence_status", "compensation"],
        languages=["nl", "en", "ar", "tr"], interpretation_languages=["ro", "bg", "pl", "ti"],
        genders=ALL_GENDERS, min_age=16, max_age=120, accepts_children=False, exploitation_types=[],
        residence_statuses=[], maximum=(8, 15), confidential=False,
        intake_hours="di en do 13:00-17:00, inloop", hold_minutes=1440,
        description=("Gratis juridisch spreekuur door studenten onder toezicht van advocaten. "
                     "Eerste advies over verblijf, werk en schadevergoeding."),
    ),
    "interpreter": dict(
        type="interpreter", organization="Lingua Nova Tolken", services=["interpreter"],
        languages=["nl", "en"], interpretation_languages=[],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=[],
        residence_statuses=[], maximum=(20, 80), confidential=False,
        intake_hours="ma-vr 08:00-18:00, spoed 24/7", hold_minutes=60,
        description=("Beëdigde tolken ter plaatse, telefonisch of via video. "
                     "Kosten via het raamcontract; de cliënt betaalt nooit."),
    ),
    "return_general": dict(
        type="repatriation", organization="Stichting Thuisreis", services=["repatriation"],
        languages=["nl", "en", "fr", "es"], interpretation_languages=["ro", "bg", "pcm", "vi", "zh", "th", "ti", "uk"],
        genders=ALL_GENDERS, min_age=0, max_age=120, accepts_children=True, exploitation_types=[],
        residence_statuses=[], maximum=(15, 40), confidential=False,
        intake_hours="ma-vr 09:00-17:00", hold_minutes=2880,
        description=("Assisted voluntary return and reintegration: travel documents, the ticket, an escort "
                     "for minors and reintegration support after arrival."),
    ),
}

# How each kind delivers its services and whom it takes in (services/shared/vocabulary.py): the categorical
# shelters of Dutch practice, the support they specialise in or cannot give, and the care that also works by
# phone or video or comes to the person.
PLACEMENT_PROFILES = {
    "reflection_women": dict(target_groups=["reflection_period_non_dutch"], specialises_in=["pregnant"],
                             intake_opening_hours="24/7"),
    "men_families": dict(target_groups=["reflection_period_non_dutch"], intake_opening_hours="24/7"),
    "minors": dict(target_groups=["minors"], intake_opening_hours="24/7"),
    "complex_needs": dict(target_groups=["complex_needs"],
                          specialises_in=["psychiatric", "addiction", "intellectual_disability"]),
    "womens_shelter": dict(target_groups=["dutch_eu_adults"], cannot_serve=["addiction"], intake_opening_hours="24/7"),
    "mens_shelter": dict(target_groups=["dutch_eu_adults"], intake_opening_hours="Mo-Su 08:00-22:00"),
    "social_shelter": dict(cannot_serve=["intellectual_disability"], intake_opening_hours="Mo-Su 17:00-23:00"),
    "lgbtq_shelter": dict(target_groups=["lgbtqi"], specialises_in=["lgbtqi"], intake_opening_hours="24/7"),
    "sexual_health": dict(specialises_in=["pregnant", "lgbtqi"]),
    "midwife": dict(specialises_in=["pregnant"], delivery=["on_site", "outreach"]),
    "transcultural": dict(specialises_in=["psychiatric"]),
    "crisis": dict(specialises_in=["psychiatric"], delivery=["on_site", "outreach"]),
    "immigration": dict(delivery=["on_site", "remote"]),
    "compensation": dict(delivery=["on_site", "remote"]),
    "interpreter": dict(delivery=["on_site", "remote"]),
    "return_general": dict(delivery=["on_site", "outreach"]),
}
for _kind, _profile in PLACEMENT_PROFILES.items():
    KINDS[_kind].update(_profile)


def _pool(available: int, maximum: int, updated: str) -> dict:
    """A service's own capacity pool, in appointments, written out (no draws: the other providers stay as they are)."""
    return {"available": available, "maximum": maximum, "unit": "appointment", "updated": updated}


def _provider(kind: str, name: str, municipality: str, **overrides) -> dict:
    """A hand-written provider: its kind's defaults with this provider's own details."""
    spec = dict(KINDS[kind])
    spec.update(name=name, municipality=municipality, **overrides)
    return spec


# Every provider in the demo data set, written by hand so the data reads like a real directory.
SPECS: list[dict] = [
    # Shelters: specialised shelters for non-Dutch victims in the reflection period (women, with children).
    _provider("reflection_women", "Lindenhof Amsterdam", "Amsterdam", maximum=16, available=0),
    _provider("reflection_women", "Lindenhof Rotterdam", "Rotterdam", maximum=14,
              languages=["nl", "en", "ro", "bg"]),
    _provider("reflection_women", "Lindenhof Den Haag", "Den Haag", maximum=12, available=0),
    _provider("reflection_women", "Lindenhof Utrecht", "Utrecht", maximum=10,
              languages=["nl", "en", "es", "pt"]),
    _provider("reflection_women", "Lindenhof Zwolle", "Zwolle", maximum=8, status="temporarily_closed",
              description=("Tijdelijk gesloten wegens verbouwing tot het voorjaar; nieuwe plaatsingen via "
                           "Lindenhof Utrecht. Normally protected shelter for women and children.")),
    _provider("reflection_women", "Lindenhof 's-Hertogenbosch", "'s-Hertogenbosch", maximum=9,
              languages=["nl", "en", "pcm"], interpretation_languages=["bin", "yo", "ig", "ro", "bg", "hu"]),
    _provider("men_families", "Vaste Grond Mannenhuis", "Arnhem", maximum=14),
    _provider("men_families", "Vaste Grond Drechtsteden", "Dordrecht", maximum=6, available=0,
              languages=["nl", "en", "ro"]),
    _provider("men_families", "Vaste Grond Gezinslocatie", "Eindhoven", maximum=10, genders=ALL_GENDERS,
              accepts_children=True, exploitation_types=["labour"],
              description=("Shelter for men and for families freed together, with separate family flats. "
                           "Begeleiding naar werk, school voor de kinderen en medische zorg.")),
    _provider("minors", "Kompas Beschermde Opvang West", "Leiden", maximum=10, available=0),
    _provider("minors", "Kompas Meidenhuis", "Apeldoorn", maximum=8, genders=["female"],
              exploitation_types=["sexual"],
              description=("Beschermde opvang voor meisjes van 12 tot 18 jaar na seksuele uitbuiting "
                           "(loverboys). Intensieve begeleiding, onderwijs en traumazorg op locatie.")),
    # Care counted apart from the beds (HSDS service_capacity): a medical referral holds no bed.
    _provider("complex_needs", "Wegwijzer Kennemerland", "Haarlem", maximum=6,
              service_capacity={"medical": _pool(1, 3, "2026-11-05T04:00:00+00:00")}),
    _provider("complex_needs", "Wegwijzer Noord", "Groningen", maximum=5, interpretation_languages=["pl", "ro", "lt"],
              service_capacity={"medical": _pool(4, 6, "2026-11-28T06:40:00+00:00"),
                                "mental_health": _pool(2, 4, "2026-11-27T16:05:00+00:00")}),
    _provider("complex_needs", "Wegwijzer Kliniek Nijmegen", "Nijmegen", maximum=8, confidential=False,
              service_capacity={"medical": _pool(3, 5, "2026-11-27T13:48:00+00:00")},
              description=("Klinische opvang met verslavingszorg en psychiatrische behandeling voor "
                           "slachtoffers van uitbuiting. Public clinic address; wonen op afdeling De Hof.")),
    _provider("womens_shelter", "Het Baken Groningen", "Groningen", maximum=18),
    _provider("womens_shelter", "Het Baken Friesland", "Leeuwarden", maximum=12, available=0),
    _provider("womens_shelter", "Het Baken Twente", "Enschede", maximum=14),
    _provider("womens_shelter", "Het Baken Limburg", "Maastricht", maximum=12,
              languages=["nl", "en", "de", "fr"]),
    _provider("womens_shelter", "Het Baken Midden-Brabant", "Tilburg", maximum=15),
    _provider("womens_shelter", "Het Baken Zeeland", "Middelburg", maximum=6, wheelchair_accessible=True),
    _provider("mens_shelter", "De Brug Rotterdam", "Rotterdam", maximum=10, exploitation_types=["labour", "criminal"]),
    _provider("mens_shelter", "De Brug West-Brabant", "Breda", maximum=7),
    _provider("mens_shelter", "De Brug Drenthe", "Assen", maximum=5, status="inactive",
              description=("Locatie gesloten; bewoners zijn overgeplaatst naar De Brug Rotterdam. "
                           "Kept in the directory for reference until the end of the year.")),
    _provider("social_shelter", "Nachtwacht Almere", "Almere", maximum=24),
    _provider("social_shelter", "Nachtwacht Amersfoort", "Amersfoort", maximum=18),
    _provider("lgbtq_shelter", "Regenboog Veilig Huis", "Amsterdam", maximum=5),
    # Medical care.
    _provider("gp", "Gezondheidscentrum De Linde Oost", "Amsterdam", maximum=30),
    _provider("gp", "Huisartsenpraktijk Het Spoor", "Rotterdam", organization="Huisartsen Het Spoor", maximum=25,
              languages=["nl", "en", "pt", "es"]),
    _provider("gp", "Praktijk Stationsplein", "Groningen", organization="Huisartsen Noord", maximum=15),
    _provider("gp", "Huisartsenpost Emmen", "Emmen", organization="Huisartsen Drenthe", maximum=12),
    _provider("gp", "Gezondheidscentrum Sneek", "Sneek", organization="Zorggroep Zuidwest Friesland", maximum=10),
    _provider("gp", "Huisartsenpraktijk De Haven", "Schiedam", organization="Huisartsen De Haven", maximum=14,
              languages=["nl", "en", "tr", "ar"]),
    _provider("sexual_health", "Poli Seksuele Gezondheid Amstel", "Amsterdam", maximum=30),
    _provider("sexual_health", "Poli Seksuele Gezondheid Haaglanden", "Den Haag", maximum=24, available=0),
    _provider("sexual_health", "Poli Seksuele Gezondheid Brabant", "Eindhoven", maximum=18),
    _provider("forensic", "FMC Utrecht", "Utrecht", maximum=10),
    _provider("forensic", "FMC Rijnmond", "Rotterdam", maximum=12),
    _provider("hospital", "Stadsziekenhuis Arnhem Poli Oost", "Arnhem", maximum=40),
    _provider("hospital", "Stadsziekenhuis Maastricht", "Maastricht", organization="Academisch Zorgcentrum Zuid",
              maximum=30, languages=["nl", "en", "de", "fr"]),
    _provider("hospital", "Ziekenhuis Zwolle Poli Migrantenzorg", "Zwolle", organization="Zorgcentrum Zwolle-Oost",
              maximum=20),
    _provider("midwife", "Verloskundigen Nieuw Leven Den Haag", "Den Haag", maximum=14),
    _provider("midwife", "Verloskundigen Nieuw Leven Almere", "Almere", maximum=10),
    # Mental-health care.
    _provider("trauma", "Trauma en Herstel Amsterdam", "Amsterdam", maximum=16, available=0,
              delivery=["on_site", "remote"]),
    _provider("trauma", "Trauma en Herstel Rotterdam", "Rotterdam", maximum=12, languages=["nl", "en", "ar"]),
    _provider("trauma", "Trauma en Herstel Utrecht", "Utrecht", maximum=10, delivery=["on_site", "remote"]),
    _provider("trauma", "Trauma en Herstel Haarlem", "Haarlem", maximum=8),
    _provider("trauma", "Trauma en Herstel Noord", "Groningen", maximum=8),
    _provider("trauma", "Trauma en Herstel Brabant", "Breda", maximum=9, languages=["nl", "en", "pl"]),
    _provider("youth_trauma", "De Wending Den Haag", "Den Haag", maximum=10),
    _provider("youth_trauma", "De Wending Enschede", "Enschede", maximum=6),
    _provider("transcultural", "Transculturele Psychiatrie Nijmegen", "Nijmegen", maximum=12),
    _provider("transcultural", "Transculturele Psychiatrie Eindhoven", "Eindhoven",
              organization="Transculturele Psychiatrie Zuid", maximum=8),
    _provider("crisis", "GGZ Crisisdienst Zuid-Limburg", "Heerlen", maximum=4, languages=["nl", "en", "de"]),
    _provider("crisis", "GGZ Crisisdienst Amersfoort", "Amersfoort", maximum=5),
    # Legal help.
    _provider("victim_counsel", "Advocatenkantoor Van der Linde & Bos", "Amsterdam", maximum=12,
              exploitation_types=["sexual", "labour", "criminal"]),
    _provider("victim_counsel", "Advocaten Keizersgracht Slachtofferrecht", "Amsterdam", maximum=8),
    _provider("victim_counsel", "Rijnmond Slachtofferadvocaten", "Rotterdam", maximum=10,
              languages=["nl", "en", "ro"], wheelchair_accessible=True),
    _provider("victim_counsel", "Advocatenkollektief Hofstad", "Den Haag", maximum=9, exploitation_types=["criminal"]),
    _provider("victim_counsel", "De Wit Strafrecht Slachtofferzaken", "'s-Hertogenbosch", maximum=6),
    _provider("victim_counsel", "Advocaten Noord Slachtofferhulp", "Groningen", maximum=7,
              wheelchair_accessible=True),
    _provider("immigration", "Migratierecht Amsterdam Centrum", "Amsterdam", maximum=15),
    _provider("immigration", "Vreemdelingenrecht Hofstad", "Den Haag", maximum=12,
              languages=["nl", "en", "fr", "ar"]),
    _provider("immigration", "Advocaten Domstad Migratierecht", "Utrecht", maximum=10),
    _provider("immigration", "Migratierecht Oost", "Zwolle", maximum=6),
    _provider("immigration", "Migratierecht Zuid", "Maastricht", maximum=6, languages=["nl", "en", "fr", "de"]),
    _provider("immigration", "Vreemdelingenrecht Leiden", "Leiden", maximum=5, available=0),
    _provider("compensation", "Schadeclaim Bureau Rotterdam", "Rotterdam", maximum=15),
    _provider("compensation", "Schadeclaim Bureau Arnhem", "Arnhem", maximum=8, languages=["nl", "en", "pl"]),
    _provider("compensation", "Loonclaim Zeeland", "Goes", organization="Rechtshulp Zeeland", maximum=5),
    _provider("legal_clinic", "Rechtswinkel Utrecht", "Utrecht", maximum=15),
    _provider("legal_clinic", "Rechtswinkel Haarlem", "Haarlem", maximum=10),
    _provider("legal_clinic", "Rechtswinkel Flevoland", "Lelystad", maximum=8, status="temporarily_closed",
              description=("Spreekuur tijdelijk gesloten tijdens de kerstvakantie. "
                           "Closed for the winter break; urgent questions go to Rechtswinkel Utrecht.")),
    # Interpreter agencies.
    _provider("interpreter", "Lingua Nova Amsterdam", "Amsterdam", maximum=80,
              languages=["nl", "en", "ro", "bg", "pl", "hu", "uk", "ru", "ar", "ti", "pcm", "vi", "zh", "th",
                         "es", "pt"]),
    _provider("interpreter", "Lingua Nova Rotterdam", "Rotterdam", maximum=70,
              languages=["nl", "en", "ro", "bg", "pl", "tr", "ar", "pcm", "bin", "yo", "ig", "es", "pt"]),
    _provider("interpreter", "Tolkenbureau Hofstad", "Den Haag", organization="Tolkenbureau Hofstad", maximum=60,
              languages=["nl", "en", "fr", "ar", "fa", "prs", "ps", "ti", "am", "so", "ku"]),
    _provider("interpreter", "Lingua Nova Utrecht", "Utrecht", maximum=50,
              languages=["nl", "en", "ro", "bg", "hu", "sk", "cs", "pl", "uk", "ru"]),
    _provider("interpreter", "Tolk en Taal Brabant", "Eindhoven", organization="Tolk en Taal", maximum=40,
              languages=["nl", "en", "pl", "ro", "bg", "lt", "lv", "pt", "es", "vi"]),
    _provider("interpreter", "Tolk en Taal Noord", "Groningen", organization="Tolk en Taal", maximum=30,
              languages=["nl", "en", "pl", "ar", "ti", "uk", "ru"]),
    _provider("interpreter", "Taalbrug Gelderland", "Nijmegen", organization="Taalbrug", maximum=35,
              languages=["nl", "en", "ar", "ti", "am", "so", "tr", "ku"]),
    _provider("interpreter", "Taalbrug Overijssel", "Zwolle", organization="Taalbrug", maximum=25,
              languages=["nl", "en", "pl", "ro", "uk", "ar"]),
    _provider("interpreter", "Aziatische Talen Tolkdienst", "Den Haag", organization="Tolkdienst Oost-Azië",
              maximum=30, languages=["nl", "en", "vi", "zh", "yue", "th", "tl", "id", "km"]),
    _provider("interpreter", "Afrikaanse Talen Tolkennetwerk", "Amsterdam", organization="Tolkennetwerk Afrika",
              maximum=30, languages=["nl", "en", "pcm", "bin", "yo", "ig", "ha", "tw", "ti", "am", "so", "fr"]),
    _provider("interpreter", "Lingua Nova Noord-Holland Noord", "Alkmaar", maximum=20,
              languages=["nl", "en", "pl", "ro", "bg", "hu"]),
    _provider("interpreter", "Lingua Nova Limburg", "Venlo", maximum=25,
              languages=["nl", "en", "de", "pl", "ro", "bg", "pt"], available=0),
    # Return and reintegration.
    _provider("return_general", "Thuisreis Landelijk Bureau", "Den Haag", maximum=40,
              delivery=["on_site", "remote", "outreach"], countries=["NG", "GH", "UG", "RO", "BG", "UA", "MD", "AL", "VN", "CN", "TH", "PH", "BR", "MA",
                         "ER", "ET"]),
    _provider("return_general", "Thuisreis Amsterdam", "Amsterdam", maximum=25,
              countries=["NG", "GH", "UG", "BR", "MA", "VN", "CN", "TH", "PH"]),
    _provider("return_general", "Thuisreis Rotterdam", "Rotterdam", maximum=20,
              countries=["NG", "GH", "RO", "BG", "UA", "MD", "AL", "MA"]),
    _provider("return_general", "Terugkeer Oost-Europa", "Utrecht", organization="Stichting Weg Terug",
              maximum=15, languages=["nl", "en", "ro", "bg", "pl", "uk"], interpretation_languages=["hu", "sk", "lt"],
              countries=["RO", "BG", "PL", "HU", "SK", "LT", "LV", "UA", "MD", "AL"]),
    _provider("return_general", "Thuisreis Azië Desk", "Zwolle", maximum=10,
              languages=["nl", "en", "vi", "zh"], interpretation_languages=["th", "tl"],
              countries=["VN", "CN", "TH", "PH"]),
    _provider("return_general", "Thuisreis Zuid", "Eindhoven", maximum=12,
              countries=["NG", "GH", "RO", "BG", "BR", "AL"], available=0),
    _provider("return_general", "Reintegratie West-Afrika", "Groningen", organization="Stichting Sankofa Terugkeer",
              maximum=10, languages=["nl", "en", "pcm", "tw"], interpretation_languages=["bin", "yo", "ig"],
              countries=["NG", "GH", "UG"],
              description=("Begeleide terugkeer en reïntegratie naar West-Afrika met lokale partners: "
                           "huisvesting, training en een startbudget.")),
    _provider("return_general", "Terugkeer Hoorn van Afrika", "Lelystad", organization="Stichting Weg Terug",
              maximum=8, languages=["nl", "en", "ti", "am"], interpretation_languages=["so", "ar"],
              countries=["ER", "ET", "UG"]),
]


def _slug(text: str) -> str:
    """'Het Baken Friesland' -> 'het-baken-friesland', for fictional e-mail addresses."""
    return fold_name(text).replace(" ", "-")


def _updated(rng: random.Random) -> str:
    """Most capacity was reported within a day; some is stale (2 to 6 days), a few left for over a week."""
    draw = rng.random()
    if draw < 0.72:
        age = timedelta(minutes=rng.randint(5, 23 * 60))
    elif draw < 0.92:
        age = timedelta(hours=rng.randint(49, 6 * 24))
    else:
        age = timedelta(hours=rng.randint(8 * 24, 30 * 24))
    return (REFERENCE_TIME - age).isoformat()


def _available(rng: random.Random, spec: dict, maximum: int) -> int:
    if "available" in spec:
        return spec["available"]
    if spec["type"] == "shelter":
        # Specialised shelters are structurally full: few free beds when any.
        return rng.choice([0, 1, 1, 2, 2, 3])
    return rng.randint(1, max(1, maximum // 2))


def _phone(area: str, serial: int) -> str:
    """A number in the unused 000 block: '+31 20 000 0123' (two-digit area) or '+31 515 000 123'."""
    if len(area) == 2:
        return f"+31 {area} 000 {serial:04d}"
    return f"+31 {area} 000 {serial:03d}"


def _postal_code(rng: random.Random, low: int, high: int) -> str:
    letters = "ABCEGHJKLMNPRTVWXZ"
    return f"{rng.randint(low, high)} {rng.choice(letters)}{rng.choice(letters)}"


def build_providers() -> list[dict]:
    """The demo providers, the same on every run."""
    rng = random.Random(SEED)
    markers: set[str] = set()
    providers = []
    for serial, spec in enumerate(SPECS, start=1):
        place = resolve_place(spec["municipality"])
        if place is None:
            raise ValueError(f"unknown municipality in demo data: {spec['municipality']}")
        area, postal_low, postal_high = MUNICIPALITIES[spec["municipality"]]
        maximum = spec["maximum"] if isinstance(spec["maximum"], int) else rng.randint(*spec["maximum"])
        address = f"{rng.choice(STREETS)} {rng.randint(1, 240)}"
        if spec["confidential"]:
            marker = f"HVNCONF-{rng.getrandbits(16):04x}"
            while marker in markers:
                marker = f"HVNCONF-{rng.getrandbits(16):04x}"
            markers.add(marker)
            address = f"{address} {marker}"
        slug = _slug(spec["name"])
        email = f"intake@{slug}.example" if serial % 3 else f"{slug}@example.org"
        record = {
            "id": str(uuid.uuid5(NAMESPACE, spec["name"])),
            "name": spec["name"],
            "organization": spec["organization"],
            "type": spec["type"],
            "description": spec["description"],
            "services": list(spec["services"]),
            "languages": list(spec["languages"]),
            "interpretation_languages": [code for code in spec["interpretation_languages"]
                                         if code not in spec["languages"]],
            "location": {
                "municipality": spec["municipality"],
                "region": place.province,
                "lat": round(place.lat + rng.uniform(-0.012, 0.012), 6),
                "lon": round(place.lon + rng.uniform(-0.018, 0.018), 6),
                "address": address,
                "postal_code": _postal_code(rng, postal_low, postal_high),
                "confidential": spec["confidential"],
            },
            "delivery": list(spec.get("delivery", ["on_site"])),
            "eligibility": {
                "genders": list(spec["genders"]),
                "min_age": spec["min_age"],
                "max_age": spec["max_age"],
                "accepts_children": spec["accepts_children"],
                "wheelchair_accessible": spec.get("wheelchair_accessible", False),
                "exploitation_types": list(spec["exploitation_types"]),
                "residence_statuses": list(spec["residence_statuses"]),
                "countries": list(spec.get("countries", [])),
                "specialises_in": list(spec.get("specialises_in", [])),
                "cannot_serve": list(spec.get("cannot_serve", [])),
                "target_groups": list(spec.get("target_groups", [])),
            },
            "capacity": {
                "available": _available(rng, spec, maximum),
                "maximum": maximum,
                "unit": UNITS[spec["type"]],
                "updated": _updated(rng),
            },
            "contact": {"phone": _phone(area, serial), "email": email, "intake_hours": spec["intake_hours"],
                        "intake_opening_hours": spec.get("intake_opening_hours", "")},
            "hold_minutes": spec["hold_minutes"],
            "status": spec.get("status", "active"),
        }
        if spec.get("service_capacity"):
            record = {**{k: v for k, v in record.items() if k not in ("contact", "hold_minutes", "status")},
                      "service_capacity": spec["service_capacity"],
                      **{k: record[k] for k in ("contact", "hold_minutes", "status")}}
        providers.append(record)
    return providers


def render(providers: list[dict]) -> str:
    """The JSON text as stored: readable, stable, UTF-8 (accents kept)."""
    return json.dumps(providers, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    providers = build_providers()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(providers), encoding="utf-8")
    print(f"{len(providers)} providers -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
