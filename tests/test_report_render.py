"""The provenance report renders in a real headless Chromium, offline, with its charts drawn."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing may come from the network
]
BAR = (59, 125, 216)  # .bar fill #3b7dd8
DROP = (216, 102, 59)  # .drop fill #d8663b

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _report(sample_run) -> Path:
    _work, _first, second = sample_run
    return Path(second["report_dir"]) / "report.html"


def test_report_is_self_contained(sample_run):
    html = _report(sample_run).read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no resource may be loaded from elsewhere"


def test_report_renders_with_its_charts_in_headless_chromium(sample_run, tmp_path):
    from PIL import Image

    url = _report(sample_run).resolve().as_uri()
    dom = _chromium(tmp_path, "--dump-dom", url).stdout
    for chart in ("funnel", "tokens-by-agency", "tokens-by-licence", "s-curve"):
        assert f'id="{chart}"' in dom
    assert len(re.findall(r'<rect class="bar"', dom)) >= 5 and "<polyline" in dom
    assert "Changes since the previous release" in dom and "First release: 4 datasets" in dom  # a fresh folder

    shot = tmp_path / "report.png"
    _chromium(tmp_path, "--window-size=1200,2600", f"--screenshot={shot}", url)
    image = Image.open(shot).convert("RGB")
    colours = {colour: count for count, colour in image.getcolors(maxcolors=1 << 20)}
    assert colours.get(BAR, 0) > 20_000, "blue chart bars drawn"
    assert colours.get(DROP, 0) > 2_000, "orange drop bars drawn"
