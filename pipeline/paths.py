"""Where a run reads and writes: one place so every stage agrees on the layout under data/."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.config import LoadedConfig


@dataclass(frozen=True)
class RunPaths:
    data_dir: Path
    output_dir: Path

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def staged_dir(self) -> Path:
        return self.data_dir / "work" / "staged"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "fetch_ledger.sqlite"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def run_dir(self, run_id: str) -> Path:
        return self.data_dir / "work" / "runs" / run_id


@dataclass(frozen=True)
class RunContext:
    """Identity of one run: stamped on every row it publishes and on its report."""

    run_id: str
    pipeline_version: str
    paths: RunPaths


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def make_context(cfg: LoadedConfig, run_id: str | None = None) -> RunContext:
    corpus = cfg.corpus
    paths = RunPaths(
        data_dir=Path(os.path.abspath(corpus.data_dir)),
        output_dir=Path(os.path.abspath(corpus.output_dir)),
    )
    return RunContext(run_id=run_id or new_run_id(), pipeline_version=__version__, paths=paths)
