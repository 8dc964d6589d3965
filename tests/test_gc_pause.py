"""The collector pause of a process's loading: off in the block, back on after it however it ends, what was
built frozen; a pause inside a pause leaves the outer one in charge."""

from __future__ import annotations

import gc

import pytest

from pipeline.gc_pause import collector_paused


@pytest.fixture(autouse=True)
def _restore_collector():
    yield
    gc.unfreeze()
    gc.enable()


def test_paused_in_the_block_then_frozen_and_back_on() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        built = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(built)


def test_without_freezing_what_was_built_stays_collectable() -> None:
    frozen = gc.get_freeze_count()
    with collector_paused(freeze=False):
        assert not gc.isenabled()
        built = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    assert built


def test_back_on_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a failed import")
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_outer_one_in_charge() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    frozen = gc.get_freeze_count()
    gc.disable()
    with collector_paused():
        built = [[i] for i in range(1000)]
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen
    assert built
