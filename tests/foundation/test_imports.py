"""Importing an area's models or services stays cheap: no routes, no blueprints, no import cycle.

Each check imports in a fresh interpreter, since this test process has long since built the
whole app. Only the factory (create_app) imports views; see docs/architecture.md.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "convene"
#: Packages that are not areas: the base layer (checked below) and security/, in the app layer.
NOT_AREAS = {"base", "security"}
AREAS = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py") if path.parent.name not in NOT_AREAS)
#: The base layer: what every area may import, and what imports no area (docs/architecture.md).
BASE_MODULES = [
    "convene.config", "convene.extensions", "convene.db_types", "convene.errors", "convene.editing",
    "convene.forms", "convene.urls", "convene.redirects", "convene.caching", "convene.schema_extras",
    *sorted(f"convene.base.{path.stem}" for path in (PACKAGE / "base").glob("*.py") if path.stem != "__init__"),
]
#: Function-level imports of convene modules allowed outside the factory (each says why in a comment).
MAX_LATE_IMPORTS = 5

PROBE = """
import importlib, json, sys
loaded = {}
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded[name] = sorted(m for m in sys.modules if m.startswith("convene"))
print(json.dumps(loaded))
"""


def _probe(names: list[str]) -> dict[str, list[str]]:
    """{module: every convene module loaded once it is imported}, in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", PROBE, *names], capture_output=True, text=True,
                            cwd=PACKAGE.parent, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _web_modules(modules: list[str]) -> list[str]:
    """Route modules: views.py, blueprint.py, or any module of a views/ package."""
    return [m for m in modules if {"views", "blueprint"} & set(m.split("."))]


def _area_modules(area: str) -> list[str]:
    """Every module of an area except its routes (views.py, or the views/ package)."""
    return [f"convene.{area}.{path.stem}" for path in sorted((PACKAGE / area).glob("*.py"))
            if path.stem not in ("__init__", "views", "blueprint")]


def test_every_area_and_base_module_is_checked():
    assert {"invitations", "diversity", "agenda", "people", "tokens", "i18n", "ops"} <= set(AREAS)
    assert {"convene.invitations.forms", "convene.invitations.answers", "convene.invitations.cli",
            "convene.agenda.rendering", "convene.diversity.counting"} <= set(_area_modules("invitations")
                                                                              + _area_modules("agenda")
                                                                              + _area_modules("diversity"))
    assert "convene.base.countries" in BASE_MODULES


@pytest.mark.parametrize("area", AREAS)
def test_area_modules_load_no_views(area):
    """Models, services (and the modules they were split into), forms, cli: none loads a route module."""
    names = _area_modules(area)
    for name, modules in _probe(names).items():
        assert _web_modules(modules) == [], f"importing {name} loads {_web_modules(modules)}"


def test_base_layer_imports_no_area():
    loaded = _probe(["convene", *BASE_MODULES])
    package = set(loaded["convene"])  # what the factory's own module imports, whoever asks
    assert sorted(set(loaded[BASE_MODULES[-1]]) - package - {"convene.base", *BASE_MODULES}) == []


@pytest.mark.parametrize("area", AREAS)
def test_area_package_is_only_a_docstring(area):
    """An area's __init__.py creates nothing, so importing any module of it costs only that module."""
    tree = ast.parse((PACKAGE / area / "__init__.py").read_text())
    code = [node for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert code == []


def _late_imports() -> list[tuple[str, bool]]:
    """(file:line, has a reason comment) for each import of a convene module inside a function."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue  # the factory imports each area's views and commands when it wires them
        lines = path.read_text().splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("convene")):
                    above = lines[node.lineno - 2].strip()
                    found.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno}",
                                  "#" in lines[node.lineno - 1] or above.startswith("#")))
    return found


def test_late_imports_are_few_and_explained():
    found = _late_imports()
    assert [where for where, explained in found if not explained] == []
    assert len(found) <= MAX_LATE_IMPORTS, found
