"""Every answer of the directory is what its OpenAPI says: each operation documents its answer's schema, and the
real answers validate against it (an answer with a field the schema lacks, or of another type, fails)."""
from __future__ import annotations

from services.shared import schemas

SUCCESS = ("200", "201")
# 204: nothing to describe.
NO_CONTENT = {("post", "/audit"), ("delete", "/providers/{provider_id}"), ("delete", "/webhooks/mail"),
              ("delete", "/webhooks/{subscription_id}"), ("delete", "/waitlist/{entry_id}")}


def test_every_operation_documents_the_schema_of_its_answer(directory_app):
    spec = directory_app.test_client().get("/openapi.json").json
    undocumented = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method == "parameters" or (method, path) in NO_CONTENT:
                continue
            answers = [operation["responses"].get(code) for code in SUCCESS if code in operation["responses"]]
            if not any(answer and "content" in answer for answer in answers):
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []


def _valid(schema, answer) -> dict:
    return schema.validate(answer)


def test_provider_answers_validate_against_their_schemas(admin, caseworker, create_provider):
    made = create_provider(name="Schema Huis", location={"confidential": True})
    assert _valid(schemas.ProviderOutSchema(), made) == {}
    assert _valid(schemas.ProviderOutSchema(), caseworker.get(f"/providers/{made['id']}").json) == {}
    assert _valid(schemas.ProviderPageSchema(), caseworker.get("/providers", near="52.09,5.12").json) == {}
    reported = admin.put(f"/providers/{made['id']}/capacity", {"available": 2})
    assert _valid(schemas.ProviderOutSchema(), reported.json) == {}


def test_candidate_answers_validate_against_their_schemas(caseworker, create_provider):
    create_provider(name="Kandidaat Huis")
    one = caseworker.post("/candidates", {"need": "shelter", "lat": 52.09, "lon": 5.12})
    assert one.status_code == 200 and one.json["candidates"]
    assert _valid(schemas.CandidateListSchema(), one.json) == {}
    many = caseworker.post("/candidates/batch", {"queries": [{"need": "shelter", "lat": 52.09, "lon": 5.12}]})
    assert _valid(schemas.CandidateBatchAnswerSchema(), many.json) == {}


def test_referral_audit_and_stale_answers_validate_against_their_schemas(admin, caseworker, create_provider):
    made = create_provider(name="Verwijs Huis")
    referral = caseworker.post("/referrals", {"provider_id": made["id"], "need": "shelter",
                                              "case_reference": "SCHEMA-1"})
    assert referral.status_code == 201
    assert _valid(schemas.ReferralSchema(), referral.json) == {}
    assert _valid(schemas.ReferralSchema(), caseworker.get(f"/referrals/{referral.json['id']}").json) == {}
    assert _valid(schemas.ReferralPageSchema(), caseworker.get("/referrals").json) == {}
    assert _valid(schemas.AuditPageSchema(), admin.get("/audit").json) == {}
    assert _valid(schemas.StaleListSchema(), admin.get("/stale", hours=1).json) == {}
