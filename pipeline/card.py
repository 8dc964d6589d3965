"""The dataset card (README.md with a YAML header `datasets` understands) and the NOTICE file."""

from __future__ import annotations

from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from pipeline.document import COLUMNS

_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)

_CARD = _ENV.from_string(
    """---
{{ header }}---

# Taiwan government open-data corpus (twcorpus)

Traditional Chinese text from Taiwan government open data, with per-document licence and provenance.
Built by twcorpus {{ m.pipeline_version }}, run `{{ m.run_id }}`, {{ m.created_at }}.

- documents: {{ m.documents }}
- datasets: {{ m.datasets | length }}
- rejected records (config `rejected`): {{ m.rejected }}

## Load

```python
from datasets import load_dataset

ds = load_dataset("path/to/this/folder", split="train")
ogdl = ds.filter(lambda r: r["license"] == "OGDL-Taiwan-1.0")
{% if has_rejected %}rejected = load_dataset("path/to/this/folder", "rejected", split="train")
{% endif %}```

## Datasets

| agency | dataset | licence | documents | tokens |
|---|---|---|---|---|
{% for d in m.datasets %}| {{ d.agency or "" }} | {{ d.dataset_title or d.dataset_id }} ({{ d.dataset_id }})
{#- #} | {{ d.license }} | {{ d.documents }} | {{ d.tokens }} |
{% endfor %}

Attribution statements required by the licences are in `NOTICE` and on every row (`attribution`).

## Columns

| column | type | meaning |
|---|---|---|
{% for name, typ, desc in columns %}| `{{ name }}` | {{ typ }} | {{ desc }} |
{% endfor %}
Null means "not computed", never zero or empty.

## Files

`data/` holds the shards, `rejected/` every record that was not published with its `reason`,
`manifest.json` each file's sha256 and row count.
"""
)


def card_header(has_rejected: bool) -> str:
    configs: list[dict[str, Any]] = [
        {"config_name": "default", "default": True, "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}
    ]
    if has_rejected:
        configs.append(
            {"config_name": "rejected", "data_files": [{"split": "train", "path": "rejected/rejected-*.parquet"}]}
        )
    header = {
        "license": "other",
        "license_name": "mixed-per-document",
        "license_link": "NOTICE",
        "language": ["zh"],
        "pretty_name": "twcorpus Taiwan government open-data corpus",
        "configs": configs,
    }
    return yaml.safe_dump(header, allow_unicode=True, sort_keys=False)


def render_card(manifest: dict[str, Any], *, has_rejected: bool) -> str:
    columns = [(n, str(t), d) for n, t, d in COLUMNS]
    return _CARD.render(header=card_header(has_rejected), m=manifest, columns=columns, has_rejected=has_rejected)


def render_notice(datasets: list[dict[str, Any]]) -> str:
    lines = [
        "NOTICE -- attribution statements for the datasets in this corpus",
        "",
        "Each dataset below is used under the licence named with it; the statement is the attribution",
        "that licence requires (OGDL-Taiwan-1.0 section 4: providing agency, dataset, licence and link).",
        "",
    ]
    for d in sorted(datasets, key=lambda d: (d["agency"] or "", d["dataset_id"])):
        lines.append(
            f"* {d['agency'] or '(agency not stated)'} / {d['dataset_title'] or d['dataset_id']}"
            f" [{d['dataset_id']}] -- {d['license']}"
        )
        lines.append(f"  {d['attribution'] or '(no attribution statement: licence unknown)'}")
    return "\n".join(lines) + "\n"
