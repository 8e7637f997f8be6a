"""The API docs page in a real browser: Swagger UI from the gateway itself lists the operations."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_the_api_docs_page_loads_offline_and_lists_the_operations(new_page, haven):
    page = new_page()
    # Offline: any request that leaves the gateway fails the test.
    outside = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(haven.url)
               else (outside.append(route.request.url), route.abort()))
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/matches" in " ".join(summaries)
    assert "/api/v1/hsds/" in " ".join(summaries)
    assert page.locator("main").count() == 1
    assert outside == [] and page.problems.messages == []
