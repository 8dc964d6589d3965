"""Stage 5, report: the provenance report -- JSON for machines, self-contained HTML for maintainers."""

from pipeline.report.build import build_report, write_report
from pipeline.report.markdown import summary_markdown

__all__ = ["build_report", "summary_markdown", "write_report"]
