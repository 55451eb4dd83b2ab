"""The normalize stage's collector setting comes back when the last user is done."""

from __future__ import annotations

import gc

import pytest

from tasks.gc_tuning import FIRST_GENERATION, fewer_collections


def test_nested_users_restore_the_defaults_only_when_the_last_one_ends():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == FIRST_GENERATION
        with fewer_collections():
            assert gc.get_threshold()[0] == FIRST_GENERATION
        assert gc.get_threshold()[0] == FIRST_GENERATION
    assert gc.get_threshold() == before


def test_an_error_inside_still_restores_the_defaults():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("stage failed")
    assert gc.get_threshold() == before
