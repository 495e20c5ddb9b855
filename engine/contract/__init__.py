"""The data contract: how a table is read and what each column is, learned at fit and
enforced at scoring.

Self-contained on purpose (the standard library, numpy, pandas and each other by relative
import): `tuneplate export` copies every module here verbatim into an exported project.
`reasons.py` chooses and words a row's reason codes, for `tuneplate explain` and the
exported `score.py --reasons` alike.
`scorecard.py` applies a saved scorecard's bins the same way; `binning.py` finds them at
training (it imports optbinning and scikit-learn only when called).
"""
