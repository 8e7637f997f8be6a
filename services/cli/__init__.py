"""The `haven` command: run the services, manage tokens and accounts, move data in and out."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each module adds its subcommands with register(subparsers); a subcommand sets func(args) -> int.
SUBCOMMAND_MODULES = ("run", "tokens", "users", "data", "engine")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haven", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
