import hashlib

import pytest

from pipeline.config import FetchConfig
from pipeline.fetch import Fetcher, FetchError, Ledger, RawStore, rewrite_url


@pytest.fixture
def fetcher(tmp_path) -> Fetcher:
    settings = FetchConfig(backoff_s=0.01, timeout_s=5)
    return Fetcher(RawStore(tmp_path / "raw"), Ledger(tmp_path / "state/ledger.sqlite"), settings)


def test_remote_bytes_land_in_the_store_and_an_unchanged_file_is_not_downloaded_again(http_server, fetcher):
    body = "西元日期,備註\r\n".encode()
    http_server.add("/a.csv", body, headers={"ETag": '"v1"'})
    first = fetcher.fetch(http_server.url + "/a.csv")
    assert first.downloaded and first.sha256 == hashlib.sha256(body).hexdigest()
    assert first.path.read_bytes() == body and first.path.parent.parent == fetcher.store.root
    second = fetcher.fetch(http_server.url + "/a.csv")
    assert not second.downloaded and second.sha256 == first.sha256
    assert second.retrieved_at == first.retrieved_at  # when the content was first seen
    assert http_server.hits["/a.csv"] == 2 and http_server.full_bodies["/a.csv"] == 1
    assert fetcher.ledger.downloads() == 1


def test_retries_on_503_and_429_then_succeeds(http_server, fetcher):
    http_server.add("/busy", b"ok", fail_first=[503, 429])
    got = fetcher.fetch(http_server.url + "/busy")
    assert got.path.read_bytes() == b"ok" and http_server.hits["/busy"] == 3


def test_gives_up_with_the_url_in_the_message(http_server, fetcher):
    with pytest.raises(FetchError, match=r"/missing: HTTP 404"):
        fetcher.fetch(http_server.url + "/missing")
    fetcher.settings = fetcher.settings.model_copy(update={"retries": 1})
    http_server.add("/down", b"", fail_first=[503, 503, 503])
    with pytest.raises(FetchError, match=r"/down: HTTP 503"):
        fetcher.fetch(http_server.url + "/down")


def test_connection_refused_is_retried_then_reported(fetcher):
    fetcher.settings = fetcher.settings.model_copy(update={"retries": 1})
    with pytest.raises(FetchError, match="gave up after 2 attempts"):
        fetcher.fetch("http://127.0.0.1:9/nothing")


def test_response_size_limit(http_server, fetcher):
    http_server.add("/big", b"x" * 5000)
    fetcher.settings = fetcher.settings.model_copy(update={"max_bytes": 1000})
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetcher.fetch(http_server.url + "/big")


def test_local_files_are_hashed_in_place_with_a_stable_first_seen_time(tmp_path, fetcher):
    f = tmp_path / "x.jsonl"
    f.write_text('{"text": "甲"}\n', encoding="utf-8")
    a = fetcher.fetch("x.jsonl", str(f))
    b = fetcher.fetch("x.jsonl", str(f))
    assert a.path == f and a.retrieved_at == b.retrieved_at and not a.downloaded
    f.write_text('{"text": "乙"}\n', encoding="utf-8")
    c = fetcher.fetch("x.jsonl", str(f))
    assert c.sha256 != a.sha256 and c.retrieved_at > a.retrieved_at
    with pytest.raises(FetchError, match="no such file"):
        fetcher.fetch("gone", str(tmp_path / "gone"))
    with pytest.raises(FetchError, match="unsupported URL scheme 'ftp'"):
        fetcher.fetch("ftp://example/x")


def test_rewrite_uses_the_longest_prefix_and_resolves_relative_targets(tmp_path):
    url_map = {"https://data.gov.tw/": "mirror/", "https://data.gov.tw/api/": "http://127.0.0.1:1/api/"}
    assert rewrite_url("https://data.gov.tw/api/v2/x", url_map, tmp_path) == "http://127.0.0.1:1/api/v2/x"
    assert rewrite_url("https://data.gov.tw/files/a", url_map, tmp_path) == str(tmp_path / "mirror/files/a")
    assert rewrite_url("https://other/a", url_map, tmp_path) == "https://other/a"
