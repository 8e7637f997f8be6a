"""Password hashing with argon2id; the cost is argon2-cffi's default (RFC 9106's advice) unless configured."""
from __future__ import annotations

from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ...shared.config import env_int


def hasher_from_env(environ: dict | None = None) -> PasswordHasher:
    """HAVEN_PASSWORD_TIME_COST, HAVEN_PASSWORD_MEMORY_KIB and HAVEN_PASSWORD_PARALLELISM tune the cost."""
    return PasswordHasher(time_cost=env_int("HAVEN_PASSWORD_TIME_COST", DEFAULT_TIME_COST, environ),
                          memory_cost=env_int("HAVEN_PASSWORD_MEMORY_KIB", DEFAULT_MEMORY_COST, environ),
                          parallelism=env_int("HAVEN_PASSWORD_PARALLELISM", DEFAULT_PARALLELISM, environ))


class Passwords:
    """Hash and verify; a wrong password or a damaged hash both answer False, never raise."""

    def __init__(self, hasher: PasswordHasher | None = None):
        self.hasher = hasher or hasher_from_env()
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_decoy(self, password: str) -> None:
        """Checked when no account has the email, so a miss takes as long as a wrong password."""
        if self._decoy is None:
            self._decoy = self.hasher.hash("decoy password that is never anyone's")
        self.verify(self._decoy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
