"""Records of one resource -> Documents carrying their attributes: provenance, normalised text, and what every
later decision needs (script, language, quality signals, lengths, words, tokens, hashing keys, flags). The
words and tokens of a resource split across workers (one big file) are counted at publish instead, for its
published documents only (`publish.counts`): such a file keeps every worker busy, and counting the copies dedup
removes from it would be wasted on the run's critical path.

Nothing is decided here that a setting of publish could change: a record is rejected only for a fact (it is
not text, it is empty after normalisation, it is over `max_record_chars`, it holds NUL bytes or lone
surrogates). The licence, the dataset's title and provider are filled in at publish, from the resource's
record, so editing them in a config re-extracts nothing.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from typing import Any

from pipeline.config import LoadedConfig
from pipeline.dates import parse_date
from pipeline.dedup.boilerplate import edge_keys, nonempty
from pipeline.dedup.hashing import key_of_view, prefix_key, views_of
from pipeline.dedup.signing import signatures
from pipeline.document import Document, document_id
from pipeline.extract.signals import signals
from pipeline.extract.split import Share
from pipeline.extract.staged import StepStat
from pipeline.fetch import FetchedRef
from pipeline.normalize import Normalized, Normalizer
from pipeline.normalize.segment import count_words
from pipeline.normalize.unicode import lone_surrogates, replace_surrogates
from pipeline.paths import RunContext
from pipeline.readers.records import BadRecord
from pipeline.sources import Draft, Resource
from pipeline.tokens import TokenCounter

KEPT_OF_TOO_LONG = 10_000
_KEPT = f"; the first {KEPT_OF_TOO_LONG:,} are kept here, the whole record stays in the raw file"


class NormalizationStats:
    """Per-resource audit of what normalisation did: conversions (with samples) and redactions by category."""

    MAX_SAMPLES = 3

    def __init__(self) -> None:
        self.converted_docs = 0
        self.converted_chars = 0
        self.samples: list[dict[str, str]] = []
        self.pii: Counter[str] = Counter()
        self.scripts: Counter[str] = Counter()
        self.private_use: Counter[str] = Counter()

    def record(self, doc: Document, norm: Normalized) -> None:
        self.scripts[norm.script] += 1
        if norm.converted_chars:
            self.converted_docs += 1
            self.converted_chars += norm.converted_chars
            for sample in norm.samples[: self.MAX_SAMPLES - len(self.samples)]:
                self.samples.append({**sample, "id": doc.id})
        self.pii.update(norm.pii)
        self.private_use.update(r.basis for r in norm.private_use)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scripts": dict(sorted(self.scripts.items())),
            "converted_docs": self.converted_docs,
            "converted_chars": self.converted_chars,
            "conversion_samples": self.samples,
            "pii": dict(sorted(self.pii.items())),
            "private_use": dict(sorted(self.private_use.items())),
        }


def merged_stats(parts: list[dict[str, Any]], ids: list[str]) -> dict[str, Any]:
    """The audit of a split resource from its parts' (`as_dict`): counts added up, and the first conversion
    samples in the order of the resource's rows (`ids`), as one pass over the whole file would have kept."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("scripts", "pii", "private_use")}
    for part in parts:
        for name, counter in counts.items():
            counter.update(part[name])
    where = {doc_id: n for n, doc_id in enumerate(ids)}
    samples = sorted((s for part in parts for s in part["conversion_samples"]), key=lambda s: where.get(s["id"], -1))
    return {
        "scripts": dict(sorted(counts["scripts"].items())),
        "converted_docs": sum(part["converted_docs"] for part in parts),
        "converted_chars": sum(part["converted_chars"] for part in parts),
        "conversion_samples": samples[: NormalizationStats.MAX_SAMPLES],
        "pii": dict(sorted(counts["pii"].items())),
        "private_use": dict(sorted(counts["private_use"].items())),
    }


class Steps:
    """Documents in and out and CPU seconds (of this thread) of each extraction step."""

    def __init__(self) -> None:
        self.stats: dict[str, StepStat] = {}

    @contextmanager
    def step(self, name: str, docs_in: int) -> Iterator[StepStat]:
        stat = self.stats.setdefault(name, StepStat())
        stat.docs_in += docs_in
        started = time.thread_time()
        try:
            yield stat
        finally:
            stat.cpu_s += time.thread_time() - started


class Builder:
    """Turns drafts and bad records into Documents carrying the resource's provenance and their attributes."""

    def __init__(self, cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef) -> None:
        self.cfg = cfg
        self.ctx = ctx
        self.resource = resource
        self.fetched = fetched
        self.retrieved_at = parse_date(fetched.retrieved_at)
        source = cfg.corpus.sources[resource.source_index]
        unwrap = source.unwrap_lines if source.unwrap_lines is not None else resource.source_kind == "moj_laws"
        self.normalizer = Normalizer(
            cfg.corpus.normalize, cfg.corpus.pii, unwrap=unwrap, private_use=cfg.private_use_table()
        )
        self.stats = NormalizationStats()
        self.steps = Steps()
        self.share: Share | None = None  # the records this builder makes, when the resource is split
        self.source_encoding: str | None = None  # what the file (or member) being read was decoded with

    @cached_property
    def tokens(self) -> TokenCounter | None:
        """The run's tokenizer, loaded at its first use in this process: the parts of a split file need none."""
        return self.cfg.token_counter()

    def decoded(self, encoding: str | None) -> None:
        """The rows built from now on came from bytes decoded with `encoding` (or read as that format)."""
        self.source_encoding = encoding

    def base(self, locator: str, text: str) -> Document:
        r = self.resource
        return Document(
            id=document_id(r.source_kind, r.dataset.id, r.url, locator),
            text=text,
            source=r.source_kind,
            dataset_id=r.dataset.id,
            resource_url=r.url,
            record_locator=locator,
            raw_sha256=self.fetched.sha256,
            retrieved_at=self.retrieved_at,
            source_encoding=self.source_encoding,
            pipeline_version=self.ctx.pipeline_version,
        )

    def from_draft(self, draft: Draft, prefix: str = "") -> Document:
        draft = _storable(draft)
        limit = self.cfg.corpus.max_record_chars
        if len(draft.text) > limit and not draft.rejection:  # before normalising: a 100 MB cell costs no more
            detail = f"{len(draft.text):,} characters > max_record_chars {limit:,}"
            draft = replace(draft, text=draft.text[:KEPT_OF_TOO_LONG], rejection=("too_long", detail + _KEPT))
        elif "\x00" in draft.text and not draft.rejection:
            draft = replace(draft, rejection=("nul_bytes", f"NUL byte at offset {draft.text.index(chr(0))}"))
        norm = self.normalizer(draft.text)
        text = norm.text
        doc = self.base(prefix + draft.locator, text)
        title = self.normalizer(draft.title, "title") if draft.title else None
        doc.title = title.text or None if title else None
        replaced = norm.private_use + (title.private_use if title else [])
        doc.private_use = [r.as_row() for r in replaced] or None
        doc.source_record_id = draft.source_record_id
        doc.agency = draft.agency  # the record's own; the dataset's provider fills the rest at publish
        doc.modified_at = draft.modified_at
        doc.normalization = norm.steps
        doc.flags = list(draft.flags) + (["private_use_chars"] if replaced else [])
        doc.language = draft.language
        doc.metadata = json.dumps(draft.metadata, ensure_ascii=False, sort_keys=True) if draft.metadata else None
        doc.n_chars = len(text)
        doc.script = norm.script
        doc.converted_chars = norm.converted_chars
        doc.pii_redactions = sum(norm.pii.values())
        self.stats.record(doc, norm)
        if draft.rejection:
            return doc.reject(*draft.rejection)
        if not text.strip():
            return doc.reject("empty_text", "no text after normalisation")
        doc.quality = {"traditional_ratio": norm.traditional_ratio}  # the other signals come in measure()
        return doc

    def measure(self, docs: list[Document]) -> None:
        """Quality signals, hashing view and keys, word and token counts (unless the resource is split) of the
        documents no fact rules out, one step at a time over all of them: each step's tables (the jieba
        dictionary, the BPE ranks) stay in the CPU cache for the whole resource instead of evicting one another
        document by document."""
        kept = [d for d in docs if not d.reason]
        with self.steps.step("quality_signals", len(kept)) as s:
            for doc in kept:
                doc.quality = signals(doc.text, doc.quality["traditional_ratio"])
                doc.language = doc.language or doc.quality.get("language")
            s.docs_out += len(kept)
        with self.steps.step("hashing_view", len(kept)) as s:
            for doc in kept:
                doc.hash_view, every_line = views_of(doc.text)
                views = nonempty(doc.text, every_line)
                doc.hash_key = key_of_view(doc.hash_view)
                doc.view_len = len(doc.hash_view)
                doc.prefix_key = prefix_key(doc.hash_view)
                doc.line_keys = edge_keys(views)
                doc.line_views = "\n".join(views)
            s.docs_out += len(kept)
        if self.share is not None:
            return  # counted at publish
        if self.cfg.corpus.normalize.segment:
            with self.steps.step("words", len(kept)) as s:
                for doc in kept:
                    doc.n_words = count_words(doc.text)
                s.docs_out += len(kept)
        if self.tokens is not None:
            with self.steps.step("tokens", len(kept)) as s:
                for doc in kept:
                    doc.n_tokens = self.tokens.count(doc.text)
                    doc.tokenizer = self.tokens.label
                s.docs_out += len(kept)

    def sign(self, docs: list[Document]) -> None:
        """MinHash signatures of the documents no fact rules out, in one bulk call per resource."""
        dedup = self.cfg.corpus.dedup
        todo = [d for d in docs if d.hash_view is not None and not d.reason]
        if dedup.near and todo:
            with self.steps.step("signatures", len(todo)) as s:
                views = [d.hash_view or "" for d in todo]
                sigs = signatures(views, num_perm=dedup.num_perm, ngram=dedup.ngram, seed=dedup.seed)
                for d, sig in zip(todo, sigs, strict=True):
                    d.minhash = sig
                s.docs_out += len(todo)
        for d in docs:
            d.hash_view = None

    def from_bad(self, bad: BadRecord, prefix: str = "") -> Document:
        """A record no reader could use: kept in rejected/ as it came, but with personal data redacted."""
        raw = self.normalizer.redact(replace_surrogates(bad.raw or ""))
        doc = self.base(prefix + replace_surrogates(bad.locator), raw)
        return doc.reject(bad.reason, self.normalizer.redact(replace_surrogates(bad.detail)))

    def whole_resource(self, reason: str, detail: str, prefix: str = "") -> Document:
        doc = self.base(prefix + "$resource", "")
        return doc.reject(reason, detail)


def _storable(draft: Draft) -> Draft:
    """A draft whose strings can be written as UTF-8: lone surrogates (JSON "\\ud800" escapes) are replaced by
    U+FFFD and the record is rejected as invalid_unicode, naming the field and offsets."""
    fields = {"locator": draft.locator, "text": draft.text, "title": draft.title}
    fields |= {"source_record_id": draft.source_record_id, "agency": draft.agency}
    found = {name: at for name, value in fields.items() if value and (at := lone_surrogates(value))}
    if not found:
        return draft
    where = "; ".join(f"{name} at offset {', '.join(map(str, at[:5]))}" for name, at in found.items())
    return replace(
        draft,
        **{name: replace_surrogates(fields[name]) for name in found},
        rejection=draft.rejection or ("invalid_unicode", f"lone surrogate code points (not Unicode text): {where}"),
    )
