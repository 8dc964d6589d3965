"""`twcorpus verify` on the release the real flow builds from the embedded sample, intact and tampered with.

Each test copies the release first. Tampering that rewrites a shard also updates the manifest's sha256, size
and row count, so the file check passes and only the check under test can catch it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.atomic import sha256_file
from pipeline.normalize.pii import valid_national_id
from pipeline.publish.verify import NotAReleaseError, personal_data, verify_release

DENY = "CC-BY-ND-3.0-TW"  # policy deny in configs/licenses.yaml
EMAIL = "chen.mei@example.org"
NATIONAL_ID = "A123456789"


@pytest.fixture
def release(sample_run: tuple[Path, dict[str, Any], dict[str, Any]], tmp_path: Path) -> Path:
    work, _, _ = sample_run
    dest = tmp_path / "corpus"
    shutil.copytree(work / "data" / "corpus", dest)
    return dest


@pytest.fixture
def report(sample_run: tuple[Path, dict[str, Any], dict[str, Any]]) -> Path:
    work, _, second = sample_run
    folder = Path(second["report_dir"])
    return (folder if folder.is_absolute() else work / folder) / "report.json"


def _manifest(release: Path) -> dict[str, Any]:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def _save_manifest(release: Path, manifest: dict[str, Any]) -> None:
    (release / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _rewrite(release: Path, rel: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Rewrite one shard's rows in place and make the manifest's file entry agree with the new file."""
    path = release / rel
    schema = pq.read_schema(path)
    rows = pq.read_table(path).to_pylist()
    change(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")
    manifest = _manifest(release)
    for entry in manifest["shards"] + manifest["rejected_files"]:
        if entry["path"] == rel:
            entry.update(rows=len(rows), bytes=path.stat().st_size, sha256=sha256_file(path))
    _save_manifest(release, manifest)


def _shard_with_rows(release: Path, at_least: int) -> str:
    return next(e["path"] for e in _manifest(release)["shards"] if e["rows"] >= at_least)


def _verify_cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["verify", *args])


def test_intact_release_verifies_clean(release: Path, report: Path) -> None:
    result = _verify_cli(str(release))
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output and "personal data" in result.output

    checked = verify_release(release, report=report)
    manifest = _manifest(release)
    assert checked.ok and checked.problems == [] and checked.warnings == []
    assert checked.checked["licences"] == checked.checked["personal data"] == manifest["documents"]
    # Every dataset's digest and the release's, fed in the order the report lists the resources.
    assert checked.checked["content digest"] == len(manifest["datasets"]) + 1
    assert checked.checked["accounting"] == len(json.loads(report.read_text(encoding="utf-8"))["resources"])
    assert _verify_cli(str(release), "--report", str(report)).exit_code == 0


def test_the_release_alone_carries_its_accounting_and_digest_order(release: Path) -> None:
    checked = verify_release(release)
    assert checked.ok and checked.checked["accounting"] == len(_manifest(release)["resources"]) > 0
    assert not checked.warnings


def test_without_per_resource_accounting_in_the_manifest_it_is_a_warning(release: Path) -> None:
    manifest = _manifest(release)
    del manifest["resources"]  # as releases written before manifests carried it
    _save_manifest(release, manifest)
    checked = verify_release(release)
    assert checked.ok and checked.checked["accounting"] == 0
    assert any("--report" in w and "accounting" in w for w in checked.warnings)


def test_a_card_that_would_load_other_files_is_named(release: Path) -> None:
    """The card's patterns decide what `load_dataset` reads and caches: each must name the release tag and match
    exactly the files its config stands for, with the row count it declares."""
    card = (release / "README.md").read_text(encoding="utf-8")
    tag = _manifest(release)["release_tag"]
    assert verify_release(release).checked["card"] >= 4  # default, two licence classes, sources, rejected
    untagged = card.replace(f"path: data/*/*/train-{tag}-*.parquet", "path: data/*/*/*.parquet", 1)
    (release / "README.md").write_text(untagged, encoding="utf-8")
    checked = verify_release(release)
    assert checked.failed["card"] == 1
    assert "config 'default': data_files do not name the release tag" in " ".join(checked.problems)

    header, body = card.split("\n---\n", 1)
    miscounted = header.replace("num_examples: ", "num_examples: 1", 1)
    (release / "README.md").write_text(miscounted + "\n---\n" + body, encoding="utf-8")
    checked = verify_release(release)
    assert checked.failed["card"] == 1 and "dataset_info of 'default' declares 1" in " ".join(checked.problems)


def test_a_flipped_byte_in_a_shard_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    path = release / rel
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    checked = verify_release(release)
    assert any(p.startswith(f"{rel}: sha256 is ") for p in checked.problems), checked.problems
    result = _verify_cli(str(release))
    assert result.exit_code == 1 and f"{rel}: sha256 is" in result.output


def test_a_deleted_shard_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    (release / rel).unlink()

    checked = verify_release(release)
    assert f"{rel}: listed in manifest.json but missing" in checked.problems
    assert checked.failed["counts"] >= 1  # the manifest's totals no longer match the shards either
    assert _verify_cli(str(release)).exit_code == 1


def test_a_stray_parquet_file_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    stray = (release / rel).with_name("train-00000.parquet")  # a shard left before its -of-N rename
    shutil.copy(release / rel, stray)

    checked = verify_release(release)
    stray_rel = stray.relative_to(release).as_posix()
    assert [p for p in checked.problems if p.startswith(stray_rel)] == [
        f"{stray_rel}: Parquet file not listed in manifest.json (a stray or partial shard; "
        "load_dataset would read it as part of the corpus)"
    ]
    assert _verify_cli(str(release)).exit_code == 1


def test_a_published_document_under_a_deny_licence_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    doc_id = pq.read_table(release / rel, columns=["id"])["id"][0].as_py()

    def deny(rows: list[dict[str, Any]]) -> None:
        rows[0]["license"] = DENY

    _rewrite(release, rel, deny)
    checked = verify_release(release)
    assert checked.failed["files"] == 0
    assert any(doc_id in p and f"license {DENY}: policy deny" in p for p in checked.problems), checked.problems
    result = _verify_cli(str(release))
    assert result.exit_code == 1 and doc_id in result.output


def test_an_empty_attribution_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    doc_id = pq.read_table(release / rel, columns=["id"])["id"][0].as_py()

    def strip(rows: list[dict[str, Any]]) -> None:
        rows[0]["attribution"] = " "

    _rewrite(release, rel, strip)
    assert f"{rel}: document {doc_id}: attribution is empty" in verify_release(release).problems


def test_an_authorised_document_in_the_open_release_is_named(release: Path) -> None:
    rel = _shard_with_rows(release, 1)
    rows = pq.read_table(release / rel, columns=["id", "access_tier"]).to_pylist()
    assert {r["access_tier"] for r in rows} == {"open"} and _manifest(release)["access_tier"] == "open"

    def smuggle(rows: list[dict[str, Any]]) -> None:
        rows[0]["access_tier"] = "authorised"

    _rewrite(release, rel, smuggle)
    checked = verify_release(release)
    assert checked.failed["access tier"] == 1
    assert any(f"document {rows[0]['id']}: access_tier 'authorised'" in p for p in checked.problems)


def test_personal_data_in_published_text_is_named_but_never_shown(release: Path) -> None:
    assert valid_national_id(NATIONAL_ID)
    rel = _shard_with_rows(release, 2)
    before = pq.read_table(release / rel, columns=["id", "text"]).to_pylist()

    def leak(rows: list[dict[str, Any]]) -> None:
        rows[0]["text"] += f"\n聯絡信箱 {EMAIL}。"
        rows[1]["text"] += f"\n身分證統一編號{NATIONAL_ID}。"

    _rewrite(release, rel, leak)
    email_at = len(before[0]["text"]) + len("\n聯絡信箱 ")
    id_at = len(before[1]["text"]) + len("\n身分證統一編號")
    checked = verify_release(release)
    assert f"{rel}: document {before[0]['id']}: text: email at character {email_at}" in checked.problems
    assert f"{rel}: document {before[1]['id']}: text: national_id at character {id_at}" in checked.problems
    assert checked.failed["personal data"] == 2 and checked.failed["files"] == 0

    result = _verify_cli(str(release))
    assert result.exit_code == 1
    assert before[0]["id"] in result.output and before[1]["id"] in result.output
    assert EMAIL not in result.output and "chen.mei" not in result.output and NATIONAL_ID not in result.output
    assert not any(EMAIL in p or NATIONAL_ID in p for p in checked.problems + checked.warnings)


def test_redaction_placeholders_and_document_numbers_are_not_personal_data() -> None:
    assert personal_data("電話<電話號碼>，手機<手機號碼>，電子郵件<電子郵件>，身分證<身分證字號>。") == []
    assert personal_data("依勞人1字第0940500123號函辦理") == []
    assert personal_data(f"寄至 {EMAIL}") == [("email", 3)]


def test_rejected_text_under_a_licence_not_allowed_must_be_withheld(release: Path) -> None:
    entry = _manifest(release)["rejected_files"][0]
    rows = pq.read_table(release / entry["path"], columns=["id", "text"]).to_pylist()
    victim = next(r["id"] for r in rows if r["text"] is not None)

    def relicense(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if row["id"] == victim:
                row["license"] = DENY

    _rewrite(release, entry["path"], relicense)
    checked = verify_release(release)
    assert checked.failed["withheld text"] == 1
    assert checked.problems == [
        f"{entry['path']}: document {victim}: text is present, but its license {DENY} has policy deny: "
        "the text must be withheld (null)"
    ]


def test_a_dropped_rejected_row_breaks_the_accounting(release: Path, report: Path) -> None:
    entry = _manifest(release)["rejected_files"][0]
    dropped: dict[str, Any] = {}

    def drop(rows: list[dict[str, Any]]) -> None:
        dropped.update(rows.pop())

    _rewrite(release, entry["path"], drop)
    manifest = _manifest(release)
    manifest["rejected"] -= 1
    _save_manifest(release, manifest)

    assert verify_release(release).failed["accounting"] == 1  # the manifest's own accounting catches it
    checked = verify_release(release, report=report)
    assert checked.failed["accounting"] == 1
    (problem,) = [p for p in checked.problems if not p.startswith("README.md:")]  # the card counts too
    assert problem.startswith(f"{dropped['resource_url']} ({dropped['source']}/{dropped['dataset_id']}): read ")
    assert "per the report, but the release holds" in problem
    assert _verify_cli(str(release), "--report", str(report)).exit_code == 1


def test_a_temp_folder_beside_the_release_is_only_a_warning(release: Path) -> None:
    leftover = release.parent / f".{release.name}.tmp-20260101T000000Z-abcdef"
    (leftover / "data").mkdir(parents=True)
    checked = verify_release(release)
    assert checked.ok and any(str(leftover) in w for w in checked.warnings)
    result = _verify_cli(str(release))
    assert result.exit_code == 0 and "warning:" in result.output


def test_a_folder_without_manifest_is_not_a_release(release: Path) -> None:
    (release / "manifest.json").unlink()
    with pytest.raises(NotAReleaseError):
        verify_release(release)
    result = _verify_cli(str(release))
    assert result.exit_code == 2
    assert "not a release: there is no manifest.json" in result.output
