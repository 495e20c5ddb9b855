"""A patient's visits repeat one age: the PSI's sampling noise counts patients, not visits.

A clinical tester drew 60 patients (about 330 visits) from a grouped run's own
development rows six times: each was "drifting: watch", age "moved" with CSI 0.40 to
0.97 against a noise of 0.15 counted from the visits. Ages are drawn once per patient,
so their share in a band moves by patients (Kish's effective count); the noise must
count them, and a real shift must still be called. And on fewer rows than a PSI band
needs, with no outcome, the verdict must not say "stable".
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.monitoring import (
    MIN_STABILITY_ROWS,
    NOT_JUDGED,
    STILL,
    TOO_FEW,
    UNJUDGED,
    WATCH,
    Drift,
    verdict,
)
from tuneplate.engine.contract.profile import SCORES, Bands, Profile, effective_entities


def _patients(
    n: int, seed: int, older: float = 0.0, first: int = 0, crp_shift: float = 0.0
) -> pd.DataFrame:
    """`n` patients of 1 to 10 visits: age and sex fixed per patient, a lab value per
    visit, the outcome per patient; `older` years added to every age (a real shift)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(55, 10, n).round(1) + older
    sex = rng.choice(["F", "M"], n, p=[0.85, 0.15])
    level = rng.normal(0, 1, n)
    risk = 1 / (1 + np.exp(-(0.06 * (age - older - 55) + level - 0.6)))
    died = np.where(rng.random(n) < risk, "yes", "no")
    visits = rng.integers(1, 11, n)
    who = np.repeat(np.arange(n), visits)
    return pd.DataFrame(
        {
            "patient_id": [f"P{first + i:05d}" for i in who],
            "sex": sex[who],
            "age": age[who],
            "bili": np.exp(level[who] + rng.normal(0, 0.3, len(who))).round(2),
            "crp": rng.lognormal(1.5 + crp_shift, 0.5, len(who)).round(1),  # each visit afresh
            "died": died[who],
        }
    )


@pytest.fixture(scope="module")
def visits_run(tmp_path_factory):
    """A diagnosis run on 600 patients' visits, kept together (--group patient_id)."""
    root = tmp_path_factory.mktemp("visits")
    _patients(600, seed=0).to_csv(root / "train.csv", index=False)
    run = root / "run"
    args = ["--target", "died", "--group", "patient_id", "--model", "logistic", "--trials", "2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["run", "diagnosis", "--data", str(root / "train.csv"), *args,
                     "--out", str(run)])  # fmt: skip
    assert code == 0
    return run


def _validate(run, rows, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuneplate.validate(run, rows, **kwargs)


def _band(v, column: str) -> str:
    return next(d.band for d in v.drift if d.column == column)


def test_effective_entities_are_kishs_count():
    assert effective_entities([1, 1, 2, 2]) == 2.0  # equal visits: the patients
    assert effective_entities([1, 1, 1, 2]) == pytest.approx(1.6)  # one with most: fewer
    assert effective_entities(np.arange(7)) == 7.0  # none repeats: the rows


def test_a_grouped_run_saves_its_hold_out_entities_and_old_files_fall_back_to_rows(
    visits_run,
):
    profile = tuneplate.Results.load(visits_run).model.profile
    assert profile.entities is not None and profile.entities < profile.rows / 3
    assert Profile.from_dict(profile.to_dict()).entities == pytest.approx(profile.entities)
    older = {k: v for k, v in profile.to_dict().items() if k != "entities"}
    assert Profile.from_dict(older).entities is None
    assert Profile.from_dict(older).counted == profile.rows
    assert "entities" not in Profile(10, Bands((1.0, 0.0))).to_dict()  # ungrouped: no key


def test_same_population_patients_do_not_move_a_per_patient_input(visits_run):
    """Six batches of 250 new patients from the run's population: age (constant within a
    patient) stays within noise counted in patients, where counting visits flags it."""
    for seed in range(1, 7):
        batch = _patients(250, seed=seed, first=10_000 * seed).drop(columns="died")
        assert len(batch) >= MIN_STABILITY_ROWS
        v = _validate(visits_run, batch)
        assert _band(v, "age") not in ("look", "major shift"), v.reasons
        assert v.verdict == UNJUDGED, v.reasons
        age = next(d for d in v.drift if d.column == "age")
        assert age.entities < 250 < age.rows  # Kish's count of the 250 patients
        assert any("effective" in n and "entities" in n for n in v.notes)


def test_few_patients_leave_a_per_patient_input_unjudged_but_a_per_visit_one_judged(
    visits_run,
):
    """A fresh tester's 40 patients x 10 visits: age (kept by each patient) crossed the
    noise in 22% of stable batches (40 values in 10 bands: too few for the chi-squared
    noise), and a lab value drawn afresh at each visit, shifted by one SD, was "within
    noise" because every column counted patients. Each column now counts what its own
    within-patient correlation makes its rows worth."""
    batch = _patients(60, seed=31, first=70_000, crp_shift=0.5).drop(columns="died")
    v = _validate(visits_run, batch)
    by = {d.column: d for d in v.drift}
    assert by["age"].band == TOO_FEW and by["age"].entities < MIN_STABILITY_ROWS
    assert by["crp"].entities > max(0.6 * len(batch), MIN_STABILITY_ROWS)  # most visits count
    assert by["crp"].band == "major shift", by["crp"]


def test_older_patients_are_still_a_shift(visits_run):
    batch = _patients(250, seed=11, older=15, first=90_000).drop(columns="died")
    v = _validate(visits_run, batch)
    assert _band(v, "age") == "major shift"
    assert v.verdict == WATCH and any("'age' moved" in r for r in v.reasons)


def test_an_old_profile_without_entities_counts_its_rows_and_says_so(visits_run, tmp_path):
    import json
    import shutil

    old = tmp_path / "old"
    shutil.copytree(visits_run, old)
    for path in old.rglob("model.json"):
        saved = json.loads(path.read_text())
        saved["profile"].pop("entities", None)
        path.write_text(json.dumps(saved))
    batch = _patients(60, seed=3, first=30_000).drop(columns="died")
    v = _validate(old, batch)
    assert any("predates counting entities" in n for n in v.notes)


# -- too few rows: nothing judged, nothing called stable ------------------------------


def test_a_batch_too_small_for_a_psi_band_is_not_called_stable(visits_run):
    batch = _patients(12, seed=21, first=50_000).drop(columns="died").head(60)
    assert len(batch) < MIN_STABILITY_ROWS
    v = _validate(visits_run, batch)
    assert v.verdict == NOT_JUDGED
    assert {d.band for d in v.drift} == {TOO_FEW}
    said = " ".join(v.reasons)
    assert "stable" not in said.replace("whether the model is stable", "")
    assert f"{len(batch)} rows, worth at most" in said and f"under the {MIN_STABILITY_ROWS}" in said


def _drift(band: str, rows: int) -> tuple[Drift, ...]:
    return (Drift(SCORES, 1.0, band, math.nan, rows), Drift("age", 0.5, band, math.nan, rows))


def test_the_verdict_says_stable_only_when_a_band_was_judged():
    said, reasons = verdict(None, None, _drift(TOO_FEW, 60))
    assert said == NOT_JUDGED and "not judged" in reasons[0] and "60 rows" in reasons[0]
    said, reasons = verdict(None, None, _drift("stable", 300))
    assert said == UNJUDGED and "as stable as at development" in reasons[0]
    said, reasons = verdict(None, None, ())  # no profile: nothing measured either
    assert said == NOT_JUDGED and "no development profile" in reasons[0]


def test_with_outcomes_on_few_rows_the_score_psi_is_labelled_not_judged(visits_run):
    batch = _patients(14, seed=22, first=60_000).head(70)
    assert 30 <= len(batch) < MIN_STABILITY_ROWS
    v = _validate(visits_run, batch)
    assert v.verdict == STILL, v.reasons  # performance judged, stability not: said so
    assert "(not judged)" in v.reasons[0]
    assert any(r.startswith("But stability was not judged") for r in v.reasons)
