"""Grouped settings (`engine.config`): construction, the flat names every caller uses,
and `config.json` kept flat. A bad setting is refused in the words of whoever gave it:
the Python parameter for `tuneplate.tune(...)`, the flag for the command line."""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest
from test_cli_errors import _neutral_cwd, assert_one_line_error, cli  # noqa: F401

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.assumptions import AssumptionError
from tuneplate.engine.config import (
    GROUPS,
    Budget,
    Business,
    Columns,
    Config,
    Replay,
    Search,
    Storage,
)
from tuneplate.engine.config_fields import FIELDS, ConfigError, check_config
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.tune import Config as ReExported

# The keys of config.json's "config" object, in order, as `tuneplate run credit-risk`
# wrote them with the flat 28-field Config, before the groups; old run folders,
# replays, --resume and shared-study records hold exactly these.
FLAT_KEYS = [
    "target", "positive", "time", "group", "protected", "exclude", "subgroups", "model",
    "metric", "strategy", "n_trials", "timeout", "seed", "pruner", "storage", "study",
    "purpose", "assumptions", "user", "item", "value", "min_value", "items", "split",
    "expect_fingerprint", "allow_new_data", "warm_start", "jobs", "calibrate", "monotone",
    "blend",
]  # fmt: skip
# The same run's config.json "settings" keys (the resolved, compared settings).
SETTINGS_KEYS = [
    "target", "positive", "time", "group", "protected", "exclude", "subgroups", "model",
    "metric", "strategy", "seed", "pruner", "storage", "study", "user", "item", "value",
    "min_value", "items", "split", "warm_start", "monotone", "validation", "space",
]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"n_trials": 0}, "n_trials"), ({"seed": -1}, "seed"), ({"timeout": -5}, "timeout")],
)
def test_python_callers_are_told_the_parameter(kwargs, field):
    with pytest.raises(ConfigError) as raised:
        tuneplate.tune("credit-risk", **kwargs)
    message = str(raised.value)
    assert message.endswith(f"fix {field}=") and "--" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("argv", "flag"),
    [(["--trials", "0"], "--trials"), (["--seed", "-1"], "--seed"), (["--jobs", "0"], "--jobs")],
)
def test_command_line_users_are_told_the_flag(argv, flag, tmp_path, capsys):
    assert main(["run", "credit-risk", "--out", str(tmp_path / "run"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"fix {flag}") and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_every_field_names_a_flag():
    assert all(spec.flag.startswith("--") for spec in FIELDS.values())


def test_grouped_and_flat_construction_agree():
    grouped = Config(
        columns=Columns(target="default", protected=("sex",)),
        search=Search(strategy="random", seed=1, jobs=2),
        budget=Budget(n_trials=5),
        storage=Storage(storage="journal", study="s"),
        replay=Replay(allow_new_data=True),
        business=Business(purpose="p", assumptions={"exposure": 1.0}),
    )
    flat = Config.flat(
        target="default",
        protected=("sex",),
        strategy="random",
        seed=1,
        jobs=2,
        n_trials=5,
        storage="journal",
        study="s",
        allow_new_data=True,
        purpose="p",
        assumptions={"exposure": 1.0},
    )
    assert grouped == flat
    assert (flat.columns.target, flat.search.seed, flat.budget.n_trials) == ("default", 1, 5)
    assert ReExported is Config  # `from tuneplate.engine.tune import Config` still works


def test_every_group_has_a_default_and_the_defaults_are_the_old_ones():
    d = Config().to_dict()
    assert d["seed"] == 0 and d["jobs"] == 1 and d["storage"] == "memory"
    assert d["exclude"] == () and d["subgroups"] == () and d["assumptions"] == {}
    assert d["purpose"] == "" and d["allow_new_data"] is False
    assert all(d[k] is None for k in ("target", "n_trials", "timeout", "study", "split"))


def test_to_dict_is_flat_in_the_old_order_and_reads_back_equal():
    config = Config.flat(target="t", exclude=("a", "b"), n_trials=3, seed=7, split="last-n")
    flat = config.to_dict()
    assert list(flat) == FLAT_KEYS == list(Config.names()) == list(FIELDS)
    assert Config.from_settings(flat) == config
    # through JSON, as config.json stores it (lists back to tuples by config_values)
    from tuneplate.engine.config_fields import config_values

    saved = json.loads(json.dumps({"config": flat}))
    assert Config.from_settings(config_values(saved, "x", Config.names())) == config


def test_replace_takes_flat_names_and_leaves_the_original():
    config = Config.flat(strategy="bayes", seed=1)
    changed = config.replace(strategy="random", jobs=3, assumptions={"k": 5})
    assert (changed.search.strategy, changed.search.jobs, changed.search.seed) == ("random", 3, 1)
    assert changed.business.assumptions == {"k": 5}
    assert config.search.strategy == "bayes"
    assert config.setting("seed") == config.search.seed == 1


@pytest.mark.parametrize(
    "name, suggestion",
    [("n_trial", "n_trials="), ("seeds", "seed="), ("assumption", "assumptions=")],
)
def test_an_unknown_setting_is_refused_naming_the_closest(name, suggestion):
    with pytest.raises(TuneplateError) as info:
        Config.flat(**{name: 1})
    assert str(info.value) == f"unknown setting {name!r}; did you mean {suggestion}?"
    with pytest.raises(TuneplateError, match=f"did you mean {suggestion}"):
        Config().replace(**{name: 1})


def test_an_unknown_setting_with_nothing_close_says_where_to_look():
    with pytest.raises(TuneplateError, match="unknown setting 'zzz'; see help"):
        Config.flat(zzz=1)


def test_tune_refuses_an_unknown_setting_before_any_work():
    with pytest.raises(TuneplateError, match="unknown setting 'n_trial'; did you mean n_trials="):
        tuneplate.tune("credit-risk", n_trial=5)


def test_check_names_the_python_parameter_and_for_flags_the_flag():
    with pytest.raises(ConfigError) as info:
        check_config(Config.flat(seed=-1))
    assert str(info.value).endswith("got -1; fix seed=")
    assert info.value.for_flags().endswith("got -1; fix --seed")
    with pytest.raises(ConfigError, match="fix n_trials="):
        Config.flat(n_trials="ten").check()


def test_tune_with_a_bad_type_names_the_python_parameter():
    with pytest.raises(ConfigError) as info:
        tuneplate.tune("credit-risk", seed=-1)
    assert "\n" not in str(info.value)
    assert str(info.value).endswith("fix seed=")


def test_the_cli_names_the_flag_for_the_same_mistake(tmp_path, capsys):
    result = cli(capsys, "run", "credit-risk", "--seed", "-1", "--out", tmp_path / "run")
    line = assert_one_line_error(result, "the seed must be", "fix --seed")
    assert "seed=" not in line
    assert not (tmp_path / "run").exists()


def test_an_assumption_names_assumptions_for_python_and_assume_for_the_cli(tmp_path, capsys):
    with pytest.raises(AssumptionError) as info:
        tuneplate.tune("credit-risk", assumptions={"exposure": -3})
    assert str(info.value).endswith("fix assumptions={'exposure': ...}")
    assert "--assume" not in str(info.value)
    with pytest.raises(AssumptionError, match="fix assumptions="):
        tuneplate.tune("credit-risk", assumptions={"colour": "blue"})
    result = cli(capsys, "run", "credit-risk", "--assume", "exposure=-3", "--out", tmp_path / "r")
    line = assert_one_line_error(result, "exposure", "fix --assume exposure=VALUE")
    assert "assumptions=" not in line


def test_tune_settings_override_the_given_config(monkeypatch):
    seen = {}

    def fake_run(vertical, data, config, **kw):
        seen["config"] = config
        return "results"

    monkeypatch.setattr(tuneplate, "run_vertical", fake_run)
    base = Config.flat(strategy="random", seed=5, n_trials=9)
    assert tuneplate.tune("credit-risk", config=base, seed=1, positive=1) == "results"
    got = seen["config"]
    assert (got.search.strategy, got.search.seed, got.budget.n_trials) == ("random", 1, 9)
    assert got.columns.positive == "1"  # converted to text, as before
    tuneplate.tune("credit-risk", protected=["sex"], exclude="id", assumptions=None)
    got = seen["config"]
    assert got.columns.protected == ("sex",)
    assert got.columns.exclude == "id"  # a lone string is kept, for plan to refuse
    assert got.business.assumptions == {}
    tuneplate.tune("credit-risk")
    assert seen["config"] == Config()
    with pytest.raises(TuneplateError, match="config must be a tuneplate Config"):
        tuneplate.tune("credit-risk", config={"seed": 1})


def test_tune_has_a_short_signature_and_documents_every_setting():
    params = inspect.signature(tuneplate.tune).parameters
    assert len(params) <= 8
    assert list(params)[:3] == ["vertical", "data", "target"]
    doc = inspect.getdoc(tuneplate.tune)
    for name in Config.names():
        assert name in doc, f"tuneplate.tune's docstring does not list setting {name}"


def test_every_group_field_has_its_words_and_flag():
    assert list(GROUPS) == [f.name for f in dataclasses.fields(Config)]
    grouped = [f.name for group in GROUPS.values() for f in dataclasses.fields(group)]
    assert sorted(grouped) == sorted(FIELDS)  # each once, and each with its words


def test_a_run_writes_config_json_flat_with_the_same_keys(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = cli(
        capsys, "run", "credit-risk", "--model", "logistic", "--strategy", "random",
        "--trials", "2", "--seed", "3", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    record = json.loads((out / "config.json").read_text())
    assert list(record) == ["vertical", "data", "fingerprint", "settings", "config"]
    assert list(record["config"]) == FLAT_KEYS
    assert list(record["settings"]) == SETTINGS_KEYS
    assert record["config"]["seed"] == 3 and record["config"]["storage"] == "journal"
    # and it replays: the record reads back as the run's Config
    from tuneplate.commands import _read_config

    config, _ = _read_config(out)
    assert config.to_dict() == {
        **record["config"],
        "exclude": (),
        "subgroups": (),
    }
