"""`tuneplate explain RUN --data ROWS.csv --out reasons.csv`: reason codes on German credit.

Every declined applicant gets at least one reason, none naming a protected or excluded
column; reasons are the inputs that raised the row's log-odds, largest first; the
probabilities are `predict_proba`'s; refusals are one line with exit code 2 and leave the
run folder and an existing output as they were. A logistic and a LightGBM run are shared.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from cli_checks import digest, refused

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.results import Results
from tuneplate.engine.validate import recommended

FAMILIES = ("logistic", "lightgbm")


@pytest.fixture(scope="module")
def credit(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("cli-explain")
    folders = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for family in FAMILIES:
            folders[family] = root / f"credit-{family}"
            tuneplate.tune("credit-risk", n_trials=2, model=family).save(folders[family])
    table = tuneplate.load_vertical("credit-risk").example().table
    rows = root / "applicants.csv"
    table.to_csv(rows, index=False)  # with the target and the protected columns
    return SimpleNamespace(root=root, folders=folders, table=table, rows=rows)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["explain", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module", params=FAMILIES)
def reasons(request, credit, tmp_path_factory) -> SimpleNamespace:
    family = request.param
    folder = credit.folders[family]
    before = digest(folder)
    out = tmp_path_factory.mktemp(f"reasons-{family}") / "reasons.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["explain", str(folder), "--data", str(credit.rows), "--out", str(out)])
    assert code == 0
    assert digest(folder) == before  # the run folder is read, never written
    # The model the report recommends: the simple baseline's when the tuned one did not
    # beat it (saved in baseline/), with its own operating point.
    results, _ = recommended(Results.load(folder))
    return SimpleNamespace(table=pd.read_csv(out), results=results, family=family)


def _reason_columns(table: pd.DataFrame, part: str = "_column") -> list[str]:
    return [c for c in table.columns if c.startswith("reason_") and c.endswith(part)]


def test_every_declined_applicant_gets_a_reason_and_none_names_a_protected_column(reasons):
    table, results = reasons.table, reasons.results
    declined = table[table["decision"] == "declined"]
    assert len(declined) > 0
    assert declined["reason_1_column"].notna().all()
    # the vertical's wording: where the value stands, then its effect on the PD
    assert declined["reason_1"].str.contains(" — (?:raises the PD|lowers the PD least)").all()
    hidden = {*results.data["protected"], *results.data["excluded"]}
    assert hidden  # German credit declares protected attributes
    named = set(table[_reason_columns(table)].stack().dropna())
    assert named and not named & hidden
    assert named <= set(results.model.schema.names)
    for k in range(1, 5):  # the wording starts with the column it names
        both = table[[f"reason_{k}_column", f"reason_{k}"]].dropna()
        assert (both[f"reason_{k}"].str.split(":").str[0] == both[f"reason_{k}_column"]).all()


def test_probabilities_and_decisions_are_the_models_at_the_operating_point(reasons, credit):
    table, results = reasons.table, reasons.results
    proba = np.asarray(results.model.predict_proba(credit.table)[:, 1], dtype=float)
    np.testing.assert_allclose(table["probability"], proba, rtol=1e-12, atol=0)
    threshold = results.headline.figures["operating_threshold"]
    expected = np.where(proba > threshold, "declined", "approved")  # credit approves PD <= cut-off
    assert (table["decision"].to_numpy() == expected).all()
    assert table["row"].tolist() == list(range(1, len(credit.table) + 1))


def test_reasons_are_the_largest_risk_raising_contributions_in_order(reasons, credit):
    table, results = reasons.table, reasons.results
    explained = results.explain(credit.table).drop(columns="base_value")
    values = table[_reason_columns(table, "_logodds")].to_numpy(dtype=float)
    columns = table[_reason_columns(table)].to_numpy(dtype=object)
    for i in range(len(table)):
        row = explained.iloc[i]
        given = [(c, v) for c, v in zip(columns[i], values[i], strict=True) if isinstance(c, str)]
        shown = [v for _, v in given]
        assert shown == sorted(shown, reverse=True)  # ordered by contribution
        for column, value in given:  # each is the row's own contribution of that column
            assert value == pytest.approx(row[column], abs=1e-9)
        positive = row[row > 0].sort_values(ascending=False)
        if len(positive):  # the top risk-raising inputs, as many as --top allows
            assert [c for c, _ in given] == list(positive.index[:4])


def test_top_sets_the_number_of_reasons(credit, capsys, tmp_path):
    out = tmp_path / "two.csv"
    code, stdout, _ = run(
        capsys, credit.folders["lightgbm"], "--data", credit.rows, "--out", out, "--top", 2
    )
    assert code == 0 and "declined" in stdout
    table = pd.read_csv(out)
    assert _reason_columns(table) == ["reason_1_column", "reason_2_column"]


def test_id_columns_come_first_so_the_reasons_join_back(credit, capsys, tmp_path):
    """The output had only a row number: an analyst could not join it back to the
    applications without re-counting rows (a fresh user's report)."""
    rows = credit.table.assign(application=[f"A{i:05d}" for i in range(len(credit.table))])
    data = tmp_path / "applications.csv"
    rows.iloc[::-1].to_csv(data, index=False)  # in another order than training
    out = tmp_path / "reasons.csv"
    folder = credit.folders["lightgbm"]
    args = ("--data", data, "--out", out, "--id", "application", "--id", "purpose")
    code, _, err = run(capsys, folder, *args)
    assert code == 0, err
    table = pd.read_csv(out, dtype={"application": str})
    assert list(table.columns[:3]) == ["application", "purpose", "row"]
    assert table["application"].tolist() == rows["application"].iloc[::-1].tolist()
    plain = tmp_path / "plain.csv"
    assert run(capsys, folder, "--data", data, "--out", plain)[0] == 0
    pd.testing.assert_frame_equal(table.drop(columns=["application", "purpose"]),
                                  pd.read_csv(plain))  # fmt: skip
    # a column the rows lack, or one named like an output column: one line, exit 2
    for bad, said in (("applicant", "'applicant' is not a column"), ("row", "output column")):
        named = rows.assign(row=1) if bad == "row" else rows
        named.to_csv(data, index=False)
        code, _, err = run(capsys, folder, "--data", data, "--out", tmp_path / "x.csv",
                           "--id", bad)  # fmt: skip
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1
        assert not (tmp_path / "x.csv").exists()


def test_rows_with_impossible_or_unreadable_inputs_are_marked(credit, capsys, tmp_path):
    """A duration of -5 got reasons that read as any other row's ("duration_in_month:
    low (bottom 10%)"): nothing in the CSV said the value lay outside the bounds every
    development row kept, or could not be read at all."""
    rows = credit.table.copy()
    rows.loc[[0, 3], "duration_in_month"] = -5
    rows["credit_amount"] = rows["credit_amount"].astype(object)
    rows.loc[[3, 7], "credit_amount"] = "lots"
    data, out = tmp_path / "rows.csv", tmp_path / "reasons.csv"
    rows.to_csv(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, _, err = run(capsys, credit.folders["logistic"], "--data", data, "--out", out)
    assert code == 0, err
    table = pd.read_csv(out)
    assert list(table.columns[:4]) == ["row", "probability", "decision", "suspect_inputs"]
    marked = table["suspect_inputs"]
    below = "duration_in_month: below 0 (no development row was)"
    unread = "credit_amount: unreadable (scored as missing)"
    assert marked[0] == below and marked[7] == unread
    assert set(marked[3].split("; ")) == {below, unread}  # each of the row's inputs
    assert marked.drop(index=[0, 3, 7]).isna().all()


def test_the_rows_own_file_is_never_the_output_even_with_overwrite(credit, capsys, tmp_path):
    """`explain --data rows.csv --out rows.csv --overwrite` replaced the user's rows with
    the reasons (a fresh user's report); the exported score.py already refused it."""
    import os

    data = tmp_path / "rows.csv"
    credit.table.to_csv(data, index=False)
    before = data.read_bytes()
    link = tmp_path / "link.csv"
    os.symlink(data, link)
    other_spelling = tmp_path / "sub" / ".." / "rows.csv"
    (tmp_path / "sub").mkdir()
    folder = credit.folders["logistic"]
    for out in (data, link, other_spelling):
        code, _, err = run(capsys, folder, "--data", data, "--out", out, "--overwrite")
        assert code == 2 and "the rows' own file" in err and len(err.strip().splitlines()) == 1
        assert data.read_bytes() == before


def test_model_tuned_explains_the_tuned_model_the_export_ships(credit):
    from tuneplate.explaining import explain_run

    folder = credit.folders["lightgbm"]
    results = Results.load(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = explain_run(folder, credit.table, model="tuned")
        chosen = explain_run(folder, credit.table)
    proba = np.asarray(results.model.predict_proba(credit.table)[:, 1], dtype=float)
    np.testing.assert_allclose(tuned.table["probability"], proba, rtol=1e-12, atol=0)
    assert tuned.threshold == results.headline.figures["operating_threshold"]
    assert tuned.note == ""
    # the recommended model's reasons say so when it is the simple baseline, in
    # explain's words, not validate's ("frozen and checked here")
    assert chosen.note == recommended(results, "whose reasons are given here")[1]
    assert not chosen.note or "whose reasons are given here" in chosen.note


def test_decisions_keep_the_words_of_the_run_when_the_vertical_changes(credit, monkeypatch):
    """explain worded a run's decisions with whatever version of its vertical imported
    now: a team's edit (or a broken plugin, giving the defaults) reworded them, and a
    changed `inclusive` would move the rows at the threshold."""
    from dataclasses import replace

    from tuneplate.engine.contract.reasons import ReasonWords
    from tuneplate.explaining import explain_run
    from tuneplate.verticals import VERTICALS

    folder = credit.folders["logistic"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = explain_run(folder, credit.table).table["decision"]
        edited = replace(VERTICALS["credit-risk"], reasons=ReasonWords())
        monkeypatch.setitem(VERTICALS, "credit-risk", edited)
        after = explain_run(folder, credit.table).table["decision"]
    assert "flagged" not in set(before)  # the run's own words, not the default ones
    pd.testing.assert_series_equal(before, after)


# -- refusals: one line, exit 2, nothing changed ---------------------------------------


def test_an_existing_out_is_refused_unless_overwrite(credit, capsys, tmp_path):
    out = tmp_path / "reasons.csv"
    out.write_text("mine\n")
    folder = credit.folders["logistic"]
    refused(run(capsys, folder, "--data", credit.rows, "--out", out), "--overwrite")
    assert out.read_text() == "mine\n"
    code, _, _ = run(capsys, folder, "--data", credit.rows, "--out", out, "--overwrite")
    assert code == 0 and out.read_text().startswith("row,probability,decision")


def test_an_out_inside_the_run_folder_is_refused(credit, capsys):
    folder = credit.folders["logistic"]
    before = digest(folder)
    refused(
        run(capsys, folder, "--data", credit.rows, "--out", folder / "reasons.csv"),
        "inside the run folder",
    )
    assert digest(folder) == before


def test_a_folder_as_out_is_refused(credit, capsys, tmp_path):
    refused(run(capsys, credit.folders["logistic"], "--data", credit.rows, "--out", tmp_path))


def test_a_top_below_one_is_refused(credit, capsys, tmp_path):
    refused(
        run(
            capsys,
            credit.folders["logistic"],
            "--data",
            credit.rows,
            "--out",
            tmp_path / "r.csv",
            "--top",
            0,
        ),
        "--top",
    )


def test_rows_that_do_not_fit_the_schema_are_said_once_in_one_line(credit, capsys, tmp_path):
    """Explaining scores the rows and takes their contributions: Python printed the same
    schema warning twice, each with a source path and a line of code."""
    rows = tmp_path / "upper.csv"
    changed = credit.table.copy()
    text = [c for c in changed.columns if not pd.api.types.is_numeric_dtype(changed[c])]
    column = next(c for c in text if c not in ("default", "creditability", "credit_risk"))
    changed[column] = changed[column].astype(str).str.upper() + "_NEW"  # unseen levels
    changed.to_csv(rows, index=False)
    code, _, err = run(capsys, credit.folders["lightgbm"], "--data", rows,
                       "--out", tmp_path / "r.csv")  # fmt: skip
    assert code == 0
    lines = [x for x in err.splitlines() if "levels the model did not learn" in x]
    assert len(lines) == 1 and lines[0].startswith(f"tuneplate: warning: {column}:")
    assert "SchemaWarning" not in err and ".py:" not in err


def test_rows_without_a_model_column_are_refused(credit, capsys, tmp_path):
    rows = tmp_path / "short.csv"
    credit.table.drop(columns="credit_amount").to_csv(rows, index=False)
    out = tmp_path / "r.csv"
    refused(
        run(capsys, credit.folders["lightgbm"], "--data", rows, "--out", out), "'credit_amount'"
    )
    assert not out.exists()


def test_a_folder_without_a_run_is_refused(credit, capsys, tmp_path):
    refused(
        run(capsys, tmp_path, "--data", credit.rows, "--out", credit.root / "r.csv"),
        "results.json",
    )


def test_probabilities_at_the_samples_rate_are_said_when_a_prevalence_was_stated(tmp_path):
    """A run stating --prevalence 5% on a 37% sample: explain wrote risks like 0.78 with no
    word that they are on the sample's scale (a fresh user's run)."""
    from tuneplate.explaining import explain_run

    table = tuneplate.load_vertical("diagnosis").example().table
    rows = tmp_path / "patients.csv"
    table.to_csv(rows, index=False)
    notes, tables = {}, {}
    for stated in (None, 0.05):
        folder = tmp_path / f"run-{stated}"
        assumptions = {"prevalence": stated} if stated else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tuneplate.tune("diagnosis", assumptions=assumptions, model="logistic",
                           n_trials=2).save(folder)  # fmt: skip
        done = explain_run(folder, rows, model="tuned")
        notes[stated], tables[stated] = done.note, done.table
    assert "sample's scale" not in notes[None]
    assert "probability_at_prevalence" not in tables[None]
    assert "restates it at the stated prevalence of 5%" in notes[0.05]
    restated = tables[0.05]["probability_at_prevalence"]
    assert (restated < tables[0.05]["probability"]).all()  # 5% is below the sample's 37%
