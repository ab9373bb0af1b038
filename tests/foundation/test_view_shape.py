"""The shape of the request edge, measured on the source: views never roll back, stay short, catch little.

Run `python -m tests.foundation.test_view_shape` for the figures (route function lengths, median and
p90, the longest routes, rollback() calls and except clauses in route modules).
"""
from __future__ import annotations

import ast
import statistics
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "convene"
#: Route functions, measured from `def` to their last line (docstring included, decorators not).
P90_LIMIT = 18
MODULE_LIMIT = 400
ROUTE_DECORATORS = {"route", "get", "post"}
#: Route modules not converted yet (issue 12 item 3). Shrink this set, never grow it.
NOT_YET_ON_THE_EDGE: set[str] = set()
#: Route modules past MODULE_LIMIT, each to be split by audience into a views/ package like
#: invitations/views/. Empty since actions/views/ was split; keep it so.
OVER_THE_LIMIT: set[str] = set()


@dataclass
class RouteModule:
    path: Path
    tree: ast.Module
    lines: list[str]

    @property
    def name(self) -> str:
        return str(self.path.relative_to(PACKAGE.parent))

    def routes(self) -> list[ast.FunctionDef]:
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.FunctionDef) and _is_route(node)]

    def calls(self, attribute: str) -> list[int]:
        return [node.lineno for node in ast.walk(self.tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr == attribute]

    def handlers(self) -> list[ast.ExceptHandler]:
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.ExceptHandler)]


def _is_route(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS \
                and isinstance(target.value, ast.Name) and target.value.id == "bp":
            return True
    return False


def converted() -> list[RouteModule]:
    return [m for m in route_modules() if m.name not in NOT_YET_ON_THE_EDGE]


def route_modules() -> list[RouteModule]:
    """Every module of convene/ that declares routes on a blueprint."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = RouteModule(path, ast.parse(text), text.splitlines())
        if module.routes():
            found.append(module)
    return found


def length(node: ast.FunctionDef) -> int:
    return node.end_lineno - node.lineno + 1


def p90(values: list[int]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def test_route_modules_are_found():
    names = {m.name for m in route_modules()}
    assert {"convene/invitations/views/invitee.py", "convene/agenda/views/editor.py"} <= names and len(names) >= 14


def test_no_view_rolls_back():
    """The edge rolls back (convene/edge.py); a view only declares how a refusal is answered."""
    calls = [f"{m.name}:{line}" for m in converted() for line in m.calls("rollback")]
    assert calls == []


def test_every_except_in_a_view_says_why():
    """An except in a route module does something the edge cannot, and a comment on its line says what."""
    silent = [f"{m.name}:{h.lineno}" for m in converted() for h in m.handlers()
              if "#" not in m.lines[h.lineno - 1]]
    assert silent == []


def test_route_functions_are_short():
    lengths = [length(r) for m in route_modules() for r in m.routes()]
    assert p90(lengths) <= P90_LIMIT


def test_route_modules_stay_under_the_module_limit():
    """Every module with routes, converted or not: an area whose routes outgrow one module splits them
    by audience and task into a views/ package on one blueprint (invitations, agenda)."""
    assert [f"{m.name}: {len(m.lines)} lines" for m in route_modules()
            if len(m.lines) > MODULE_LIMIT and m.name not in OVER_THE_LIMIT] == []


def test_every_module_stays_under_the_module_limit():
    """Issue 12: no module in convene/ over 400 lines, routes or not: one that grows splits by subject."""
    long = [f"{path.relative_to(PACKAGE.parent)}: {n} lines" for path in sorted(PACKAGE.rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LIMIT]
    assert long == []


def report() -> str:
    modules = route_modules()
    routes = sorted(((length(r), f"{m.name}:{r.lineno} {r.name}") for m in modules for r in m.routes()),
                    reverse=True)
    lengths = [n for n, _ in routes]
    lines = [f"route functions: {len(lengths)}, median {statistics.median(lengths)}, p90 {p90(lengths):.1f}, "
             f"max {max(lengths)}",
             f"rollback() calls in route modules: {sum(len(m.calls('rollback')) for m in modules)}",
             f"commit() calls in route modules: {sum(len(m.calls('commit')) for m in modules)}",
             f"except clauses in route modules: {sum(len(m.handlers()) for m in modules)}",
             "largest route modules: " + ", ".join(f"{m.name} {len(m.lines)}" for m in
                                                   sorted(modules, key=lambda m: -len(m.lines))[:5]),
             "longest routes:"]
    lines += [f"  {n:3d}  {where}" for n, where in routes[:15]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
