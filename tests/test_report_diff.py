from pipeline.report.diff import release_diff


def _ds(dataset_id: str, documents: int, tokens: int, content: str = "x") -> dict:
    return {
        "source": "local",
        "dataset_id": dataset_id,
        "dataset_title": dataset_id.upper(),
        "agency": "某機關",
        "license": "OGDL-Taiwan-1.0",
        "documents": documents,
        "tokens": tokens,
        "chars": tokens,
        "content_sha256": content,
    }


def test_diff_names_datasets_added_removed_and_changed_with_the_token_delta():
    before = {"run_id": "r1", "datasets": [_ds("kept", 5, 50), _ds("gone", 2, 20), _ds("edited", 3, 30, "a")]}
    after = {"run_id": "r2", "datasets": [_ds("kept", 5, 50), _ds("edited", 3, 30, "b"), _ds("new", 4, 45)]}
    diff = release_diff(before, after)
    assert diff["previous_run_id"] == "r1"
    assert [d["dataset"] for d in diff["added"]] == ["local/new"]
    assert [d["dataset"] for d in diff["removed"]] == ["local/gone"]
    assert [(d["dataset"], d["content_changed"]) for d in diff["changed"]] == [("local/edited", True)]
    assert diff["tokens_delta"] == 45 - 20 and diff["documents_delta"] == 4 - 2


def test_first_release_lists_everything_as_added():
    diff = release_diff(None, {"run_id": "r1", "datasets": [_ds("a", 1, 10)]})
    assert diff["previous_run_id"] is None and len(diff["added"]) == 1 and diff["tokens_delta"] == 10
