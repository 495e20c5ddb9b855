"""HTML reports: `render(results)` returns one self-contained HTML document."""

from tuneplate.reports.render import render

__all__ = ["render"]
