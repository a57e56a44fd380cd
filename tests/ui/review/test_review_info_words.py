"""The review panel's words agree with the CLI and the report (found in a new user's trial).

A drawing of saddle numbness alone has no pattern line: the panel said "nothing painted below the neck", which
is false; an extent change that rounds to nothing read "-0.0 percentage points".
"""
from __future__ import annotations

from bodymap import fileformat
from bodymap.painting import PainMap
from bodymap.review.session import ReviewSession
from bodymap.triage import no_pattern_text
from bodymap.ui.review.info import info_items

from drive import display_fixture

display = display_fixture((1400, 900))  # `atlas` comes from conftest


def _texts(s):
    fixed, items = info_items(s, show_zone=False, similar=[])
    return [getattr(i, "text", "") for i in fixed + items]


def test_a_saddle_only_drawing_is_not_called_empty_or_above_the_neck(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("perineum", 1.0, "numbness")
    fileformat.save(m, tmp_path / "saddle.bodymap")
    s = ReviewSession(tmp_path, atlas)
    assert s.open_index(s.index_of(tmp_path / "saddle.bodymap"))
    assert not s.hypotheses, "no pattern scores the saddle"
    texts = " ".join(_texts(s))
    assert no_pattern_text(True) in texts and "below the neck" not in texts


def test_an_extent_change_that_rounds_to_nothing_has_no_minus_sign(atlas, tmp_path):
    a, b = PainMap(atlas), PainMap(atlas)
    a.paint_region("right_calf")
    b.paint_region("right_calf", 0.99)  # the newer drawing a hair smaller: a few hundredths of a point less
    a.meta["created"], b.meta["created"] = "2024-03-01T09:00:00Z", "2024-03-08T09:00:00Z"
    fileformat.save(a, tmp_path / "a.bodymap")
    fileformat.save(b, tmp_path / "b.bodymap")
    s = ReviewSession(tmp_path, atlas)
    assert s.open_index(s.index_of(tmp_path / "a.bodymap"))
    assert s.compare_entry(s.entries[s.index_of(tmp_path / "b.bodymap")])
    assert -0.05 < s.comparison.extent_change < 0, "the case this test is about"
    texts = " ".join(_texts(s))
    assert "Extent change: 0.0 percentage points" in texts and "-0.0" not in texts
