"""The data contract: how a table is read and what each column is, learned at fit and
enforced at scoring.

Self-contained on purpose (the standard library, numpy, pandas and each other by relative
import): `tuneplate export` copies every module here verbatim into an exported project.
"""
