"""The `catalogue-sync` flow: what changed on data.gov.tw since the last run, read from the daily change
exports; its plan feeds the build, which then reads only those datasets (the others are carried over).

`build-corpus` runs it as a child flow when a source has `changes:`; `twcorpus changes` runs it alone to
show what the next build would read (it fetches the exports and the metadata, and changes no state).
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from pipeline import stages
from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.report.markdown import changes_markdown


@flow(name="catalogue-sync", log_prints=True)
def catalogue_sync(config_path: str, output_dir: str | None = None, run_id: str | None = None) -> stages.Plan:
    """The run's plan: resources to read now and resources carried over, from one reading of the exports."""
    cfg = load_config(config_path, output_dir)
    ctx = make_context(cfg, run_id)
    plan = stages.plan_run(cfg, ctx)
    create_markdown_artifact(
        key="catalogue-changes",
        markdown=changes_markdown(ctx.run_id, stages.catalogue_changes(cfg, plan)),
        description="datasets the change exports list since the last run",
    )
    return plan
