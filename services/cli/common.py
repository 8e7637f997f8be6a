"""What the subcommands share: who is running them, the time, progress bars and error lines."""
from __future__ import annotations

import getpass
import sys
from datetime import datetime, timezone
from functools import partial


def operator() -> str:
    """The login name of whoever runs the command, or "unknown"."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def actor() -> str:
    """The audit actor of a change made from the command line."""
    return f"cli:{operator()}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def progress_bar(args):
    """A tqdm factory on stderr, silent with --quiet."""
    from tqdm import tqdm

    return partial(tqdm, file=sys.stderr, disable=args.quiet, mininterval=0.5, dynamic_ncols=True)


def error(command: str, message: str) -> int:
    print(f"haven {command}: {message}", file=sys.stderr)
    return 1
