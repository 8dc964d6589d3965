import pytest

from pipeline.config import ConfigError, load_config
from tests.conftest import SAMPLE_CONFIG


def test_sample_config_loads_and_resolves_inputs_against_its_folder():
    cfg = load_config(SAMPLE_CONFIG)
    assert [s.kind for s in cfg.corpus.sources] == ["datagovtw", "moj_laws", "local", "local"]
    assert cfg.resolve_input("../data/sample").resolve() == (SAMPLE_CONFIG.parent.parent / "data/sample").resolve()
    assert len(cfg.digest) == 16


def test_output_override_changes_output_and_digest():
    a = load_config(SAMPLE_CONFIG)
    b = load_config(SAMPLE_CONFIG, output_dir="elsewhere")
    assert b.corpus.output_dir == "elsewhere" and a.digest != b.digest


LOCAL = {"kind": "local", "paths": ["*.jsonl"], "format": "jsonl", "text_field": "text", "dataset": {"id": "d"}}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"format": "tsv"}, "sources[0].format: Input should be 'jsonl', 'csv', 'json', 'xml', 'html', 'pdf', 'odt', "),
        ({"text_field": None}, "sources[0]: Value error, text_field is required for format 'jsonl'"),
        ({"text_field": 3}, "sources[0].text_field.str: Input should be a valid string (got 3)"),
        ({"dataset": {"title": "無id"}}, "sources[0].dataset.id: Field required"),
        ({"pathz": ["x"]}, "sources[0].pathz: Extra inputs are not permitted"),
    ],
)
def test_errors_name_file_key_path_and_expectation(write_config, change, expected):
    path = write_config({"sources": [{**LOCAL, **change}]})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message


def test_unknown_source_kind_is_named(write_config):
    path = write_config({"sources": [{**LOCAL, "kind": "ftp"}]})
    with pytest.raises(ConfigError, match=r"sources\[0\]: Input tag 'ftp' found using 'kind' does not match"):
        load_config(path)


def test_yaml_syntax_and_missing_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(scalar)
