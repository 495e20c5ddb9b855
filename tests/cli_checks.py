"""Helpers the command-line tests share: a folder's digest, a one-line refusal, and an
exported script run as on a machine without tuneplate.

Imported by name (tests/ is on the path, as for report_outline.py).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

# Runs a script with every `tuneplate` import failing, as on a machine without it.
WITHOUT_TUNEPLATE = (
    "import runpy, sys; sys.modules['tuneplate'] = None; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def without_tuneplate(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS...` in `folder` (an exported project) with tuneplate unimportable."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_TUNEPLATE, *map(str, args)],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def assert_smoke_tests_pass(project: Path) -> None:
    """The exported project's own tests (`tests/`) pass, run in the project."""
    smoke = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert smoke.returncode == 0, smoke.stdout


def refit_gap(project: Path, data: Path) -> float:
    """The largest difference between the scores of an exported project's `refit/` model
    (written by its train.py) and of the model it ships, on `data`, without tuneplate."""
    code = (
        "import sys, numpy as np; sys.path.insert(0, '.'); sys.modules['tuneplate'] = None; "
        "from model_io import load_model, read_table; rows = read_table(sys.argv[1]); "
        "print(np.abs(load_model('refit')(rows)[0] - load_model()(rows)[0]).max())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return float(done.stdout)


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder`, by relative path, with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(result: tuple[int, str, str], *words: str) -> str:
    """Assert exit 2 with one line on stderr, naming `words`, and no traceback; return it."""
    code, out, err = result
    assert "Traceback" not in out + err
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tuneplate: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def refused_in_one_line(done: subprocess.CompletedProcess, *words: str) -> str:
    """An exported script's refusal: exit 2 and one line on stderr naming `words`;
    return the line."""
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
