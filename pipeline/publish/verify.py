"""Check a published release end to end, from the folder alone: what maintainers run before handing it out.

Everything the manifest claims is derived again from the files: each file's sha256 and row count, the totals
per dataset, the content digests, the licence and attribution of every published document, that no personal
data survived in published text and that rejected rows whose licence is not `allow` carry no text. The
manifest lists every resource with its records read, published and rejected, so the accounting invariant
read = published + rejected is checked from the folder alone; a run's report.json can be given instead
(releases written before manifests carried it). The content digests are recomputed from the rows' values
(publish/digest.py), whatever the shards' layout.

Shards are streamed batch by batch; only row hashes and counts are kept.
"""

from __future__ import annotations

import fnmatch
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from pipeline.atomic import sha256_file
from pipeline.config import ConfigError, load_config
from pipeline.dedup.index import document_keys
from pipeline.document import DOCUMENT_SCHEMA, REJECTED_SCHEMA
from pipeline.licensing import LicenseTable, load_table
from pipeline.normalize.pii import find
from pipeline.normalize.private_use import PRIVATE_USE
from pipeline.publish.digest import Digest, row_hashes
from pipeline.publish.removals import Ledger, load_ledger

CHECKS = (
    "files",
    "card",
    "counts",
    "content digest",
    "accounting",
    "licences",
    "access tier",
    "removals",
    "personal data",
    "private use",
    "withheld text",
)
MAX_LISTED = 1000  # messages kept per check; the count of problems stays exact
BATCH_ROWS = 4096


ResourceKey = tuple[str | None, str | None, str | None]  # (source, dataset_id, resource_url)


class VerifyError(ValueError):
    """The inputs cannot be verified at all (not a release, an unreadable report)."""


class NotAReleaseError(VerifyError):
    """The folder has no readable manifest.json."""


@dataclass
class VerifyResult:
    """Problems (the release must not be handed out), warnings, and per check what was looked at."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))

    @property
    def ok(self) -> bool:
        return not any(self.failed.values())

    @property
    def problem_count(self) -> int:
        """All problems found; `problems` lists at most MAX_LISTED per check."""
        return sum(self.failed.values())

    def fail(self, check: str, message: str) -> None:
        self.failed[check] += 1
        if self.failed[check] <= MAX_LISTED:
            self.problems.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def count(self, check: str, n: int = 1) -> None:
        self.checked[check] += n


@dataclass
class _Scan:
    """What the shards hold, counted while streaming them."""

    documents: int = 0
    rejected: int = 0
    by_dataset: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    published_by_resource: Counter[ResourceKey] = field(default_factory=Counter)
    rejected_by_resource: dict[ResourceKey, Counter[str]] = field(default_factory=dict)
    digest: Digest = field(default_factory=Digest)  # every published row
    dataset_digests: dict[tuple[str | None, str | None], Digest] = field(default_factory=dict)
    attributions: dict[str, tuple[str, str]] = field(default_factory=dict)  # statement -> (dataset, document id)
    complete: bool = True  # every listed data shard was read; otherwise digests are not recomputed


def verify_release(
    folder: Path, licenses: LicenseTable | None = None, report: Path | None = None, removals: Path | None = None
) -> VerifyResult:
    """Verify the release in `folder` against its manifest, the licence table, the removal ledger (default: the
    one of the config the manifest names) and, if given, the run's report."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    table = licenses or load_table()
    ledger = load_ledger(removals if removals is not None else _ledger_of(manifest))
    report_data = _read_report(report) if report is not None else _from_manifest(manifest)
    result = VerifyResult(folder)
    _check_leftovers(folder, result)
    _check_files(folder, manifest, result)
    _check_card(folder, manifest, result)
    scan = _Scan()
    _scan_rejected(folder, manifest, table, scan, result)
    _scan_published(folder, manifest, table, scan, result, ledger)
    _check_counts(manifest, scan, result)
    _check_notice(folder, scan, result)
    _check_report_is_this_release(report_data, manifest, result)
    _check_digests(manifest, scan, result)
    _check_accounting(report_data, manifest, scan, result)
    return result


def _ledger_of(manifest: dict[str, Any]) -> Path | None:
    """The removal ledger of the config that built the release, when that config is still readable."""
    config = manifest.get("config")
    if not config or not Path(config).is_file():
        return None
    try:
        return load_config(config).removals_path()
    except ConfigError:
        return Path(config).parent / "removals.yaml"


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise NotAReleaseError(f"{folder}: not a release: there is no manifest.json")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAReleaseError(f"{path}: not readable as JSON: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("shards"), list):
        raise NotAReleaseError(f"{path}: not a release manifest (no `shards` list)")
    return manifest


def _from_manifest(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The per-resource accounting a release carries itself (its manifest's `resources`, in publishing order),
    in the shape of a report; None for releases written before manifests carried it."""
    resources = manifest.get("resources")
    if not isinstance(resources, list):
        return None
    return {"resources": resources, "release_run_id": manifest.get("run_id"), "name": "manifest"}


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyError(f"{path}: not a readable report.json: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise VerifyError(f"{path}: not a provenance report (no `resources` list)")
    return data


def _check_leftovers(folder: Path, result: VerifyResult) -> None:
    """Hidden build folders beside the release: not part of it (the next run removes them), worth knowing."""
    parent, name = folder.resolve().parent, folder.resolve().name
    for pattern, what in ((f".{name}.tmp-*", "an unfinished build"), (f".{name}.old-*", "a replaced release")):
        for path in sorted(parent.glob(pattern)):
            result.warn(f"{path}: {what} left beside the release (not part of it; the next run removes it)")


def _listed(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    index = manifest.get("dedup_index") or {}
    return [*manifest.get("shards", []), *manifest.get("rejected_files", []), *index.get("files", [])]


def _inside(folder: Path, rel: str) -> Path | None:
    path = (folder / rel).resolve()
    return path if path.is_relative_to(folder.resolve()) else None


def _card_header(folder: Path) -> dict[str, Any] | None:
    try:
        text = (folder / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        return None
    try:
        header = yaml.safe_load(text[4 : text.index("\n---\n", 3)])
    except yaml.YAMLError:
        return None
    return header if isinstance(header, dict) else None


def _expected_files(manifest: dict[str, Any], config: str) -> set[str] | None:
    """The files a card config must name: all shards, one licence class's, one source's, or the rejected ones."""
    shards = [str(e.get("path")) for e in manifest.get("shards", [])]
    if config == "default":
        return set(shards)
    if config == "rejected":
        return {str(e.get("path")) for e in manifest.get("rejected_files", [])}
    kind, _, value = config.partition("-")
    position = {"license": 1, "source": 2}.get(kind)
    if position is None:
        return None
    return {p for p in shards if len(p.split("/")) == 4 and p.split("/")[position] == value}


def _check_card(folder: Path, manifest: dict[str, Any], result: VerifyResult) -> None:
    """What `load_dataset(folder, config)` reads is what the manifest lists: each config's `data_files` patterns
    match exactly its files, name the release tag (so `datasets` never serves another release from its cache),
    and `dataset_info` gives its row count."""
    header = _card_header(folder)
    if header is None or not isinstance(header.get("configs"), list):
        result.count("card")
        result.fail("card", "README.md: no dataset card header with `configs` (load_dataset would guess the files)")
        return
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))
    listed = [*manifest.get("shards", []), *manifest.get("rejected_files", [])]
    rows = {str(e.get("path")): e.get("rows") or 0 for e in listed}
    infos = {i.get("config_name"): i for i in header.get("dataset_info") or [] if isinstance(i, dict)}
    tag = manifest.get("release_tag")
    for config in header["configs"]:
        name = str(config.get("config_name"))
        result.count("card")
        patterns = [f.get("path") for f in config.get("data_files") or [] if isinstance(f, dict)]
        matched = {p for p in on_disk if any(fnmatch.fnmatchcase(p, str(pattern)) for pattern in patterns)}
        expected = _expected_files(manifest, name)
        if expected is not None and matched != expected:
            extra, missing = sorted(matched - expected), sorted(expected - matched)
            result.fail("card", f"README.md: config {name!r}: its data_files also read {extra} and miss {missing}")
        if tag and not all(f"-{tag}-" in str(pattern) for pattern in patterns):
            result.fail("card", f"README.md: config {name!r}: data_files do not name the release tag {tag}")
        splits = (infos.get(name) or {}).get("splits") or []
        declared = sum(s.get("num_examples", 0) for s in splits if isinstance(s, dict))
        held = sum(rows.get(p, 0) for p in matched)
        if splits and declared != held:
            result.fail("card", f"README.md: dataset_info of {name!r} declares {declared} rows, its files hold {held}")


def _check_files(folder: Path, manifest: dict[str, Any], result: VerifyResult) -> None:
    """Every listed file exists with its sha256 and row count; no Parquet file under data/ or rejected/ is unlisted."""
    listed: set[str] = set()
    for entry in _listed(manifest):
        rel = str(entry.get("path"))
        listed.add(rel)
        result.count("files")
        path = _inside(folder, rel)
        if path is None:
            result.fail("files", f"manifest.json: {rel}: path points outside the release")
            continue
        if not path.is_file():
            result.fail("files", f"{rel}: listed in manifest.json but missing")
            continue
        got = sha256_file(path)
        if got != entry.get("sha256"):
            result.fail("files", f"{rel}: sha256 is {got}, manifest.json says {entry.get('sha256')}")
        if "rows" in entry:
            try:
                rows = pq.ParquetFile(path).metadata.num_rows
            except (pa.ArrowException, OSError) as exc:
                result.fail("files", f"{rel}: not a readable Parquet file ({exc})")
                continue
            if rows != entry["rows"]:
                result.fail("files", f"{rel}: holds {rows} rows, manifest.json says {entry['rows']}")
    for sub in ("data", "rejected"):
        for path in sorted((folder / sub).rglob("*.parquet")):
            rel = path.relative_to(folder).as_posix()
            if rel not in listed:
                result.count("files")
                result.fail(
                    "files",
                    f"{rel}: Parquet file not listed in manifest.json (a stray or partial shard; "
                    "load_dataset would read it as part of the corpus)",
                )


def _batches(
    folder: Path, rel: str, schema: pa.Schema, kind: str, result: VerifyResult, columns: list[str] | None = None
) -> Iterator[pa.RecordBatch] | None:
    """The shard's record batches, or None (and a problem) when it is missing, unreadable or of another schema."""
    path = _inside(folder, rel)
    if path is None or not path.is_file():
        return None  # already reported by the file check
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        result.fail("files", f"{rel}: not a readable Parquet file ({exc})")
        return None
    if not pf.schema_arrow.equals(schema):
        theirs, ours = set(pf.schema_arrow.names), set(schema.names)
        result.fail(
            "files",
            f"{rel}: columns differ from the {kind} schema (missing: {sorted(ours - theirs) or 'none'}; "
            f"unexpected: {sorted(theirs - ours) or 'none'}; or a column's type differs)",
        )
        return None
    return _guarded(pf.iter_batches(batch_size=BATCH_ROWS, columns=columns), rel, result)


class _Unreadable(Exception):
    """A shard stopped decoding part-way; already reported."""


def _guarded(batches: Iterator[pa.RecordBatch], rel: str, result: VerifyResult) -> Iterator[pa.RecordBatch]:
    """A corrupt page shows up only when it is decoded: report it as the file's problem and stop there."""
    try:
        yield from batches
    except (pa.ArrowException, OSError) as exc:
        result.fail("files", f"{rel}: cannot be decoded ({exc})")
        raise _Unreadable from exc


class _Policies:
    """The licence table's policy per licence id, looked up once per id."""

    def __init__(self, table: LicenseTable) -> None:
        self.table = table
        self._cache: dict[str | None, str] = {}

    def __call__(self, license_id: str | None) -> str:
        if license_id not in self._cache:
            self._cache[license_id] = self.table.policy(license_id)
        return self._cache[license_id]


def _scan_rejected(
    folder: Path, manifest: dict[str, Any], table: LicenseTable, scan: _Scan, result: VerifyResult
) -> None:
    """Rejected rows per resource and reason; rows whose licence is not `allow` must have their text withheld."""
    columns = ["id", "text", "source", "dataset_id", "resource_url", "license", "reason"]
    policy_of = _Policies(table)
    for entry in manifest.get("rejected_files", []):
        rel = str(entry.get("path"))
        batches = _batches(folder, rel, REJECTED_SCHEMA, "rejected", result, columns)
        if batches is None:
            continue
        try:
            for batch in batches:
                cols = batch.select([c for c in columns if c != "text"]).to_pydict()
                has_text = pc.is_valid(batch.column("text")).to_pylist()
                scan.rejected += batch.num_rows
                for i, doc_id in enumerate(cols["id"]):
                    key = (cols["source"][i], cols["dataset_id"][i], cols["resource_url"][i])
                    scan.rejected_by_resource.setdefault(key, Counter())[cols["reason"][i] or "(no reason)"] += 1
                    lic = cols["license"][i]
                    policy = policy_of(lic)
                    if policy == "allow":
                        continue
                    result.count("withheld text")
                    if has_text[i]:
                        result.fail(
                            "withheld text",
                            f"{rel}: document {doc_id}: text is present, but its license {lic} has policy {policy}: "
                            "the text must be withheld (null)",
                        )
        except _Unreadable:
            continue


def _scan_published(
    folder: Path,
    manifest: dict[str, Any],
    table: LicenseTable,
    scan: _Scan,
    result: VerifyResult,
    ledger: Ledger | None = None,
) -> None:
    """Licence, attribution, access tier, removals and personal data of every published document; counts and
    row hashes on the way."""
    scanner = _PublishedScanner(_Policies(table), scan, result, str(manifest.get("access_tier") or "open"))
    scanner.ledger = ledger or Ledger([])
    scanner.keys = document_keys(folder) if scanner.ledger.entries else {}
    for entry in manifest.get("shards", []):
        rel = str(entry.get("path"))
        scanner.enter(rel)
        batches = _batches(folder, rel, DOCUMENT_SCHEMA, "document", result)
        if batches is None:
            scan.complete = False
            continue
        try:
            for batch in batches:
                scanner.batch(batch)
        except _Unreadable:
            scan.complete = False


class _PublishedScanner:
    """Walks the published shards: per document licence, attribution and personal data; counts and row hashes
    for the content digests on the way."""

    def __init__(self, policy_of: _Policies, scan: _Scan, result: VerifyResult, tier: str) -> None:
        self.policy_of, self.scan, self.result, self.tier = policy_of, scan, result, tier
        self.ledger = Ledger([])
        self.keys: dict[str, str] = {}  # document id -> dedup key, from the release's index
        self.rel = ""

    def enter(self, rel: str) -> None:
        self.rel = rel

    def batch(self, batch: pa.RecordBatch) -> None:
        columns = ["id", "text", "title", "source", "dataset_id", "resource_url", "license", "attribution"]
        rows = batch.select([*columns, "access_tier"]).to_pydict()
        self.scan.documents += batch.num_rows
        ids, hashes = row_hashes(pa.Table.from_batches([batch]).cast(DOCUMENT_SCHEMA))
        self.scan.digest.add(ids, hashes)
        datasets = list(zip(rows["source"], rows["dataset_id"], strict=True))
        for dataset in set(datasets):
            mine = np.array([d == dataset for d in datasets])
            self.scan.dataset_digests.setdefault(dataset, Digest()).add(ids[mine], hashes[mine])
        for i, doc_id in enumerate(rows["id"]):
            key = (rows["source"][i], rows["dataset_id"][i], rows["resource_url"][i])
            self.scan.by_dataset[key[:2]] += 1
            self.scan.published_by_resource[key] += 1
            self.document(doc_id, {name: values[i] for name, values in rows.items()})

    def document(self, doc_id: str, row: dict[str, Any]) -> None:
        rel, result = self.rel, self.result
        lic, statement = row["license"], row["attribution"]
        result.count("licences")
        policy = self.policy_of(lic)
        if policy != "allow":
            result.fail(
                "licences",
                f"{rel}: document {doc_id}: license {lic}: policy {policy} in {self.policy_of.table.path}, not allow",
            )
        if not statement or not statement.strip():
            result.fail("licences", f"{rel}: document {doc_id}: attribution is empty")
        result.count("removals")
        n = self.ledger.entry_for(
            doc_id, row["dataset_id"], row["resource_url"], row["text"], row["title"], self.keys.get(doc_id)
        )
        if n is not None:
            result.fail("removals", f"{rel}: document {doc_id}: published, but {self.ledger.describe(n)} removes it")
        result.count("access tier")
        if row["access_tier"] != self.tier:
            result.fail(
                "access tier",
                f"{rel}: document {doc_id}: access_tier {row['access_tier']!r} in a release of tier {self.tier!r} "
                "(authorised documents belong in the restricted release only)",
            )
        else:
            self.scan.attributions.setdefault(statement, (f"{row['source']}/{row['dataset_id']}", doc_id))
        result.count("personal data")
        result.count("private use")
        for name in ("text", "title"):
            for category, offset in personal_data(row[name] or ""):
                result.fail("personal data", f"{rel}: document {doc_id}: {name}: {category} at character {offset}")
            for m in PRIVATE_USE.finditer(row[name] or ""):
                code = f"U+{ord(m.group(0)):04X}"
                result.fail("private use", f"{rel}: document {doc_id}: {name}: private-use {code} at {m.start()}")


def personal_data(text: str) -> list[tuple[str, int]]:
    """(category, character offset) of every span the pipeline's redaction would still replace, and of every
    phone number a second, independent reading finds.

    Published text went through `redact`, so it must be a fixed point of it: the same detectors, the same
    validation (check digits, Luhn) and the same document-number exception. The second reading does not trust
    the redactor's idea of a phone number: it folds every width variant (NFKC), takes any dash, dot or space as
    a separator and any phone word as context, and so names what the redactor missed. Placeholders such as
    <電子郵件> hold no ASCII letters or digits and never match. Only positions are returned, never the data.
    """
    found = [(det.category, start) for start, _, det in find(text)]
    seen = {start for _, start in found}
    folded = text if text.isascii() else _nfkc(text)
    for pattern in (_PHONE_SHAPE, _PHONE_AFTER_WORD):
        if not _DIGITS7.search(folded):
            break
        for m in pattern.finditer(folded):
            start = m.start(1)
            digits = re.sub(r"\D", "", m.group(1))
            before, after = folded[max(0, start - 1) : start], folded[m.end(1) : m.end(1) + 1]
            toll_free = digits.startswith("080")  # an agency's free service line, not a person's number
            if (
                7 <= len(digits) <= 12
                and not toll_free
                and before not in ("第", "字")
                and after != "號"
                and start not in seen
            ):
                found.append(("phone (second reading)", start))
                seen.add(start)
    return sorted(found, key=lambda hit: hit[1])


def _nfkc(text: str) -> str:
    """NFKC, one character for one where it would change the length (so offsets stay the text's own)."""
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) == len(text):
        return folded
    return "".join(c if len(f := unicodedata.normalize("NFKC", c)) != 1 else f for c in text)


_DIGITS7 = re.compile(r"\d{3}")
_SEP = r"[\s.\-‐‑‒–—―−﹣]"
# With an area code (or +886), in any separators; a mobile number; a number right after a phone word.
_PHONE_SHAPE = re.compile(
    rf"(?<![\w.,/\-])((?:\+886{_SEP}?\(?0?|\(0)\d{{1,3}}\)?{_SEP}?\d{{3,4}}{_SEP}?\d{{3,4}}"
    rf"|0[2-8]\d{{0,2}}{_SEP}\d{{3,4}}{_SEP}?\d{{3,4}}|09\d{{2}}{_SEP}?\d{{3}}{_SEP}?\d{{3}})(?![\w,/])"
)
_PHONE_AFTER_WORD = re.compile(
    r"(?:電話|專線|傳真|手機|行動電話|TEL|Tel|tel|FAX|Fax|fax|Phone|phone)\s?[:：]?\s?"
    r"(\(?\d[\d\s().\-‐‑‒–—―−﹣]{5,14}\d)(?![\w,/])"
)


def _check_counts(manifest: dict[str, Any], scan: _Scan, result: VerifyResult) -> None:
    """The manifest's totals and per-dataset document counts against the rows the shards hold."""
    for name, held in (("documents", scan.documents), ("rejected", scan.rejected)):
        result.count("counts")
        if manifest.get(name) != held:
            result.fail("counts", f"manifest.json: {name} is {manifest.get(name)}, the shards hold {held} rows")
    listed = {(d.get("source"), d.get("dataset_id")): d for d in manifest.get("datasets", [])}
    for key in sorted(set(listed) | set(scan.by_dataset), key=lambda k: tuple(map(str, k))):
        result.count("counts")
        name, held = f"{key[0]}/{key[1]}", scan.by_dataset.get(key, 0)
        if key not in listed:
            result.fail(
                "counts",
                f"{name}: {held} published documents in the shards, but manifest.json lists no such dataset "
                "(so the NOTICE and the dataset card do not name it)",
            )
        elif listed[key].get("documents") != held:
            result.fail(
                "counts",
                f"manifest.json: datasets[{name}].documents is {listed[key].get('documents')}, the shards hold {held}",
            )


def _check_notice(folder: Path, scan: _Scan, result: VerifyResult) -> None:
    """Each attribution statement the published documents carry is in NOTICE, as the licences require."""
    path = folder / "NOTICE"
    if not path.is_file():
        if scan.documents:
            result.fail("licences", "NOTICE: missing; it must carry every dataset's attribution statement")
        return
    notice = path.read_text(encoding="utf-8")
    for statement, (dataset, doc_id) in scan.attributions.items():
        if statement not in notice:
            result.fail("licences", f"NOTICE: lacks the attribution statement of {dataset} (e.g. document {doc_id})")


def _report_describes(report: dict[str, Any], manifest: dict[str, Any]) -> bool:
    restricted = report.get("restricted") or {}
    return manifest.get("run_id") in (report.get("release_run_id"), restricted.get("run_id"))


def _check_report_is_this_release(
    report: dict[str, Any] | None, manifest: dict[str, Any], result: VerifyResult
) -> None:
    if report is not None and not _report_describes(report, manifest):
        result.count("accounting")
        result.fail(
            "accounting",
            f"report: describes the release of run {report.get('release_run_id')}, "
            f"not this one (run {manifest.get('run_id')})",
        )


def _check_digests(manifest: dict[str, Any], scan: _Scan, result: VerifyResult) -> None:
    """content_sha256 of each dataset and of the release, recomputed from the rows (see publish/digest.py)."""
    if not scan.complete:
        result.warn("content digests not recomputed: a listed data shard is missing or unreadable (see problems)")
        return
    for d in manifest.get("datasets", []):
        want = d.get("content_sha256")
        if want:
            key = (d.get("source"), d.get("dataset_id"))
            got = scan.dataset_digests.get(key, Digest()).hexdigest()
            _compare_digest(f"datasets[{key[0]}/{key[1]}].content_sha256", want, got, result)
    _compare_digest("content_sha256", manifest.get("content_sha256"), scan.digest.hexdigest(), result)


def _compare_digest(name: str, want: str | None, got: str, result: VerifyResult) -> None:
    result.count("content digest")
    if got != want:
        result.fail("content digest", f"manifest.json: {name} is {want}, recomputed from the shards {got}")


def _check_accounting(
    report: dict[str, Any] | None, manifest: dict[str, Any], scan: _Scan, result: VerifyResult
) -> None:
    """Per resource: read = published + rejected in the report, and the shards hold exactly those rows."""
    if report is None:
        result.warn(
            "accounting per resource not checked: records read are in the run's provenance report, not in the "
            "release; pass --report <data_dir>/reports/<run_id>/report.json"
        )
        return
    if not _report_describes(report, manifest):
        return  # reported by _check_report_is_this_release
    origin = report.get("name", "report")
    tallies: dict[ResourceKey, tuple[int, int, Counter[str]]] = {}
    for r in report["resources"]:
        key = (r.get("source"), r.get("dataset_id"), r.get("resource_url"))
        read, published, rejected = tallies.get(key, (0, 0, Counter()))
        tallies[key] = (read + r["records_read"], published + r["published"], rejected + Counter(r["rejected"]))
    elsewhere = bool(report.get("restricted"))  # restricted resources are published in the other release
    skipped = 0
    for key, (read, published, rejected) in tallies.items():
        name = f"{key[2]} ({key[0]}/{key[1]})"
        held, held_rejected = scan.published_by_resource.get(key, 0), scan.rejected_by_resource.get(key, Counter())
        if elsewhere and not held and not held_rejected:
            skipped += 1
            continue
        result.count("accounting")
        if read != published + rejected.total():
            result.fail(
                "accounting",
                f"{origin}: {name}: records read {read} != published {published} + rejected {rejected.total()}",
            )
        if held != published or held_rejected != rejected:
            result.fail(
                "accounting",
                f"{name}: read {read} = published {published} + rejected {_reasons(rejected)} per the {origin}, "
                f"but the release holds published {held} + rejected {_reasons(held_rejected)}",
            )
    for key in sorted(set(scan.published_by_resource) | set(scan.rejected_by_resource), key=lambda k: str(k)):
        if key not in tallies:
            result.count("accounting")
            result.fail(
                "accounting",
                f"{key[2]} ({key[0]}/{key[1]}): rows in the release, but the {origin} lists no such resource",
            )
    if skipped:
        result.warn(f"accounting: {skipped} resource(s) of the report have no rows here (the restricted release)")


def _reasons(counts: Counter[str]) -> str:
    inner = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items()))
    return f"{counts.total()} ({inner})" if inner else "0"
