"""The researcher snippet in the README runs as written against a corpus built from the sample."""

import json
import os
import re
import shutil

from tests.conftest import ROOT


def test_readme_loading_snippet_runs(sample_run, monkeypatch, tmp_path):
    work, _, _ = sample_run
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For researchers", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'load_dataset("data/corpus"' in snippet
    shutil.copytree(work / "data/corpus", tmp_path / "data/corpus")
    monkeypatch.chdir(tmp_path)
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf")  # never reuse another run's cache
    scope: dict = {}
    exec(compile(snippet, "README.md", "exec"), scope)
    manifest = json.loads((tmp_path / "data/corpus/manifest.json").read_text(encoding="utf-8"))
    assert len(scope["corpus"]) == manifest["documents"] == 13
    assert len(scope["rejected"]) == manifest["rejected"] == 9
    assert set(scope["ogdl_only"]["license"]) == {"OGDL-Taiwan-1.0"}
    assert set(scope["public_domain"]["license"]) == {"LicenseRef-TW-Copyright-Act-Art9"}
    assert set(scope["laws"]["source"]) == {"moj_laws"} and len(scope["laws"]) == 2
    assert os.getcwd() == str(tmp_path)
