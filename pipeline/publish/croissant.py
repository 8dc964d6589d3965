"""croissant.json: the release described in Croissant 1.0 (MLCommons' JSON-LD vocabulary for ML datasets), so
dataset search engines and loaders read the corpus's own description: what it is, its licences, its files
with their digests, and the columns of its documents.

One FileSet holds every shard; each shard is also a FileObject with its sha256 and the licences of its
class (shards are partitioned by licence class, data/<class>/<source>/...). The record set
`documents` maps the Parquet columns that hold scalars and lists of text; the two nested columns (`quality`,
`private_use`) are described in the card.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pipeline.document import COLUMNS

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
PARQUET = "application/x-parquet"
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def _data_type(arrow: pa.DataType) -> tuple[str, bool] | None:
    """(Croissant data type, repeated) of a column; None for the nested ones left out of the record set."""
    if pa.types.is_list(arrow):
        inner = _data_type(arrow.value_type)
        return (inner[0], True) if inner and not inner[1] else None
    if pa.types.is_string(arrow):
        return "sc:Text", False
    if pa.types.is_integer(arrow):
        return "sc:Integer", False
    if pa.types.is_timestamp(arrow):
        return "sc:Date", False
    return None


def _version(manifest: dict[str, Any]) -> str:
    """Semantic version from the release's date, the release tag as build metadata: 2026.12.1+4245c705af92."""
    year, month, day = (int(part) for part in str(manifest["created_at"])[:10].split("-"))
    tag = "".join(c for c in str(manifest.get("release_tag") or manifest["run_id"]) if c.isalnum())
    return f"{year}.{month}.{day}+{tag}"


def croissant(manifest: dict[str, Any], title: str = "Taiwan government open-data corpus (twcorpus)") -> dict[str, Any]:
    """The Croissant description of the release whose manifest is given (written beside README.md)."""
    licences = manifest.get("licenses", [])
    by_class: dict[str, set[str]] = {}
    for entry in licences:
        by_class.setdefault(str(entry.get("license_class")), set()).add(str(entry.get("url") or entry["license"]))
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileSet",
            "@id": "shards",
            "name": "shards",
            "description": "the Parquet shards of the published documents, data/<licence class>/<source>/",
            "encodingFormat": PARQUET,
            "includes": "data/*/*/*.parquet",
        }
    ]
    for shard in manifest.get("shards", []):
        cls = str(shard["path"]).split("/")[1] if str(shard["path"]).count("/") >= 2 else ""
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": str(shard["path"]),
                "name": str(shard["path"]),
                "contentUrl": str(shard["path"]),
                "contentSize": f"{shard['bytes']} B",
                "encodingFormat": PARQUET,
                "sha256": shard["sha256"],
                "license": sorted(by_class.get(cls, set())),  # the licences of this shard's class
            }
        )
    fields = []
    for name, arrow, description in COLUMNS:
        kind = _data_type(arrow)
        if kind is None:
            continue
        data_type, repeated = kind
        field: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": f"documents/{name}",
            "name": name,
            "description": description,
            "dataType": data_type,
            "source": {"fileSet": {"@id": "shards"}, "extract": {"column": name}},
        }
        if repeated:
            field["repeated"] = True
        fields.append(field)
    agencies = sorted({d["agency"] for d in manifest.get("datasets", []) if d.get("agency")})
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": title,
        "description": (
            f"Traditional Chinese text from Taiwan government open data: {manifest['documents']:,} documents of "
            f"{len(manifest.get('datasets', []))} datasets from {len(agencies)} agencies, each with its licence, "
            "attribution and full provenance. Release "
            f"{manifest.get('release_tag') or manifest['run_id']}, access tier {manifest.get('access_tier', 'open')}."
        ),
        "url": "README.md",
        "version": _version(manifest),
        "citeAs": (
            f"twcorpus release {manifest.get('release_tag') or manifest['run_id']} "
            f"({str(manifest['created_at'])[:10]}), Taiwan government open data; cite each dataset as NOTICE states"
        ),
        "datePublished": str(manifest["created_at"])[:10],
        "inLanguage": "zh-Hant-TW",
        "license": sorted({url for urls in by_class.values() for url in urls}),
        "creator": [{"@type": "sc:Organization", "name": agency} for agency in agencies],
        "keywords": ["taiwan", "traditional-chinese", "government", "open-data"],
        "isAccessibleForFree": manifest.get("access_tier", "open") == "open",
        "identifier": f"{manifest.get('content_digest_scheme', 'rows-sha256')}:{manifest.get('content_sha256')}",
        "distribution": distribution,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "documents",
                "name": "documents",
                "description": "one published document per record",
                "key": {"@id": "documents/id"},
                "field": fields,
            }
        ],
    }
