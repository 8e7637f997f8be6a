"""The audit log in words: actions translated, people by email, providers by name; failed sign-ins too."""
from __future__ import annotations

from tests.gateway.web.conftest import Pages


def test_one_wrong_password_is_audited_under_its_account_without_the_password(web_app, admin, make_account):
    victim = make_account("caseworker", email="typo@example.org")
    stranger = Pages(web_app)
    stranger.sign_in(victim.email, "not the password at all")
    stranger.sign_in("nobody@example.org", "another wrong password")
    html = admin.text("/admin/audit?action=account.sign_in_failed")
    assert html.count("Aanmelden mislukt") >= 3  # two entries and the filter's own option
    assert "typo@example.org" in html and "not the password" not in html and "another wrong" not in html
    assert "nobody@example.org" not in html and "unknown account " in html and "Haven zelf" in html


def test_actions_and_targets_read_as_words(admin, caseworker):
    admin.get("/admin/accounts")
    admin.post("/admin/accounts", {"email": "nieuw@example.org", "role": "caseworker"})
    html = admin.text("/admin/audit")
    assert "Account aangemaakt" in html and "Aangemeld" in html
    table = html[html.index("<tbody>"):]
    at = table.index("Account aangemaakt")
    row = table[table.rindex("<tr", 0, at):table.index("</tr>", at)]
    assert "nieuw@example.org" in row and "user:" not in row


def test_the_figures_page_draws_charts_and_exports_suppressed_csv(admin):
    html = admin.text("/admin/figures")
    assert "<h1>Cijfers</h1>" in html and 'class="bars"' in html and "Wat Haven niet kan tellen" in html
    assert "Onvervulde hulpvragen" in html and "Capaciteit per week" in html
    assert "matchverzoeken worden niet bewaard" not in html  # counted now, so no longer said to be missing
    exported = admin.get("/admin/figures.csv")
    assert exported.mimetype == "text/csv"
    rows = [line.split(",") for line in exported.get_data(as_text=True).splitlines()[1:]]
    assert rows and not any(cell.isdigit() and 0 < int(cell) < 5 for row in rows for cell in row)
    assert {"unmet_needs_by_need", "capacity_by_week", "group_placements_by_week"} <= {row[0] for row in rows}
