"""The built-in verticals are written as a third party would write one: against
`tuneplate.plugin` only, so they stay honest templates for a team's own vertical."""

import ast
from pathlib import Path

import pytest

VERTICALS = Path(__file__).resolve().parents[2] / "verticals"
FIVE_FILES = ("__init__.py", "space.py", "metrics.py", "checks.py", "data.py")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("tuneplate")}


@pytest.mark.parametrize("name", ["credit_risk", "diagnosis", "recommendation"])
def test_a_vertical_imports_the_engine_only_through_the_plugin_surface(name):
    folder = VERTICALS / name
    deeper = {
        f"{file}: {module}"
        for file in FIVE_FILES
        for module in _imports(folder / file)
        if module != "tuneplate.plugin" and not module.startswith(f"tuneplate.verticals.{name}")
    }
    assert not deeper, sorted(deeper)
