"""A Ctrl-C during a search stops it, even when Python swallowed the first raise."""

import signal

import optuna
import pytest

from tuneplate.engine.search import interrupt
from tuneplate.engine.search.objective import Guard
from tuneplate.engine.search.study import run


class _Finalised:
    """Ctrl-C arriving while this object's finaliser runs: Python prints "Exception
    ignored in" and goes on (what left about one `--force` run in a hundred running
    after Ctrl-C)."""

    def __del__(self):
        signal.raise_signal(signal.SIGINT)


@pytest.fixture
def python_handles_ctrl_c():
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_swallowed_by_a_finaliser_still_stops_the_search(python_handles_ctrl_c):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    started = []

    def objective(trial):
        started.append(trial.number)
        if trial.number == 2:
            _Finalised()  # dropped at once: the KeyboardInterrupt dies in its __del__
        return trial.suggest_float("x", 0, 1)

    with pytest.raises(KeyboardInterrupt):
        run(study, objective, n_trials=50, timeout=None)
    assert started == [0, 1, 2]  # the next trial stops before it starts
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    interrupt.check()  # remembered for that search only: the next one is not stopped


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_swallowed_inside_a_trial_stops_it_at_the_next_fold(python_handles_ctrl_c):
    trial = optuna.create_study().ask()
    with interrupt.noticed():
        Guard(trial, deadline=None).check()
        _Finalised()
        with pytest.raises(KeyboardInterrupt):
            Guard(trial, deadline=None).check()


def test_a_handler_the_application_set_is_left_alone():
    def own(signum, frame):
        raise RuntimeError("the application's own Ctrl-C")

    previous = signal.signal(signal.SIGINT, own)
    try:
        with interrupt.noticed():
            assert signal.getsignal(signal.SIGINT) is own
        assert signal.getsignal(signal.SIGINT) is own
    finally:
        signal.signal(signal.SIGINT, previous)
