"""The project's packages depend on each other one way only, and migrations import no live code.

Layers, top to bottom: a package may import the packages of the layers below it, never above or beside
(imports inside functions count too: a cycle hidden in a function is still a cycle).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS: list[tuple[str, ...]] = [
    # the sync fills the mirror (writes users and meetings); the JSON API requests role changes
    ("zoomadmin_site.sync", "zoomadmin_site.api"),
    ("meetings",),
    ("accounts",),
    ("zoomadmin_site.changes",),  # the change machinery: role changes and host transfers use it
    ("zoomadmin_site.mirror", "zoomadmin_site.search", "zoomadmin_site.audit"),
    ("zoomadmin_site.zoom",),
    ("zoomadmin_site.sandbox",),  # the simulator; the client builds its in-process transport from it
]
PACKAGES = [package for layer in LAYERS for package in layer]
LEVEL = {package: level for level, layer in enumerate(LAYERS) for package in layer}


def package_of(module: str) -> str | None:
    return next((p for p in PACKAGES if module == p or module.startswith(p + ".")), None)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement in the file names, wherever the statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                name = module_name(path)
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def source_files(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def package_imports() -> dict[tuple[str, str], list[str]]:
    """(importer package, imported package) -> the files where it happens."""
    edges: dict[tuple[str, str], list[str]] = {}
    for package in PACKAGES:
        for path in source_files(package):
            for name in imported_modules(path):
                target = package_of(name)
                if target and target != package:
                    edges.setdefault((package, target), []).append(str(path.relative_to(ROOT)))
    return edges


def test_the_layers_cover_real_packages():
    for package in PACKAGES:
        assert source_files(package), package


def test_the_imports_between_packages_run_one_way_only():
    wrong = {
        f"{importer} imports {imported} ({', '.join(sorted(set(files)))})"
        for (importer, imported), files in package_imports().items()
        if LEVEL[imported] <= LEVEL[importer]
    }
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_the_package_graph_has_no_cycle():
    edges = package_imports()
    graph = {package: {b for (a, b) in edges if a == package} for package in PACKAGES}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, "import cycle: " + " -> ".join((*path, node))
        if node not in done:
            for target in graph[node]:
                visit(target, (*path, node))
            done.add(node)

    for package in PACKAGES:
        visit(package, ())


def test_the_checker_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from accounts.models import ZoomUser\n")
    assert "accounts.models" in imported_modules(module)


MIGRATION_DIRS = sorted(p for p in ROOT.glob("**/migrations") if ".venv" not in p.parts and p.is_dir())


# Django's migration writer names a custom model field by its import path; the field class must stay
# importable (it holds no behaviour a migration depends on).
CUSTOM_FIELD_MODULES = {"zoomadmin_site.audit.models"}


@pytest.mark.parametrize("path", [p for d in MIGRATION_DIRS for p in sorted(d.glob("0*.py"))], ids=str)
def test_migrations_import_no_live_project_code(path):
    """A migration must run the same way forever: what it needs of today's code is frozen inside it."""
    ours = {"accounts", "meetings", "zoomadmin_site", "tests", "bench"}
    live = sorted(
        n for n in imported_modules(path) if n.split(".")[0] in ours and n not in CUSTOM_FIELD_MODULES
    )
    assert not live, f"{path.relative_to(ROOT)} imports {live}"


@pytest.mark.parametrize(
    ("migration", "spec_path", "builder"),
    [
        ("accounts.migrations.0002_user_search_index", "accounts.search.USER_SEARCH", "install_sql"),
        ("meetings.migrations.0002_meeting_search_index", "meetings.search.MEETING_SEARCH", "install_sql"),
        ("accounts.migrations.0004_user_search_text", "accounts.search.USER_SEARCH", "search_text_sql"),
        ("meetings.migrations.0005_meeting_search_text", "meetings.search.MEETING_SEARCH", "search_text_sql"),
    ],
)
def test_the_frozen_index_sql_is_what_the_search_code_expects(migration, spec_path, builder):
    """The search code (and its post-migrate repair, ensure_search_indexes) and the migrations agree on the
    index. Changing a search spec fails here: add a migration with the new SQL frozen in it."""
    from zoomadmin_site.search import index

    module_path, _, name = spec_path.rpartition(".")
    spec = getattr(importlib.import_module(module_path), name)
    frozen = importlib.import_module(migration).FORWARDS
    for vendor in ("sqlite", "postgresql"):
        assert frozen[vendor] == getattr(index, builder)(spec, vendor), vendor


def test_the_frozen_audit_triggers_are_the_ones_the_audit_app_reinstalls():
    from zoomadmin_site.audit import db_triggers

    frozen = importlib.import_module(db_triggers.FROZEN_IN)  # the latest migration that changed them
    assert {
        "sqlite": list(db_triggers.SQLITE_INSTALL),
        "postgresql": list(db_triggers.POSTGRESQL_INSTALL),
    } == frozen.FORWARDS
    assert {
        "sqlite": list(db_triggers.SQLITE_REMOVE),
        "postgresql": list(db_triggers.POSTGRESQL_REMOVE),
    } == frozen.BACKWARDS


def test_the_frozen_operator_roles_are_todays():
    from zoomadmin_site import roles

    frozen = importlib.import_module("zoomadmin_site.migrations.0001_initial")
    assert frozen.PERMISSIONS == roles.PERMISSIONS
    assert {name: list(codenames) for name, codenames in roles.GROUPS.items()} == frozen.GROUPS
