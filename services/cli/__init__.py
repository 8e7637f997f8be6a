"""The `haven` command: run the services, manage tokens and accounts, move data in and out."""
from __future__ import annotations

import argparse
import importlib
import sys
from importlib import metadata

from ..shared.config import keep_files_private

# The module of each subcommand, so `haven import` loads only what importing needs (not the web stack);
# help and unknown commands load every module. Each module adds its subcommands with
# register(subparsers); a subcommand sets func(args) -> int.
COMMAND_MODULES = {"up": "run", "tokens": "tokens", "users": "users", "import": "data", "export": "data",
                   "seed": "data", "stale": "data", "reindex": "engine", "migrate": "engine",
                   "backup": "backup", "restore": "backup"}
SUBCOMMAND_MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every subcommand, or only for those of `command`'s module."""
    parser = argparse.ArgumentParser(prog="haven", description=__doc__)
    parser.add_argument("--version", action="version", version=f"haven {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    wanted = COMMAND_MODULES.get(command)
    for name in (wanted,) if wanted else SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def version() -> str:
    """The installed distribution's version; a source tree that was never installed says so."""
    try:
        return metadata.version("haven")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    # Before any command opens a store or writes a key; `haven up`'s services inherit it.
    keep_files_private()
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:
        # Answered without loading every subcommand's module.
        print(f"haven {version()}")
        return 0
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
