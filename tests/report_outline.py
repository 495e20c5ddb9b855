"""The report's section ids in the issue's reading order, and those always present.

Kept apart from the code under test on purpose: the tests hold the order the
readers were promised, so a reordering in `reports.sections` fails them.
"""

ORDER = (
    "verdict",
    "purpose",
    "data-health",
    "performance",
    "reliability",
    "drivers",
    "fairness",
    "baseline",
    "scorecard",  # credit risk: the WoE scorecard's IV and points, after its comparison
    "limits",
    "appendix",
    "glossary",
)
ALWAYS = ("verdict", "data-health", "limits", "appendix", "glossary")
