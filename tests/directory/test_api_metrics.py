from tests.support.factories import provider


def _sample(text: str, name: str, label: str) -> float:
    for line in text.splitlines():
        if line.startswith(name) and label in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_referrals_are_counted_by_status_on_the_metrics_page(admin, caseworker, directory_app):
    created = admin.post("/providers", provider()).json
    provider_client = admin.as_role("provider", provider_ids=[created["id"]])
    referral = caseworker.post("/referrals", {"provider_id": created["id"], "need": "shelter",
                                              "case_reference": "C-1"}).json
    provider_client.post(f"/referrals/{referral['id']}/accept")

    page = directory_app.test_client().get("/metrics").get_data(as_text=True)

    assert _sample(page, "haven_referrals_total", 'status="pending"') == 1
    assert _sample(page, "haven_referrals_total", 'status="accepted"') == 1
    assert _sample(page, "haven_referrals_total", 'status="declined"') == 0
