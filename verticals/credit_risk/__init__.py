"""Credit risk: will this applicant default?

Tunes a probability-of-default model on ROC AUC and reports it the way a credit
committee reads it: approval rate against bad rate, expected loss and profit at a
cut-off, calibration by score band, and approval rates by protected group.
"""

from tuneplate.plugin import Vertical
from tuneplate.verticals.credit_risk import checks, data, metrics, space

# The columns whose currency sign is the exposure's (`Vertical.amount_words`): the loan's
# own amounts (LendingClub's loan_amnt, funded_amnt, installment, revol_bal, total_pymnt;
# German credit's credit_amount) and the applicant's income, in one currency in a loan
# book. A sign on any other column (a phone plan's "$10" tier, its monthly fee) does not
# set the currency of the money figures.
AMOUNT_WORDS = ("amount", "amt", "amnt", "loan", "principal", "balance", "bal", "exposure",
                "ead", "limit", "outstanding", "owed", "debt", "installment", "instalment",
                "payment", "pymnt", "income", "inc", "salary")  # fmt: skip

VERTICAL = Vertical(
    name="credit-risk",
    title="Credit risk",
    summary="probability of default for loan applicants; ROC AUC, approval vs bad rate, "
    "expected loss",
    objective=metrics.OBJECTIVE,
    spaces=space.SPACES,
    default_family=space.DEFAULT_FAMILY,
    priors=space.PRIORS,
    checks=checks.CHECKS,
    evaluate=metrics.evaluate,
    example=data.load,
    positive_words=("bad", "default", "defaulted", "charged off", "delinquent"),
    assumptions=metrics.ASSUMPTIONS,
    validate=metrics.validate,
    reasons=metrics.REASONS,
    # `auto` (family selection) beat the untuned logistic baseline on all 5 seeds of the
    # German table and gained more than LightGBM alone on 2 of 3 real credit tables
    # (benchmarks/defaults_vs_baseline.py); logistic is among its families, so the
    # one-SE rule can keep the simple model.
    default_strategy="auto",
    default_trials=100,
    default_timeout=100,
    # The industry's champion: a WoE scorecard (optimal bins + logistic regression,
    # engine/families/scorecard.py) is what a credit committee compares any new model
    # with (Siddiqi, Credit Risk Scorecards, 2006), so the report's "baseline vs
    # challenger" and the one-SE rule use it; `auto` searches it beside the others.
    baseline_family="scorecard",
    # --monotone auto: a default model is expected to move one way with the usual risk
    # drivers (loan length, amount, income), so proposing their directions helps.
    monotone_auto=True,
    money=("exposure",),  # in the currency's unit: not converted when that is taken from $
    amount_words=AMOUNT_WORDS,
    intended_use="ranking loan applicants by their probability of default at application, "
    "to set an approval cut-off and to price and provision for expected loss, with the "
    "decision staying with a credit officer or an approved policy.",
    out_of_scope="deciding on a population unlike the training data (another product, "
    "country or channel) without revalidation; adverse-action notices taken from this "
    "report (it shows aggregates: each applicant's reasons come from tuneplate explain "
    "or the exported score.py --reasons, to be reviewed before use); any use of the "
    "protected attributes as inputs.",
)
