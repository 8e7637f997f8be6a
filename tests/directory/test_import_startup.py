"""`haven import` starts quickly: it loads only the module of its own subcommand."""
from __future__ import annotations

from services.cli import COMMAND_MODULES, build_parser


def _commands(parser) -> set[str]:
    return set(parser._subparsers._group_actions[0].choices)


def test_every_subcommand_is_mapped_to_the_module_that_registers_it():
    assert _commands(build_parser()) == set(COMMAND_MODULES)
    for command, module in COMMAND_MODULES.items():
        assert command in _commands(build_parser(command)), module


def test_import_builds_only_the_data_commands():
    assert _commands(build_parser("import")) == {name for name, module in COMMAND_MODULES.items() if module == "data"}


def test_help_and_unknown_commands_still_list_every_subcommand():
    assert _commands(build_parser(None)) == _commands(build_parser("--help")) == set(COMMAND_MODULES)
