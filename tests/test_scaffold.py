"""`tuneplate new-vertical` and plugins: a generated vertical works as an installed plugin."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tuneplate.cli import main


def _register(site: Path, dist: str, entries: dict[str, str]) -> None:
    """What `pip install` leaves behind for entry points: a dist-info folder on the path."""
    info = site / f"{dist.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[tuneplate.verticals]\n{lines}")


def _tuneplate(args, paths, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, paths))}
    return subprocess.run(
        [sys.executable, "-m", "tuneplate", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("projects")
    assert main(["new-vertical", "Churn Risk", "--dir", str(folder)]) == 0
    return folder / "churn-risk"


def test_generated_vertical_has_the_five_files_and_a_test(generated):
    package = generated / "churn_risk"
    for name in ("__init__.py", "space.py", "metrics.py", "checks.py", "data.py"):
        assert (package / name).is_file(), name
    assert (generated / "tests" / "test_churn_risk.py").is_file()
    assert 'churn-risk = "churn_risk:VERTICAL"' in (generated / "pyproject.toml").read_text()


def _tuneplate_imports(folder: Path) -> set[str]:
    """Every tuneplate module the generated files import."""
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tuneplate"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("tuneplate")}
    return found


@pytest.mark.parametrize("task", ["generated", "ranking"])
def test_a_generated_vertical_imports_only_the_plugin_surface(task, request):
    """Reshuffling the engine must never break a third-party vertical: the scaffold
    imports `tuneplate.plugin` (and `tuneplate` itself), nothing deeper."""
    project = request.getfixturevalue(task)
    folder = project[0] if isinstance(project, tuple) else project
    assert _tuneplate_imports(folder) <= {"tuneplate", "tuneplate.plugin"}


def test_every_name_the_plugin_surface_lists_imports():
    import tuneplate.plugin

    missing = [n for n in tuneplate.plugin.__all__ if not hasattr(tuneplate.plugin, n)]
    assert not missing and len(set(tuneplate.plugin.__all__)) == len(tuneplate.plugin.__all__)


def test_generated_contract_test_passes(generated):
    env = {**os.environ, "PYTHONPATH": str(generated)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=generated,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_generated_vertical_runs_as_a_plugin(generated, tmp_path):
    site = tmp_path / "site"
    _register(site, "tuneplate-churn-risk", {"churn-risk": "churn_risk:VERTICAL"})
    listed = _tuneplate(["verticals"], [site, generated], tmp_path)
    assert "churn-risk" in listed.stdout and "plugin from tuneplate-churn-risk" in listed.stdout
    assert "credit-risk" in listed.stdout and "[built-in]" in listed.stdout
    out = tmp_path / "run"
    ran = _tuneplate(
        ["run", "churn-risk", "--trials", "2", "--out", str(out)], [site, generated], tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert (out / "report.html").is_file() and (out / "results.json").is_file()
    # its operating point is recorded, so explain gives decisions (it refused, saying the
    # fresh run "predates" the threshold)
    rows = tmp_path / "rows.csv"
    write = f"import churn_risk; churn_risk.VERTICAL.example().table.head(30).to_csv({str(rows)!r})"
    subprocess.run([sys.executable, "-c", write], check=True, cwd=tmp_path,
                   env={**os.environ, "PYTHONPATH": str(generated)})  # fmt: skip
    reasons = tmp_path / "reasons.csv"
    asked = ["explain", str(out), "--data", str(rows), "--out", str(reasons)]
    explained = _tuneplate(asked, [site, generated], tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert len(pd.read_csv(reasons)) == 30


def test_a_broken_plugin_is_reported_and_the_others_still_work(generated, tmp_path):
    site = tmp_path / "site"
    _register(site, "tuneplate-churn-risk", {"churn-risk": "churn_risk:VERTICAL"})
    _register(site, "tuneplate-broken", {"broken": "no_such_module_xyz:VERTICAL"})
    listed = _tuneplate(["verticals"], [site, generated], tmp_path)
    assert listed.returncode == 0
    assert "churn-risk" in listed.stdout and "credit-risk" in listed.stdout
    broken = [line for line in listed.stderr.splitlines() if "broken" in line]
    assert len(broken) == 1 and "ModuleNotFoundError" in broken[0]
    assert "Traceback" not in listed.stderr


def test_running_a_vertical_that_does_not_load_names_the_error_and_its_line(tmp_path):
    """Every command said "unknown vertical" for an installed vertical with a typo; only
    `tuneplate verticals` showed why."""
    site = tmp_path / "site"
    module = 'METRICS = {"roc_auc": 1}\nOBJECTIVE = METRICS["roc_acu"]\n'
    (tmp_path / "typo_metrics.py").write_text(module)
    _register(site, "tuneplate-typo", {"typo": "typo_metrics:VERTICAL"})
    ran = _tuneplate(["run", "typo", "--trials", "2"], [site, tmp_path], tmp_path)
    assert ran.returncode == 2 and len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    assert "could not be loaded: KeyError: 'roc_acu' (typo_metrics.py, line 2)" in ran.stderr
    unknown = _tuneplate(["run", "churn-risk", "--trials", "2"], [tmp_path], tmp_path)
    assert unknown.returncode == 2 and "pip install -e" in unknown.stderr  # not installed


def test_existing_project_is_never_overwritten(generated, capsys):
    before = (generated / "churn_risk" / "space.py").read_text()
    (generated / "churn_risk" / "space.py").write_text(before + "# my edit\n")
    assert main(["new-vertical", "churn-risk", "--dir", str(generated.parent)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already exists" in err
    assert (generated / "churn_risk" / "space.py").read_text().endswith("# my edit\n")


@pytest.mark.parametrize(
    "name", ["2fast", "class", "a/b", "credit-risk", "-", "churn_", "churn-", "_"]
)
def test_bad_names_are_refused_in_one_line(name, tmp_path, capsys):
    assert main(["new-vertical", name, "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "said"),
    [("pandas", "already imports"), ("json", "already imports"), ("import", "keyword")],
)
def test_names_python_already_uses_are_refused(name, said, tmp_path, capsys):
    """`new-vertical idna` wrote a package that, installed, replaced the real idna."""
    assert main(["new-vertical", name, "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and said in err and not any(tmp_path.iterdir())


def test_an_unknown_task_is_refused_in_one_line(tmp_path, capsys):
    assert main(["new-vertical", "shop", "--task", "regression", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--task 'regression' is not available" in err
    assert "binary, ranking" in err and not any(tmp_path.iterdir())


@pytest.fixture(scope="module")
def ranking(tmp_path_factory):
    """A generated ranking vertical and a site folder that registers it, as pip would."""
    folder = tmp_path_factory.mktemp("ranking")
    assert main(["new-vertical", "Shop Picks", "--task", "ranking", "--dir", str(folder)]) == 0
    _register(folder / "site", "tuneplate-shop-picks", {"shop-picks": "shop_picks:VERTICAL"})
    return folder / "shop-picks", folder / "site"


def test_ranking_vertical_has_the_five_files_and_a_test(ranking):
    generated, _ = ranking
    package = generated / "shop_picks"
    for name in ("__init__.py", "space.py", "metrics.py", "checks.py", "data.py"):
        assert (package / name).is_file(), name
    assert 'task="ranking"' in (package / "__init__.py").read_text()
    assert "InteractionRoles" in (package / "data.py").read_text()
    assert (generated / "tests" / "test_shop_picks.py").is_file()
    assert 'shop-picks = "shop_picks:VERTICAL"' in (generated / "pyproject.toml").read_text()
    assert "--task ranking" in (generated / "README.md").read_text()


def test_ranking_contract_test_passes(ranking):
    generated, site = ranking
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (site, generated)))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=generated,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_ranking_vertical_runs_on_its_example_right_after_generation(ranking, tmp_path):
    generated, site = ranking
    out = tmp_path / "run"
    ran = _tuneplate(
        ["run", "shop-picks", "--trials", "1", "--out", str(out)], [site, generated], tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert "NDCG@10" in ran.stdout
    assert (out / "report.html").is_file() and (out / "results.json").is_file()


@pytest.mark.slow
def test_the_generated_example_beats_its_baseline_out_of_the_box(generated, monkeypatch):
    """#16 item 7: the starting point's own example gives a tuned model that beats the
    logistic baseline beyond noise, and a verdict not held back by the template itself."""
    from tuneplate.engine.config import Config
    from tuneplate.engine.tune import run_vertical
    from tuneplate.reports.view import View

    monkeypatch.syspath_prepend(str(generated))
    import churn_risk

    results = run_vertical(churn_risk.VERTICAL, config=Config.flat(seed=0))
    assert results.baseline.decision == "better", results.baseline
    verdict = View.of(results).verdict
    assert verdict.level == "good" and verdict.recommended == "tuned", verdict.reasons


def test_the_generated_readme_installs_what_its_steps_use(generated):
    readme = (generated / "README.md").read_text()
    assert 'pip install -e ".[test]"' in readme  # pytest, for its last step
    assert "pypi.org" not in readme  # tuneplate is not published there


def test_an_error_in_a_verticals_own_code_is_one_line_with_the_way_to_resume(tmp_path):
    """A typo in a team's check or evaluate printed 40 lines of pandas traceback, exit 1;
    the evaluate one after the whole search, without the resume hint in view."""
    (tmp_path / "team.py").write_text(
        "import dataclasses\n"
        "from tuneplate.verticals import credit_risk\n"
        "def evaluate(outcome):\n"
        "    return {}['currencyy']\n"
        "def check_amount(table, roles):\n"
        "    return table['claim_ammount']\n"
        "BAD_EVALUATE = dataclasses.replace(credit_risk.VERTICAL, name='bad-evaluate', "
        "evaluate=evaluate)\n"
        "BAD_CHECK = dataclasses.replace(credit_risk.VERTICAL, name='bad-check', "
        "checks=(check_amount,))\n"
    )
    site = tmp_path / "site"
    entries = {"bad-evaluate": "team:BAD_EVALUATE", "bad-check": "team:BAD_CHECK"}
    _register(site, "tuneplate-team", entries)
    paths, out = [site, tmp_path], tmp_path / "run"
    checked = _tuneplate(["check", "bad-check"], paths, tmp_path)
    assert checked.returncode == 2 and len(checked.stderr.strip().splitlines()) == 1
    assert "bad-check vertical's check check_amount raised KeyError" in checked.stderr
    assert "(team.py, line 6)" in checked.stderr
    fast = ["--model", "logistic", "--strategy", "random", "--trials", "2", "--out", str(out)]
    ran = _tuneplate(["run", "bad-evaluate", *fast], paths, tmp_path)
    assert ran.returncode == 2 and len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    assert "evaluate raised KeyError: 'currencyy' (team.py, line 4)" in ran.stderr
    assert f"tuneplate run bad-evaluate --out {out} --resume" in ran.stderr
