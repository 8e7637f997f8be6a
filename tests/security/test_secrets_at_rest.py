"""Tokens, passwords and session cookies are kept only as hashes: nothing on disk or in the logs holds them."""
from __future__ import annotations

import hashlib
import os
import stat

import pytest
import requests

from services.gateway.settings import secret_key
from services.gateway.web.settings import accounts_db_path
from services.shared.config import internal_secret
from tests.support.stack import PASSWORD, sqlite_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def used_secrets(haven):
    """A token, a password and a session cookie, each used for real against the running services."""
    token = haven.issue("caseworker", name="at rest")
    answer = requests.get(f"{haven.api}/providers", params={"need": "shelter"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200
    haven.create_account("caseworker", "at-rest@example.org")
    browser = haven.sign_in("at-rest@example.org")
    cookie = browser.cookies["haven_session"]
    assert browser.get(f"{haven.gateway_url}/referrals", timeout=30).status_code == 200
    return {"token": token, "password": PASSWORD, "session cookie": cookie}


def _files_at_rest(haven) -> dict[str, bytes]:
    """Every file in the data folder (databases with their WAL files), and what each service logged."""
    found = {str(path): path.read_bytes() for path in haven.folder.rglob("*") if path.is_file()}
    for service in haven.processes:
        found[f"{service} log"] = haven.stderr(service).encode()
    return found


def test_no_file_or_log_holds_a_token_a_password_or_a_session_cookie(haven, used_secrets):
    files = _files_at_rest(haven)
    assert any(name.endswith("auth.db") for name in files) and any(name.endswith("accounts.db") for name in files)
    for what, secret in used_secrets.items():
        for name, content in files.items():
            assert secret.encode() not in content, f"the {what} is readable in {name}"


def test_tokens_and_sessions_are_kept_as_sha256_and_passwords_as_argon2id(haven, used_secrets):
    token_hash = hashlib.sha256(used_secrets["token"].encode()).hexdigest()
    assert sqlite_rows(haven.folder / "auth.db", "SELECT id FROM tokens WHERE token_hash = ?", (token_hash,))
    session_hash = hashlib.sha256(used_secrets["session cookie"].encode()).hexdigest()
    assert sqlite_rows(accounts_db_path(haven.env), "SELECT 1 FROM sessions WHERE id_hash = ?", (session_hash,))
    (row,) = sqlite_rows(accounts_db_path(haven.env), "SELECT password_hash FROM accounts WHERE email = ?",
                         ("at-rest@example.org",))
    assert row["password_hash"].startswith("$argon2id$")


def test_key_files_made_for_a_data_folder_are_readable_by_their_owner_only(tmp_path):
    environ = {"HAVEN_DATA_DIR": str(tmp_path)}
    internal_secret(environ)
    secret_key(environ)
    for name in ("internal.key", "secret.key"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
