"""One running Haven (three gunicorn services, demo data) for every security test that needs real HTTP."""
from __future__ import annotations

import re

import pytest
import requests

from tests.support.stack import start_stack

PASSWORD = "correct horse battery staple 42"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def haven(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("haven-security"))
    yield stack
    stack.close()


def sign_in(stack, email: str, password: str = PASSWORD) -> requests.Session:
    """A browser-like session signed in through the real sign-in form (pre-session cookie and form token)."""
    browser = requests.Session()
    form = browser.get(f"{stack.gateway_url}/sign-in", timeout=30)
    token = FORM_TOKEN.search(form.text).group(1)
    answer = browser.post(f"{stack.gateway_url}/sign-in", timeout=30, allow_redirects=False,
                          data={"email": email, "password": password, "csrf_token": token})
    assert answer.status_code == 302, answer.text[:500]
    return browser
