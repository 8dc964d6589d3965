from pathlib import Path

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


def test_a_run_on_its_own_server_sends_no_flow_run_heartbeats(prefect_harness, tmp_path, monkeypatch):
    """Heartbeats let a server's services find crashed flow runs; the API-only server a run starts for itself
    runs none and ends with the run, while each flow run would wait up to a second for its heartbeat thread."""
    import prefect.flow_engine as engine

    seen: list[object] = []
    real = engine._send_heartbeats

    def spy(flow_engine, *args, **kwargs):
        seen.append(flow_engine.heartbeat_seconds)
        return real(flow_engine, *args, **kwargs)

    monkeypatch.setattr(engine, "_send_heartbeats", spy)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    config = Path("configs/sample.yaml").resolve()
    monkeypatch.chdir(tmp_path)  # the sample's data_dir is relative to the working directory
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--output", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    assert seen and all(s is None for s in seen)
