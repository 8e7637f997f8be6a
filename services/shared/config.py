"""Reading HAVEN_* settings and the per-instance data folder; nothing here runs at import time."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

# Everything Haven writes (stores, keys, nonces, credentials) is readable by its own user only.
PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# What Haven writes in its data folder: SQLite files (stores, accounts, tokens, nonces) with their
# journals, key files and their temporary names, the demo sign-ins.
HAVEN_FILES = ("*.db", "*.db-wal", "*.db-shm", "*.db-journal", "*.key", ".*.key.*", "demo-credentials.json")
# Seconds the matcher waits for the directory (HAVEN_DIRECTORY_TIMEOUT). The gateway waits longer for
# the matcher, by TIMEOUT_MARGIN, so a hung directory is reported by the matcher's 503 naming the
# directory before the gateway gives up on the matcher.
DEFAULT_DIRECTORY_TIMEOUT = 10.0
TIMEOUT_MARGIN = 5.0


def env(name: str, default: str | None = None, environ: dict | None = None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    return default if value in (None, "") else value


def env_int(name: str, default: int, environ: dict | None = None) -> int:
    value = env(name, None, environ)
    return default if value is None else int(value)


def env_float(name: str, default: float, environ: dict | None = None) -> float:
    value = env(name, None, environ)
    return default if value is None else float(value)


def env_bool(name: str, default: bool, environ: dict | None = None) -> bool:
    value = env(name, None, environ)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir(environ: dict | None = None) -> Path:
    """HAVEN_DATA_DIR, or a folder in the user's data directory."""
    configured = env("HAVEN_DATA_DIR", None, environ)
    if configured:
        path = Path(configured)
    else:
        base = env("XDG_DATA_HOME", None, environ) or str(Path.home() / ".local" / "share")
        path = Path(base) / "haven"
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path.resolve()


def keep_files_private() -> None:
    """Files and folders this process creates from now on are its user's only (umask 077)."""
    os.umask(PRIVATE_UMASK)


def make_private(folder: Path) -> None:
    """Tighten a data folder made before Haven kept its files private: the folder 0700, Haven's files in it 0600.

    Only Haven's own files (by name), never the whole tree: HAVEN_DATA_DIR may be a folder that holds
    other things too.
    """
    _chmod_at_most(folder, PRIVATE_DIR_MODE)
    for pattern in HAVEN_FILES:
        for path in folder.glob(pattern):
            if not path.is_symlink():
                _chmod_at_most(path, PRIVATE_FILE_MODE)


def _chmod_at_most(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
    except OSError:
        # Gone meanwhile (a WAL file at checkpoint), another user's, or a read-only image: left as it is.
        pass


def default_store_url(environ: dict | None = None) -> str:
    return env("HAVEN_STORE_URL", None, environ) or f"sqlite:///{data_dir(environ) / 'haven.db'}"


def secret_from_env_or_file(variable: str, file_name: str, environ: dict | None = None) -> bytes:
    """The secret in env `variable`, or a random one kept in `file_name` in HAVEN_DATA_DIR (made once)."""
    configured = env(variable, None, environ)
    if configured:
        return configured.encode()
    key_file = data_dir(environ) / file_name
    if not key_file.exists():
        # Written to a temporary name and linked into place so no reader ever sees half a key.
        tmp = key_file.with_name(f".{file_name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return key_file.read_text().strip().encode()


def internal_secret(environ: dict | None = None) -> bytes:
    """The secret the gateway signs internal requests with: HAVEN_INTERNAL_SECRET or a key file."""
    return secret_from_env_or_file("HAVEN_INTERNAL_SECRET", "internal.key", environ)
