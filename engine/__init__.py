"""The shared tuning engine: spaces, strategies, splits, studies, checks and Results.

The engine never imports a vertical; it reads them through `Vertical`.
"""
