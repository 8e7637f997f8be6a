"""Secrets are compared in constant time: hmac.compare_digest or argon2's verify, never `==`.

A grep-level test over the service code: every comparison with `==`/`!=` (or `in`) whose operands
are named like a secret fails, and the places that check secrets must use the constant-time calls.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
# Nonces and ids are sent in the clear: comparing them reveals nothing. These names hold secrets or their hashes.
SECRET_NAME = re.compile(r"(secret|token|password|passwd|signature|\bmac\b|_mac|mac_|digest|csrf|_hash\b|"
                         r"^hash|api_key|session_id)", re.IGNORECASE)
# Names that mention a secret but hold none: a kind of token, a prefix, a field or route name.
NOT_SECRETS = re.compile(r"(TOKEN_PREFIX|token_id|_cookie$|COOKIE|FIELD$|HEADER$|_name$|kind|prefix|endpoint|"
                         r"scheme|revoked|expires|policy|length)", re.IGNORECASE)
EQUALITY = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name_of(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        key = node.slice.value if isinstance(node.slice, ast.Constant) else ""
        return f"{_name_of(node.value)}[{key}]"
    if isinstance(node, ast.Call):
        return f"{_name_of(node.func)}()"
    return ""


def _looks_secret(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return False
    name = _name_of(node)
    last = name.split(".")[-1]
    return bool(last and SECRET_NAME.search(last) and not NOT_SECRETS.search(last))


def _compares_a_secret(node: ast.Compare) -> bool:
    if not any(isinstance(op, EQUALITY) for op in node.ops):
        return False
    operands = [node.left, *node.comparators]
    # Comparing with None or a literal (`token is None`, `role == "admin"`) reveals nothing by its timing.
    if any(isinstance(operand, ast.Constant) for operand in operands):
        return False
    return any(_looks_secret(operand) for operand in operands)


def test_no_secret_is_compared_with_equality_anywhere_in_the_services():
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and _compares_a_secret(node):
                found.append(f"{path.relative_to(SERVICES.parent)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "secrets compared with == (use hmac.compare_digest):\n" + "\n".join(found)


def _source(relative: str) -> str:
    return (SERVICES / relative).read_text(encoding="utf-8")


def _function(relative: str, name: str) -> str:
    tree = ast.parse(_source(relative))
    node = next(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)
    return ast.unparse(node)


def test_signatures_tokens_and_form_tokens_are_checked_with_compare_digest():
    assert "hmac.compare_digest(expected, mac)" in _function("shared/signing.py", "verify")
    assert "hmac.compare_digest(token.token_hash, presented_hash)" in _function("gateway/auth/tokens.py", "authenticate")
    assert "hmac.compare_digest" in _function("gateway/web/csrf.py", "tokens_match")


def test_passwords_are_checked_by_argon2_and_an_unknown_email_costs_as_much_as_a_wrong_password():
    verify = _function("gateway/accounts/passwords.py", "verify")
    assert "self.hasher.verify(password_hash, password)" in verify
    sign_in = _function("gateway/accounts/service.py", "sign_in")
    assert "passwords.verify(account.password_hash" in sign_in and "verify_decoy" in sign_in


def test_the_detector_catches_a_secret_compared_with_equality():
    def caught(code: str) -> bool:
        return any(isinstance(n, ast.Compare) and _compares_a_secret(n) for n in ast.walk(ast.parse(code)))

    assert caught("ok = given_token == stored.token_hash")
    assert caught("if mac != expected_signature: pass")
    assert caught("ok = hash_token(presented) == row['token_hash']")
    assert not caught("ok = token is None")
    assert not caught("ok = role == 'admin'")
    assert not caught("ok = hmac.compare_digest(a_token, b_token)")
