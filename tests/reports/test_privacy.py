"""No row of the user's data leaves in what a run writes for people to read.

A unique text value and a unique number are planted in one row of each vertical's
example table; neither may appear in report.html, results.json or config.json.
The model files keep a text column's levels (the model needs them to score), but only
levels seen in at least MIN_LEVEL_ROWS rows: rarer ones are pooled (engine/contract/schema.py).

Group tables (fairness, subgroups) name the groups of a protected or subgroup column,
so a level held by a handful of rows would describe those people: such levels must be
pooled or hidden, never printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tuneplate.cli import main
from tuneplate.engine.metrics import pooled_group
from tuneplate.verticals import VERTICALS

pytestmark = pytest.mark.slow

MARKER = "zq-private-7f3a91c2"  # one row's text value
NUMBER = 987654.321  # one row's amount
# Ways a report or a JSON file could print the number.
NUMBER_FORMS = ("987654.321", "987654.32", "987,654", "987654", "9.88e+05", "9.8765e+05")
PUBLISHED = ("report.html", "results.json", "config.json")
COMMON = ("north", "south", "east", "west")
ROW = 17  # the planted row
RARE_ROWS = 8  # a rare group: under every vertical's minimum group size (10 and 30 today)


def _planted_table(vertical: str, marker_rows: list[int]) -> tuple[pd.DataFrame, object]:
    """The vertical's example with a text column `branch` holding MARKER in `marker_rows`
    only and a number column `balance` holding NUMBER in row ROW only."""
    example = VERTICALS[vertical].example()
    table = example.table.copy()
    rng = np.random.default_rng(0)
    branch = rng.choice(COMMON, len(table)).astype(object)
    branch[marker_rows] = MARKER
    balance = rng.uniform(100, 5000, len(table)).round(2)
    balance[ROW] = NUMBER
    table = table.assign(branch=branch, balance=balance)
    if VERTICALS[vertical].task == "ranking":  # one customer's and one product's ids, too
        user = table.loc[ROW, example.roles.user]
        item = table.loc[ROW, example.roles.item]
        table[example.roles.user] = table[example.roles.user].replace(user, MARKER)
        table[example.roles.item] = table[example.roles.item].replace(item, MARKER + "-item")
    assert (table["branch"] == MARKER).sum() == len(marker_rows)
    assert (table["balance"] == NUMBER).sum() == 1
    return table, example.roles


def _rare_rows(vertical: str) -> list[int]:
    """RARE_ROWS rows spread over the table, so some land in the hold-out."""
    n = len(VERTICALS[vertical].example().table)
    return list(range(3, n, n // RARE_ROWS))[:RARE_ROWS]


def _run(vertical: str, out: Path, protected: tuple[str, ...], marker_rows: list[int]) -> Path:
    table, roles = _planted_table(vertical, marker_rows)
    data = out.parent / f"{out.name}.csv"
    table.to_csv(data, index=False)
    argv = ["run", vertical, "--data", str(data)]
    if VERTICALS[vertical].task == "binary":
        argv += ["--target", roles.target]
    if getattr(roles, "positive", None) is not None:
        argv += ["--positive", str(roles.positive)]
    if protected:
        argv += ["--protected", ",".join(protected)]
    family = ["--model", "logistic"] if "logistic" in VERTICALS[vertical].spaces else []
    argv += [*family, "--trials", "2", "--storage", "memory", "--out", str(out)]
    assert main(argv) == 0
    for name in PUBLISHED:
        assert (out / name).is_file(), name
    return out


def _leaks(run_dir: Path) -> list[str]:
    found = []
    for name in PUBLISHED:
        text = (run_dir / name).read_text(encoding="utf-8")
        found += [f"{name}: {MARKER!r}"] if MARKER in text else []
        # The amount as a number of its own: not the same digits inside a longer one (an
        # AIR of 0.8209876543209877 holds "987654" and is no leak).
        found += [
            f"{name}: {form!r}"
            for form in NUMBER_FORMS
            if re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d])", text)
        ]
    return found


@pytest.mark.parametrize("vertical", sorted(VERTICALS))
def test_a_planted_row_appears_nowhere_in_what_a_run_publishes(vertical, tmp_path):
    roles = VERTICALS[vertical].example().roles
    protected = tuple(getattr(roles, "protected", None) or ())
    run_dir = _run(vertical, tmp_path / "run", protected, [ROW])
    assert _leaks(run_dir) == []
    if VERTICALS[vertical].task == "binary":  # model.json and the native model file
        for path in run_dir.rglob("model*"):  # the recommended baseline's baseline/ too
            assert MARKER.encode() not in path.read_bytes(), path.name


@pytest.mark.parametrize("vertical", sorted(n for n, v in VERTICALS.items() if v.task == "binary"))
def test_a_rare_group_of_a_protected_column_is_pooled(vertical, tmp_path):
    roles = VERTICALS[vertical].example().roles
    protected = (*(roles.protected or ()), "branch")
    rows = _rare_rows(vertical)
    run_dir = _run(vertical, tmp_path / "run", protected, rows)
    holdout = set(json.loads((run_dir / "split.json").read_text())["holdout"])
    assert holdout & set(rows), "no rare row reached the hold-out: plant it in other rows"
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for level in COMMON:  # the column does reach the report's group table (the smallest
        # group shown, in credit, pooled with the rare one: "south and smaller groups")...
        shown = f">{level}<" in html or f">{pooled_group(level)}<" in html
        assert shown, f"{level!r} missing: the group table did not show branch"
    assert _leaks(run_dir) == []  # ...but not its one-row level


@pytest.mark.parametrize("family", ["lightgbm", "xgboost", "scorecard"])
def test_the_boosters_model_files_hold_no_one_row_value(family, tmp_path):
    """A one-row level is pooled before the model sees it, and LightGBM's per-feature
    [min:max] (the planted amount is the maximum of `balance`) is not written; the
    scorecard's bins are split points between values and groups of pooled levels."""
    table, roles = _planted_table("credit-risk", [ROW])
    data = tmp_path / "planted.csv"
    table.to_csv(data, index=False)
    out = tmp_path / "run"
    argv = ["run", "credit-risk", "--data", str(data), "--target", roles.target]
    argv += ["--model", family, "--trials", "2", "--storage", "memory", "--out", str(out)]
    assert main(argv) == 0
    files = list(out.glob("model*"))
    assert len(files) == 2, files  # model.json and the booster's own file
    for path in files:
        text = path.read_text(encoding="utf-8")
        leaked = [form for form in (MARKER, *NUMBER_FORMS) if form in text]
        assert leaked == [], f"{path.name}: {leaked}"
