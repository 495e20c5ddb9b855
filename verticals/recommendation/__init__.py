"""Customer-behaviour recommendation: which items will each customer want next?

Tunes a two-stage recommender on an interaction log (user, item, time): a
candidate generator (popular, recently popular and bought-together items) and a
learning-to-rank model over customer x item features, trained on earlier periods
and judged on the next one. The report compares it with the popularity baselines
on the same customers, in hits and revenue per 1,000 sessions.
"""

from tuneplate.plugin import Option, Vertical
from tuneplate.verticals.recommendation import checks, data, metrics, space

VERTICAL = Vertical(
    name="recommendation",
    title="Customer-behaviour recommendation",
    summary="ranks items for each customer from past behaviour; NDCG@k against the "
    "popularity baselines, hits and revenue per 1,000 sessions",
    objective=metrics.OBJECTIVE,
    spaces=space.SPACES,
    default_family=space.DEFAULT_FAMILY,
    checks=checks.CHECKS,
    evaluate=metrics.evaluate,
    example=data.load,
    assumptions=metrics.ASSUMPTIONS,
    default_strategy="bayes",
    default_trials=20,
    default_timeout=300,
    options=(
        Option("--k", "k", int, "slots on screen: the k of NDCG@k (default 10)"),
        Option(
            "--purchase-share",
            "purchase_share",
            float,
            "share of hits that become a purchase, for the revenue estimate (default 1)",
        ),
        Option(
            "--order-value",
            "order_value",
            float,
            "revenue per purchase when the items carry no price",
        ),
    ),
    validate=metrics.validate,
    task="ranking",
    intended_use="ordering the items shown to a known customer (a home page, an e-mail, "
    "a 'for you' shelf) from their own and other customers' past behaviour, as a "
    "candidate for an A/B test against the current list.",
    out_of_scope="new customers with no history (they get the popularity list); "
    "decisions about individual customers beyond what to show first (credit, price, "
    "eligibility); claiming revenue uplift without an A/B test.",
)
