"""A bad setting is refused in the words of whoever gave it: the Python parameter for
`tuneplate.tune(...)`, the flag for the command line."""

import pytest

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.config_fields import FIELDS, ConfigError


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
