"""Sources, readers and quality signals are found through registries: what the config accepts is registered."""

import typing

from pipeline.config import LocalSource, Source
from pipeline.document import QUALITY_TYPE
from pipeline.extract.signals import SIGNALS, signals
from pipeline.publish.rules import RULES
from pipeline.readers import DOCUMENT_READERS, READERS, read_records
from pipeline.sources import FAMILIES


def test_every_source_kind_the_config_accepts_has_a_family():
    union = typing.get_args(typing.get_args(Source)[0])
    kinds = {typing.get_args(model.model_fields["kind"].annotation)[0] for model in union}
    assert kinds == set(FAMILIES)


def test_every_local_format_has_a_reader_and_an_unknown_one_is_named():
    formats = set(typing.get_args(LocalSource.model_fields["format"].annotation))
    assert formats <= {*READERS, *DOCUMENT_READERS, "auto"}
    try:
        list(read_records("tsv", "a\tb"))
    except ValueError as exc:
        assert "unsupported format 'tsv'" in str(exc) and "csv" in str(exc)
    else:
        raise AssertionError("an unregistered format must be refused")


def test_every_registered_signal_is_a_field_of_the_quality_column():
    fields = {QUALITY_TYPE.field(i).name for i in range(QUALITY_TYPE.num_fields)}
    assert set(SIGNALS) | {"traditional_ratio"} == fields
    assert set(signals("公告：本機關資料開放。", 1.0)) == fields


def test_the_record_rules_run_in_their_documented_order():
    assert [r.name for r in RULES] == ["abolished", "private_use", "min_chars", "quality"]
