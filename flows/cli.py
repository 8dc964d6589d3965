"""`twcorpus` command line: run a config through the build-corpus flow and print what came out."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from pipeline.config import LoadedConfig

# The pipeline is imported inside each command, when it needs it: `run` starts its Prefect server first.
app = typer.Typer(add_completion=False, help="Build a licence-clean Traditional Chinese corpus from Taiwan open data.")
console = Console()
err = Console(stderr=True)


def _fail(exc: BaseException | str) -> typer.Exit:
    """Print the error (its message names the file, key or folder at fault), never wrapped inside a path, so it
    can be copied; returns the exit to raise (2)."""
    err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _config(config: Path, output: str | None = None) -> LoadedConfig:
    from pipeline.config import ConfigError, load_config

    try:
        return load_config(config, output)
    except ConfigError as exc:
        raise _fail(exc) from exc


def _inputs_present(loaded: LoadedConfig) -> None:
    """Every file source finds files (or is optional): else one line per source at fault, and exit 2."""
    from pipeline.sources.files import unmatched_inputs

    problems = unmatched_inputs(loaded)
    if problems:
        for problem in problems:
            err.print(f"[red]error:[/red] {problem}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2)


def _exit_on_sigterm() -> None:
    """SIGTERM (a scheduler, `kill`, systemd) ends the command like Ctrl-C does: through its `finally` blocks,
    which stop the servers and worker processes it started."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _prefect_defaults() -> None:
    """Settings that make an offline, serverless local run quiet and patient; the user's env wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@app.command()
def run(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML config")] = Path("configs/sample.yaml"),
    output: Annotated[str | None, typer.Option("--output", "-o", help="override output_dir")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="extraction processes (default: the config's)")
    ] = None,
) -> None:
    """Run every stage for CONFIG and publish the corpus."""
    started = time.perf_counter()
    _prefect_defaults()
    _exit_on_sigterm()
    loaded = _config(config, output)
    from flows.serve import discard_run_api, run_api
    from pipeline.gc_pause import collector_paused

    # The run's Prefect API boots first (launched by `flows.entry`), while the checks below run and Prefect is
    # imported; the extraction workers are spawned then, and warm up once the flow has discovered its resources
    # (before, they would slow the server's boot and the flow's start). A cluster of its own (`dask.address`)
    # must be given a server its workers can reach: none is started.
    dask = loaded.corpus.dask
    needs_api = dask is None or dask.address is None
    if not needs_api:
        discard_run_api()  # launched first thing, before the config said so
    _inputs_present(loaded)
    with collector_paused(freeze=False):  # the imports are most of a run's start; `run` may be called again
        from pipeline.dedup.index import DedupIndexError
        from pipeline.publish.decisions import open_published

        try:
            open_published(loaded)  # fail fast, before the flow starts
        except DedupIndexError as exc:
            raise _fail(exc) from exc
        # Imported by the first flow run to send its parameters (0.25 s): now, while the server boots.
        import fastapi.encoders  # noqa: F401
        from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        from flows.build_corpus import DaskModeError, build_corpus
        from pipeline.extract.workers import extraction_workers, start_gate
        from pipeline.paths import new_run_id
        from pipeline.publish.build import PublishError
        from pipeline.sources.files import SourceError

    run_id = new_run_id()
    with ExitStack() as stack:
        own_server = needs_api and not os.environ.get("PREFECT_API_URL")  # what run_api will launch
        api_ready = stack.enter_context(run_api()) if needs_api else None
        if dask is None:  # spawned once this process has imported what it needs: the cores went to that first
            stack.enter_context(extraction_workers(loaded, workers or loaded.corpus.workers, run_id, start_gate()))
        settings: dict[Any, Any] = {}
        if api_ready is not None:  # named explicitly: a Prefect imported earlier in this process reads no env
            settings[PREFECT_API_URL] = api_ready()
        if own_server:
            # Flow-run heartbeats let a server's services find crashed runs; the run's own API-only server runs
            # none and ends with the run. Each flow run would wait up to a second for its heartbeat thread.
            settings[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
        if settings:
            stack.enter_context(temporary_settings(settings))
        try:
            with _progress_bars():
                summary = build_corpus(config_path=str(config), output_dir=output, run_id=run_id, workers=workers)
        except (SourceError, DaskModeError, PublishError) as exc:
            raise _fail(exc) from exc
    _print_summary(summary, time.perf_counter() - started)
    if summary["refused"]:
        for why in summary["refused"]:
            err.print(f"[red]error:[/red] {why}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2)


@app.command()
def serve(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML config")] = Path("configs/sample.yaml"),
    cron: Annotated[str | None, typer.Option(help='cron schedule, e.g. "0 3 * * 1"')] = None,
    interval: Annotated[float | None, typer.Option(help="run every this many seconds", min=1)] = None,
    timezone: Annotated[str, typer.Option(help="time zone of the cron schedule")] = "Asia/Taipei",
    name: Annotated[str, typer.Option(help="deployment name")] = "scheduled",
    output: Annotated[str | None, typer.Option("--output", "-o", help="override output_dir")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1)] = None,
    port: Annotated[int, typer.Option(help="port of the Prefect server started when PREFECT_API_URL is unset")] = 4200,
) -> None:
    """Serve the build of CONFIG on a schedule (--cron or --interval), against a real Prefect server."""
    if (cron is None) == (interval is None):
        raise _fail("give exactly one of --cron and --interval")
    _exit_on_sigterm()
    _inputs_present(_config(config, output))
    _prefect_defaults()
    from flows.serve import prefect_server, serve_build

    with prefect_server(port) as api:
        err.print(f"Prefect API {api}; serving deployment build-corpus/{name}", highlight=False)
        serve_build(
            config, name=name, cron=cron, interval_s=interval, timezone=timezone, output_dir=output, workers=workers
        )


@app.command()
def changes(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML config")] = Path("configs/sample.yaml"),
    output: Annotated[str | None, typer.Option("--output", "-o", help="override output_dir")] = None,
) -> None:
    """List what changed on data.gov.tw since the last run (the daily change exports): what the next run reads."""
    loaded = _config(config, output)
    _prefect_defaults()
    from flows.catalogue_sync import catalogue_sync
    from pipeline.stages import catalogue_changes

    sources = catalogue_changes(loaded, catalogue_sync(config_path=str(config), output_dir=output))
    if not sources:
        console.print("no source of this config reads a change export (`changes:`)")
    for s in sources:
        table = Table(title=s["source"], show_header=False)
        table.add_row("exports", "\n".join(s["exports"]) + ("" if s["export_read"] else "  (not readable)"))
        for key in ("added_or_modified", "deleted", "read_now", "carried_over"):
            ids, more = s[key][:20], " ..." if len(s[key]) > 20 else ""
            table.add_row(key.replace("_", " "), f"{len(s[key])}: {', '.join(ids)}{more}")
        console.print(table)


@app.command()
def plan(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML config")] = Path("configs/sample.yaml"),
    output: Annotated[str | None, typer.Option("--output", "-o", help="override output_dir")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the comparison as JSON")] = False,
) -> None:
    """Show what CONFIG's decision settings would publish and reject, beside the release in place; write nothing.

    Resources extracted before are read from their staged files; new or changed ones are extracted first (that
    is a cache, not the release)."""
    loaded = _config(config, output)
    _inputs_present(loaded)
    from pipeline.dedup.index import DedupIndexError
    from pipeline.paths import make_context
    from pipeline.publish.plan import plan as plan_release
    from pipeline.sources.files import SourceError
    from pipeline.stages import discover_resources, extract_batch, fetch_batch

    ctx = make_context(loaded)
    try:
        resources = discover_resources(loaded, ctx)
        staged = extract_batch(loaded, ctx, resources, fetch_batch(loaded, ctx, resources))
        result = plan_release(loaded, staged, ctx.paths.output_dir)
    except (SourceError, DedupIndexError) as exc:
        raise _fail(exc) from exc
    extracted = sum(1 for sc in staged if not sc.reused)
    if as_json:
        console.print_json(data={"resources": len(staged), "extracted_now": extracted, **result.as_dict()})
        return
    was = result.in_place
    title = f"twcorpus plan {config}: {len(staged)} resources ({extracted} extracted now)"
    table = Table(title=title)
    for name in ("", "would publish", f"in place (run {result.in_place_run_id})" if was else "in place (none)"):
        table.add_column(name, justify="right" if name else "left")
    table.add_row("published", f"{result.would.published:,}", f"{was.published:,}" if was else "-")
    for reason, would, before in result.reasons():
        table.add_row(f"rejected: {reason}", f"{would:,}", "-" if before is None else f"{before:,}")
    console.print(table)
    changed = result.datasets()
    if changed:
        per = Table(title="datasets whose published documents change")
        for name in ("dataset", "would publish", "in place"):
            per.add_column(name, justify="left" if name == "dataset" else "right")
        for dataset, would, before in changed:
            per.add_row(dataset, f"{would:,}", "-" if before is None else f"{before:,}")
        console.print(per)
    console.print(f"nothing written to {result.output_dir}; `twcorpus run` publishes it")


@app.command()
def validate(config: Annotated[Path, typer.Option("--config", "-c")] = Path("configs/sample.yaml")) -> None:
    """Check CONFIG (and that every file source finds files) and print it resolved, without running anything."""
    loaded = _config(config)
    _inputs_present(loaded)
    console.print_json(loaded.corpus.model_dump_json())
    console.print(f"config digest {loaded.digest}")


@app.command()
def verify(
    output_dir: Annotated[Path, typer.Argument(help="a published corpus folder (holds manifest.json)")],
    licenses: Annotated[
        Path | None, typer.Option("--licenses", help="licence table (default configs/licenses.yaml)")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="the run's report.json: also checks records read = published + rejected"),
    ] = None,
    removals: Annotated[
        Path | None, typer.Option("--removals", help="removal ledger (default: the one of the manifest's config)")
    ] = None,
) -> None:
    """Check a published release: files, digests, counts, licences, personal data, withheld text. Exit 1 on problems."""
    from pipeline.licensing import LicenseTableError, load_table
    from pipeline.publish.verify import VerifyError, verify_release

    try:
        result = verify_release(output_dir, load_table(licenses) if licenses else None, report, removals)
    except (VerifyError, LicenseTableError) as exc:
        raise _fail(exc) from exc
    table = Table(title=f"twcorpus verify {output_dir}")
    table.add_column("check")
    table.add_column("items checked", justify="right")
    table.add_column("problems", justify="right")
    for check, n in result.checked.items():
        failed = result.failed[check]
        table.add_row(check, f"{n:,}", f"[red]{failed:,}[/red]" if failed else "0")
    console.print(table)
    for warning in result.warnings:
        console.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    shown = result.problems[:50]  # the rest are counted
    for problem in shown:
        console.print(f"problem: {problem}", markup=False, highlight=False, soft_wrap=True)
    if result.problem_count > len(shown):
        console.print(f"... and {result.problem_count - len(shown):,} more", highlight=False)
    if not result.ok:
        console.print(f"[red]{result.problem_count:,} problem(s): do not publish this release as it is[/red]")
        raise typer.Exit(1)
    console.print("[green]release verified: no problems[/green]")


@app.command()
def remove(
    corpus: Annotated[Path, typer.Option("--corpus", help="the published corpus folder (holds manifest.json)")],
    reason: Annotated[str, typer.Option("--reason", help="why: recorded in the ledger, the report and the card")],
    ids: Annotated[list[str] | None, typer.Option("--id", help="a document id (repeat for more)")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="every document of this dataset id")] = None,
    resource_url: Annotated[str | None, typer.Option("--resource-url", help="every document of this file")] = None,
    match: Annotated[str | None, typer.Option("--match", help="documents whose text or title match this regex")] = None,
    requested_by: Annotated[str | None, typer.Option("--requested-by", help="who asked (kept in the ledger)")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="the corpus's config (default: the one its manifest names)")
    ] = None,
) -> None:
    """Record a removal request in the ledger beside the config and publish the release again without what it
    matches (nothing fetched or extracted). Every later run applies the whole ledger."""
    from pipeline import stages
    from pipeline.dedup.index import document_keys
    from pipeline.paths import make_context
    from pipeline.publish.removals import new_request, record

    manifest_path = corpus / "manifest.json"
    if not manifest_path.exists():
        raise _fail(f"{corpus}: no manifest.json -- not a published corpus")
    named = config or Path(json.loads(manifest_path.read_text(encoding="utf-8"))["config"])
    loaded = _config(named, str(corpus))
    known = document_keys(corpus)
    missing = [i for i in ids or [] if i not in known]
    if missing:
        raise _fail(f"{corpus}: no published document has the id(s) {', '.join(missing)}")
    try:
        request = new_request(
            reason,
            requested_by,
            ids=ids or [],
            keys=[known[i] for i in ids or []],
            dataset=dataset,
            resource_url=resource_url,
            match=match,
        )
    except ValueError as exc:
        raise _fail(str(exc).splitlines()[-1] if "validation error" in str(exc) else exc) from exc
    started = time.perf_counter()
    ledger = record(loaded.removals_path(), request)
    console.print(f"recorded request {len(ledger.entries)} in {loaded.removals_path()}: {request.what()}")
    try:
        summary = stages.republish(loaded, make_context(loaded))
    except FileNotFoundError as exc:
        raise _fail(exc) from exc
    removed = summary["rejected_by_reason"].get("removed", 0)
    console.print(
        f"published {summary['output_dir']} again in {time.perf_counter() - started:.1f} s: {summary['published']:,} "
        f"documents, {removed:,} removed by request (the ledger holds {len(ledger.entries)}); report in "
        f"{summary['report_dir']}"
    )


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="the older release: a folder, or a version name of --corpus")],
    new: Annotated[str, typer.Argument(help="the newer release: a folder, or a version name of --corpus")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="the corpus whose kept versions OLD and NEW name")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="every document id, as JSON")] = False,
) -> None:
    """Documents added, removed (and why) and changed per dataset between two releases."""
    from pipeline.publish.docdiff import document_diff
    from pipeline.publish.history import resolve

    try:
        result = document_diff(resolve(old, corpus), resolve(new, corpus))
    except FileNotFoundError as exc:
        raise _fail(exc) from exc
    if as_json:
        console.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=f"twcorpus diff {old} -> {new}")
    for column in ("dataset", "added", "removed", "why removed", "changed"):
        table.add_column(column, justify="left" if column in ("dataset", "why removed") else "right")
    for dataset, e in result["datasets"].items():
        why = ", ".join(f"{k} {v:,}" for k, v in e["removed_because"].items())
        table.add_row(dataset, f"{len(e['added']):,}", f"{len(e['removed']):,}", why, f"{len(e['changed']):,}")
    console.print(table)
    console.print(f"{result['added']:,} added, {result['removed']:,} removed, {result['changed']:,} changed")


@contextmanager
def _progress_bars() -> Iterator[None]:
    """Per-stage bars with resources done and records/s, on a terminal (silent otherwise)."""
    from flows import build_corpus as flow_module

    columns = (
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    bars = Progress(*columns, console=err, disable=not err.is_terminal)
    tasks: dict[str, TaskID] = {}
    began: dict[str, float] = {}

    def show(stage: str, done: int, total: int, records: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total, records=0, rate="")
            began[stage] = time.perf_counter()
        seconds = time.perf_counter() - began[stage]
        rate = f"{records / seconds:,.0f} records/s" if stage == "extract" and seconds > 0 else ""
        bars.update(tasks[stage], completed=done, total=total, records=records, rate=rate)

    flow_module.PROGRESS.append(show)
    try:
        with bars:
            yield
    finally:
        flow_module.PROGRESS.remove(show)


def _print_summary(s: dict, seconds: float) -> None:
    table = Table(title=f"twcorpus run {s['run_id']}", show_header=False)
    table.add_row("resources", f"{s['resources']} ({s['resources_reused']} unchanged, reused)")
    table.add_row("records read", str(s["records_read"]))
    table.add_row("published", str(s["published"]))
    for reason, n in s["rejected_by_reason"].items():
        table.add_row(f"rejected: {reason}", str(n))
    table.add_row("characters", f"{s['chars']:,}")
    table.add_row("tokens", f"{s['tokens']:,}")
    kept = f" (unchanged: release of run {s['release_run_id']} kept)" if s.get("release_reused") else ""
    kept = " (not published: no document)" if s.get("refused") else kept
    table.add_row("corpus", s["output_dir"] + kept)
    table.add_row("report", str(Path(s["report_dir"]) / "report.html"))
    table.add_row("wall time", f"{seconds:.1f} s")
    console.print(table)
    for change in s.get("licence_changed", []):
        console.print(f"[red]{change}[/red]", highlight=False)


def main() -> None:  # pragma: no cover - console script entry
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
