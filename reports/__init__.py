"""HTML reports: `render(results)` returns one self-contained HTML document;
`save_summary(results, folder)` writes what the report concludes to `report.json`."""

from tuneplate.reports.render import render
from tuneplate.reports.summary import SUMMARY_FILE, save_summary, summary
from tuneplate.reports.view import View

__all__ = ["SUMMARY_FILE", "View", "render", "save_summary", "summary"]
