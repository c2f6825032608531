"""Claims (services/imports/claims.py): what a pass remembers of every row, in a dict and,
past SPILL_AT keys, on disk; the import's repeat checks give the same answers either way."""

from __future__ import annotations

import pytest

from clientcenter.services.imports import claims
from clientcenter.services.imports.claims import Claims
from tests.services.imports import test_children, test_row_digests


@pytest.mark.parametrize("spill_at", [1, 3, 50_000])
def test_first_values_stand_across_chunks_and_the_spill(monkeypatch, spill_at):
    monkeypatch.setattr(claims, "SPILL_AT", spill_at)
    seen = Claims()
    assert seen.setdefault("a", 2) == 2
    assert seen.setdefault(("id", "X1"), 3) == 3
    seen.end_chunk()
    seen.prefetch(["a", "b", ("id", "X1")])
    assert seen.setdefault("a", 9) == 2 and seen.setdefault("b", 9) == 9
    seen["c"] = ("Dana Whitfield", "C100", 4)
    seen.end_chunk()
    # Not prefetched: looked up one by one, same answer.
    assert seen.get(("id", "X1")) == 3 and seen.get("b") == 9 and seen.get("zz") is None
    assert seen.get("c") == ("Dana Whitfield", "C100", 4)
    seen["a"] = 10  # a counter moves on
    seen.end_chunk()
    assert seen.get("a") == 10


@pytest.fixture
def spilled(monkeypatch):
    monkeypatch.setattr(claims, "SPILL_AT", 1)  # every key on disk from the first


def test_repeats_are_refused_from_disk(demo, tmp_path, spilled):
    test_children.test_the_same_record_twice_in_a_file(demo, tmp_path)


def test_coverage_places_from_disk(demo, tmp_path, spilled):
    test_row_digests.test_a_coverage_added_above_unchanged_ones_moves_them_down(demo, tmp_path)
