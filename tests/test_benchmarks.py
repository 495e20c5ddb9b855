"""The benchmarks still measure what they say: each run small, end to end.

A benchmark that reaches into the engine can go stale without any test failing: the
million-row benchmark's naive side set fold and pruner constants on `engine.tune`,
which only re-exports them, so from the one-runner change on its plan kept the big
table's 3 folds and median pruner and the run stopped on its own assertion.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
def test_the_million_row_benchmark_compares_like_with_like_above_the_big_table_rows(tmp_path):
    # 6,000 rows: above the rows from which tuneplate uses 3 folds and the median
    # pruner, so the naive sides must switch both off to compare what they claim.
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "million_rows.py"), "--rows", "6000", "--trials", "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "| naive loop (rebuild per trial) | 5 | none | 2/0 |" in out
    assert "| naive loop, tuneplate's 3 folds | 3 | none | 2/0 |" in out
    assert "| tuneplate default | 3 | median |" in out
    assert "same trial parameters on every side: True" in out


@pytest.mark.slow
def test_the_after_search_benchmark_finds_the_same_bins_and_scores_both_ways(tmp_path):
    # It rebuilds the old way (optbinning's BinningProcess, folds refitted from their
    # rows) beside today's: both must still give the same bins and out-of-fold scores.
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "after_search.py"), "--tables", "german"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(row for row in done.stdout.splitlines() if row.startswith("| german |"))
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[5] == "True" and cells[9] == "True", line  # same bins, same scores
