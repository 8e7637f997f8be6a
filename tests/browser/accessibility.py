"""axe-core over every page state the browser tests visit: no critical or serious violation allowed.

axe-core comes with the `axe-playwright-python` package (its bundled axe.min.js), injected into the page
under test by Playwright, so no script is fetched from anywhere. The experimental rules run too: one of
them checks that a control's accessible name contains its visible text.
"""
from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from urllib.parse import urlsplit

BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
RUN_AXE = """async () => {
  const experimental = axe.getRules(['experimental']).map(rule => rule.ruleId);
  const rules = Object.fromEntries(experimental.map(id => [id, {enabled: true}]));
  // One run at a time: a page's load and a test's own check may ask at once.
  window.havenAxeRun = (window.havenAxeRun || Promise.resolve()).catch(() => null)
    .then(() => axe.run(document, {rules, resultTypes: ['violations']}));
  const result = await window.havenAxeRun;
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""

# Every state audited in this test session, by name: the violations axe found there.
RESULTS: dict[str, list[dict]] = {}


def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def state_name(page) -> str:
    """A page state by its path and title (the results page and the form share a path, not a title)."""
    return f"{urlsplit(page.url).path} · {page.title()}"


def audit(page, state: str | None = None) -> list[dict]:
    """Run axe on the page as it is now; the violations are kept for the session's report."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(RUN_AXE)
    RESULTS[state or state_name(page)] = violations
    return violations


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in violations)


def assert_accessible(page, state: str | None = None) -> None:
    """Fail on any critical or serious axe violation in the page as it is now."""
    found = blocking(audit(page, state))
    assert not found, f"axe in {state or state_name(page)}:\n{describe(found)}"


def summary() -> dict:
    """Counts by impact over every audited state (one count per rule and state)."""
    counts = Counter(v["impact"] for violations in RESULTS.values() for v in violations)
    return {"states": len(RESULTS), **{impact: counts.get(impact, 0) for impact in IMPACTS},
            "by_state": {state: [f"{v['impact']}: {v['id']}" for v in violations]
                         for state, violations in sorted(RESULTS.items()) if violations}}


def write_report(path) -> dict:
    report = summary()
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report
