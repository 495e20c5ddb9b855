"""The wheel: one top-level package, its data and templates inside, and it works installed.

The wheel is built from a copy of the repository: an in-tree build reuses ./build/lib,
so a module deleted from the source could still ship from a stale build, and it would
write build/ and *.egg-info into the work tree.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
DIST_INFO = f"tuneplate-{VERSION}.dist-info/"
EXAMPLE_CSV = "tuneplate/verticals/credit_risk/german_credit.csv"

# Source folder -> where it lands in the wheel (pyproject's [tool.setuptools.package-dir]).
PACKAGE_DIRS = {
    "src/tuneplate": "tuneplate",
    "engine": "tuneplate/engine",
    "verticals": "tuneplate/verticals",
    "reports": "tuneplate/reports",
    "templates": "tuneplate/templates",
}
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".venv",
    "tuneplate-runs",
)


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=180, **kwargs
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, argv))} exited {proc.returncode}\n"
        f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    dist = tmp / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["-w", dist, source]
    )
    (built,) = dist.glob("tuneplate-*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_wheel_holds_only_the_tuneplate_package(names):
    strays = [n for n in names if not n.startswith(("tuneplate/", DIST_INFO))]
    assert not strays, f"outside tuneplate/ and {DIST_INFO}: {strays}"
    tops = {n.split("/", 1)[0] for n in names}
    assert not tops & {"engine", "reports", "verticals", "templates", "tests", "benchmarks"}


def test_wheel_holds_the_example_data_and_every_template(wheel, names):
    assert EXAMPLE_CSV in names
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(EXAMPLE_CSV)
    assert shipped == (ROOT / "verticals/credit_risk/german_credit.csv").read_bytes()

    templates = {n for n in names if n.startswith("tuneplate/templates/")}
    assert "tuneplate/templates/report.html.jinja2" in templates
    assert any(n.startswith("tuneplate/templates/sections/") for n in templates)
    in_source = {
        "tuneplate/templates/" + p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*.jinja2")
    }
    assert in_source and in_source <= templates, sorted(in_source - templates)


def test_wheel_holds_every_source_module(names):
    """The package list in pyproject is explicit: a new subpackage must be added there."""
    missing = [
        f"{dest}/{path.relative_to(ROOT / src).as_posix()}"
        for src, dest in PACKAGE_DIRS.items()
        for path in (ROOT / src).rglob("*.py")
        if "__pycache__" not in path.parts
    ]
    missing = [m for m in missing if m not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_wheel_declares_the_console_script(wheel):
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(DIST_INFO + "entry_points.txt").decode()
    entry_points = configparser.ConfigParser()
    entry_points.read_string(text)
    assert entry_points["console_scripts"]["tuneplate"].strip() == "tuneplate.cli:main"


INSPECT = """
import json
from importlib.resources import files

from tuneplate.reports.render import env
from tuneplate.verticals.credit_risk import data


def walk(node, prefix=""):
    for child in node.iterdir():
        if child.is_dir():
            yield from walk(child, prefix + child.name + "/")
        else:
            yield prefix + child.name


example = data.load()
print(json.dumps({
    "shape": list(example.table.shape),
    "target": example.roles.target,
    "csv": str(files("tuneplate.verticals.credit_risk") / "german_credit.csv"),
    "templates": sorted(walk(files("tuneplate.templates"))),
    "loaded": env.get_template("report.html.jinja2").filename,
}))
"""


def test_installed_wheel_runs_from_its_own_files(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    # The dependencies come from the environment running the tests, which is itself
    # usually a virtual environment: `--system-site-packages` would reach the base
    # Python's packages instead. A .pth line adds a folder to sys.path without running
    # the .pth files inside it, so the test environment's editable install of tuneplate
    # stays invisible and only the wheel's copy can be imported.
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    here = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (site / "test-environment.pth").write_text("\n".join(sorted(here)) + "\n")
    # Without the caller's PYTHONPATH: pip would find a tuneplate there "already
    # satisfied" and install nothing into the venv.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], env=env)

    elsewhere = tmp_path / "elsewhere"  # not the repo: nothing importable by accident
    elsewhere.mkdir()

    def inside_venv(path: str) -> bool:
        return Path(path).resolve().is_relative_to(venv.resolve())

    where = _run(
        [python, "-c", "import tuneplate, pathlib; print(tuneplate.__file__)"],
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert inside_venv(where), f"imported {where}, not the installed wheel"

    found = json.loads(_run([python, "-c", INSPECT], cwd=elsewhere, env=env).stdout)
    assert found["shape"] == [1000, 21]
    assert found["target"] == "creditability"
    assert inside_venv(found["csv"]), found["csv"]
    assert inside_venv(found["loaded"]), found["loaded"]
    assert {"report.html.jinja2", "base.html.jinja2"} <= set(found["templates"])
    assert any(t.startswith("sections/") for t in found["templates"]), found["templates"]

    listed = _run([venv / "bin" / "tuneplate", "verticals"], cwd=elsewhere, env=env).stdout
    assert "credit-risk" in listed

    # From the repository root too: the face lives in src/, so no folder there named
    # `tuneplate` shadows the installed package (it once failed with "No module named
    # 'tuneplate.engine'").
    at_root = _run(
        [python, "-c", "import tuneplate; print(tuneplate.tune.__module__, tuneplate.__file__)"],
        cwd=ROOT,
        env=env,
    ).stdout.split()
    assert at_root[0] == "tuneplate" and inside_venv(at_root[1]), at_root
