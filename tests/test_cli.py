from typer.testing import CliRunner

from flows.cli import app


def test_bad_config_exits_2_naming_file_and_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "sources:\n  - kind: local\n    paths: [x]\n    format: tsv\n    text_field: t\n    dataset: {id: d}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["run", "--config", str(cfg)])
    assert result.exit_code == 2
    assert str(cfg) in result.output and "sources[0].format" in result.output


def test_validate_prints_the_resolved_config(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--config", "configs/sample.yaml"])
    assert result.exit_code == 0 and "config digest" in result.output


def test_a_glob_that_matches_nothing_is_a_clear_error(prefect_harness, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"data_dir: {tmp_path / 'data'}\nsources:\n  - kind: local\n    paths: [nothing/*.jsonl]\n"
        "    format: jsonl\n    text_field: t\n    dataset: {id: d}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["run", "--config", str(cfg), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "sources[0]: no file matches 'nothing/*.jsonl'" in result.output
    assert not (tmp_path / "out").exists()
