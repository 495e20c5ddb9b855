"""The library versions a run records are the ones that fitted the model."""

import lightgbm
import sklearn
import xgboost

from tuneplate.engine.tasks.task import installed_version, versions


def test_recorded_versions_are_the_imported_libraries():
    # xgboost may be installed as the `xgboost-cpu` distribution (our default on x86-64
    # Linux and Windows): it is still XGBoost at that version, never "not installed".
    found = versions()
    assert found["xgboost"] == xgboost.__version__
    assert found["lightgbm"] == lightgbm.__version__
    assert found["scikit-learn"] == sklearn.__version__


def test_a_library_that_is_not_installed_is_said_so():
    assert installed_version("no-such-library-tuneplate") is None
    assert versions()["tuneplate"] != "not installed"
