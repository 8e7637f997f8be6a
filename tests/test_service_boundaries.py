"""The services meet only through services/shared/: every import of every module is read and checked.

Static imports, relative ones included, and dynamic ones (importlib.import_module, __import__,
importlib.util.find_spec) are resolved to the module they name; a dynamic import whose target cannot be
read from the source is refused too, since nobody could check it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
# importer's top-level package -> packages it must never import
FORBIDDEN = {
    "gateway": ("directory", "matcher"),
    "matcher": ("directory", "gateway"),
    "directory": ("gateway", "matcher"),
    "shared": ("directory", "gateway", "matcher", "cli"),
}
DYNAMIC = {"import_module", "__import__", "find_spec"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def resolve(package: str, level: int, module: str | None) -> str:
    """The absolute name of `from <dots><module> import ...` in `package`."""
    if level == 0:
        return module or ""
    base = package.split(".")
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file (or in `source`, as if it were that file)."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    package = package_of(path)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(package, node.level, node.module)
            found.append((node.lineno, target))
            # `from . import matcher` names a module too.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _called_name(node.func) in DYNAMIC:
            found.append((node.lineno, _dynamic_target(node, package)))
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _dynamic_target(call: ast.Call, package: str) -> str:
    """The module a dynamic import names, or a marker that it cannot be read from the source."""
    if not call.args:
        return "<unreadable>"
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
        if text.startswith("."):
            level = len(text) - len(text.lstrip("."))
            return resolve(package, level, text.lstrip(".") or None)
        return text
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        # f"{__package__}.web": a module inside the importer's own package.
        if (isinstance(head, ast.FormattedValue) and isinstance(head.value, ast.Name)
                and head.value.id == "__package__"):
            rest = "".join(part.value for part in first.values[1:] if isinstance(part, ast.Constant))
            return package + rest
    return "<unreadable>"


def forbidden_arrows() -> list[str]:
    arrows = []
    for path in sorted(SERVICES.rglob("*.py")):
        parts = path.relative_to(SERVICES).parts
        if len(parts) < 2 or parts[0] not in FORBIDDEN:
            continue
        reported = set()
        for line, target in imports_of(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if where in reported:
                continue  # `from X import Y` is one arrow, however many names it takes
            if target == "<unreadable>":
                arrows.append(f"{where} imports a module the source does not name")
                reported.add(where)
                continue
            pieces = target.split(".")
            if len(pieces) >= 2 and pieces[0] == "services" and pieces[1] in FORBIDDEN[parts[0]]:
                arrows.append(f"{where} services.{parts[0]} -> {target}")
                reported.add(where)
    return arrows


def test_services_import_one_another_only_through_shared():
    assert forbidden_arrows() == []


@pytest.mark.parametrize(("source", "caught"), [
    ("from ...directory.store.base import StoreUnavailable\n", "services.directory.store.base"),
    ("from ...directory.api import args\n", "services.directory.api"),
    ("import services.matcher.schemas\n", "services.matcher.schemas"),
    ("import importlib\nimportlib.import_module('services.matcher.schemas')\n", "services.matcher.schemas"),
    ("from importlib import import_module\nimport_module('...matcher', __package__)\n", "services.matcher"),
    ("import importlib\nname = 'x'\nimportlib.import_module(name)\n", "<unreadable>"),
    ("from ... import directory\n", "services.directory"),
])
def test_the_check_sees_every_kind_of_import(source, caught):
    # Read as if it were services/gateway/api/probe.py (nothing is written): its package decides relative imports.
    found = imports_of(SERVICES / "gateway" / "api" / "probe.py", source)
    assert any(target == caught or target.startswith(caught + ".") for _, target in found), found
