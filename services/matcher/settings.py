"""The matcher's settings, from HAVEN_* environment variables.

| variable | default | meaning |
| --- | --- | --- |
| HAVEN_DIRECTORY_URL | http://127.0.0.1:8081 | where the directory answers |
| HAVEN_DIRECTORY_TIMEOUT | 10 | seconds to wait for one directory answer (the gateway waits this plus 5 s for the matcher) |
| HAVEN_INTERNAL_SECRET | key file `internal.key` in HAVEN_DATA_DIR | the gateway's signing secret |
| HAVEN_MATCH_WEIGHT_LANGUAGE | 0.35 | weight of a shared language |
| HAVEN_MATCH_WEIGHT_DISTANCE | 0.25 | weight of nearness |
| HAVEN_MATCH_WEIGHT_FRESHNESS | 0.15 | weight of recently confirmed capacity |
| HAVEN_MATCH_WEIGHT_SPECIALISM | 0.15 | weight of specialism in the exploitation type (when given) |
| HAVEN_MATCH_WEIGHT_HEADROOM | 0.10 | weight of free capacity |
| HAVEN_MATCH_WEIGHT_SUPPORT | 0.40 | weight of specialism in the person's support needs (when given) |
| HAVEN_MATCH_DISTANCE_HALF_LIFE_KM | 25 | the distance factor halves every this many km |
| HAVEN_MATCH_CANDIDATE_POOL | 50 | nearest candidates scored per need (at least `limit`) |
| HAVEN_MATCH_READ_MODEL | on | `on`: caseworkers' matches are answered from the matcher's read model of the directory (its change feed); `off`: every match asks the directory |
| HAVEN_READ_MODEL_INTERVAL | 0.2 | seconds between two reads of the directory's change feed |
| HAVEN_READ_MODEL_MAX_LAG | 5 | seconds without a read of the feed after which matches ask the directory again |
| HAVEN_FIGURES_SECONDS | 1 | seconds between two sendings of matches' outcome counts to the directory (all of them, one request per caller) |
| HAVEN_LOG_LEVEL | INFO | |
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..shared.config import DEFAULT_DIRECTORY_TIMEOUT, data_dir, env, env_float, env_int, internal_secret
from .domain.scoring import ScoringWeights

DEFAULT_DIRECTORY_URL = "http://127.0.0.1:8081"
WEIGHT_VARIABLES = {
    "language": "HAVEN_MATCH_WEIGHT_LANGUAGE", "distance": "HAVEN_MATCH_WEIGHT_DISTANCE",
    "freshness": "HAVEN_MATCH_WEIGHT_FRESHNESS", "specialism": "HAVEN_MATCH_WEIGHT_SPECIALISM",
    "support": "HAVEN_MATCH_WEIGHT_SUPPORT",
    "headroom": "HAVEN_MATCH_WEIGHT_HEADROOM", "distance_half_life_km": "HAVEN_MATCH_DISTANCE_HALF_LIFE_KM",
}


@dataclass(frozen=True)
class MatcherSettings:
    directory_url: str
    internal_secret: bytes
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    directory_timeout: float = DEFAULT_DIRECTORY_TIMEOUT
    candidate_pool: int = 50
    log_level: str = "INFO"
    read_model: bool = False  # on unless HAVEN_MATCH_READ_MODEL=off when read from the environment
    read_model_interval: float = 0.2
    read_model_max_lag: float = 5.0
    figures_seconds: float = 1.0
    # Nonces of signed requests, shared by every worker on the machine (None: this process only).
    replay_db: Path | None = None
    # Nonces shared by every replica: Redis, else the engine store when HAVEN_STORE_URL names one.
    redis_url: str | None = None
    store_url: str | None = None

    def __post_init__(self):
        if self.directory_timeout <= 0:
            raise ValueError("HAVEN_DIRECTORY_TIMEOUT must be above 0")
        if not 1 <= self.candidate_pool <= 1000:
            raise ValueError("HAVEN_MATCH_CANDIDATE_POOL must be between 1 and 1000")
        if not 0.01 <= self.read_model_interval <= 60:
            raise ValueError("HAVEN_READ_MODEL_INTERVAL must be between 0.01 and 60")
        if not self.read_model_max_lag > self.read_model_interval:
            raise ValueError("HAVEN_READ_MODEL_MAX_LAG must be above HAVEN_READ_MODEL_INTERVAL")
        if not 0.05 <= self.figures_seconds <= 600:
            raise ValueError("HAVEN_FIGURES_SECONDS must be between 0.05 and 600")

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "MatcherSettings":
        defaults = ScoringWeights()
        weights = {}
        for name, variable in WEIGHT_VARIABLES.items():
            value = _number(variable, getattr(defaults, name), environ)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{variable} must be a finite number >= 0")
            weights[name] = value
        return cls(directory_url=env("HAVEN_DIRECTORY_URL", DEFAULT_DIRECTORY_URL, environ),
                   internal_secret=internal_secret(environ),
                   weights=ScoringWeights(**weights),
                   directory_timeout=_number("HAVEN_DIRECTORY_TIMEOUT", DEFAULT_DIRECTORY_TIMEOUT, environ),
                   candidate_pool=env_int("HAVEN_MATCH_CANDIDATE_POOL", 50, environ),
                   log_level=env("HAVEN_LOG_LEVEL", "INFO", environ),
                   read_model=read_model_on(environ),
                   read_model_interval=_number("HAVEN_READ_MODEL_INTERVAL", 0.2, environ),
                   read_model_max_lag=_number("HAVEN_READ_MODEL_MAX_LAG", 5.0, environ),
                   figures_seconds=_number("HAVEN_FIGURES_SECONDS", 1.0, environ),
                   replay_db=data_dir(environ) / "nonces-matcher.db",
                   redis_url=env("HAVEN_REDIS_URL", None, environ),
                   store_url=env("HAVEN_STORE_URL", None, environ))


def _number(variable: str, default: float, environ: dict | None) -> float:
    try:
        return env_float(variable, default, environ)
    except ValueError:
        raise ValueError(f"{variable} must be a number") from None


def read_model_on(environ: dict | None = None) -> bool:
    """HAVEN_MATCH_READ_MODEL: on unless set to off."""
    return _switch("HAVEN_MATCH_READ_MODEL", True, environ)


def _switch(variable: str, default: bool, environ: dict | None) -> bool:
    value = env(variable, None, environ)
    if value is None:
        return default
    if value.strip().lower() in ("on", "true", "1", "yes"):
        return True
    if value.strip().lower() in ("off", "false", "0", "no"):
        return False
    raise ValueError(f"{variable} must be on or off")
