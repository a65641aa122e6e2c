"""The collector's settings around document builds: TensorBoard's objects frozen once, collection paused and restored."""

from __future__ import annotations

import gc

from tb_lossdoc.serve import collector


def test_long_lived_objects_are_frozen_once_per_process():
    collector.freeze_long_lived()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[index] for index in range(1000)]  # objects made after the first freeze
    collector.freeze_long_lived()
    assert gc.get_freeze_count() == frozen and len(later) == 1000


def test_collection_is_paused_in_the_block_and_restored_after():
    assert gc.isenabled()
    with collector.collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_in_the_block_restores_collection():
    try:
        with collector.collection_paused():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()


def test_collection_left_off_by_someone_else_stays_off():
    gc.disable()
    try:
        with collector.collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
