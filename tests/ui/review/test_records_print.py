"""Review prints what it shows (issue 21, item 4): a comparison (both visits and the difference) and a
timeline, each as its own PDF that never replaces a single map's report; the PDF of one map carries
the evidence against as well as for; subfolders are listed. PDF text is read back with pypdf."""
from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.ui.review import ReviewScreen

from test_review_ui import SIZE, open_row, tap, visit_map


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    r = PdfReader(str(path))
    assert len(r.pages) == 1
    return " ".join(" ".join(pg.extract_text() or "" for pg in r.pages).split())


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture
def two_visits(atlas, tmp_path):
    (tmp_path / "later").mkdir()
    v1 = visit_map(atlas, tmp_path, "v1.bodymap", ["right_calf", "right_buttock"], "2026-12-07T09:00:00Z",
                   "MRN-A", "2026-12-07", pain=7)
    v2 = visit_map(atlas, tmp_path / "later", "v2.bodymap", ["right_calf", "right_posterior_thigh"],
                   "2026-12-21T09:00:00Z", "MRN-A", "2026-12-21", pain=4, answers={"bladder_bowel": True})
    return v1, v2


def test_review_lists_maps_in_subfolders_and_says_how_many(atlas, tmp_path, two_visits):
    v1, v2 = two_visits
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    assert {e.path for e in s.entries} == {v1, v2}
    s.screenshot()
    assert "1 in subfolders" in " ".join(s.list.header_lines)


def test_print_in_a_comparison_writes_both_visits_and_the_difference(atlas, tmp_path, two_visits):
    v1, v2 = two_visits
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v2)
    tap(s, "compare")
    open_row(s, v1)
    assert s.mode == "compare"
    s.screenshot()
    assert s.layout.buttons["print"].enabled
    tap(s, "print")
    out = s.printer.last_report
    assert out is not None and out.parent == v2.parent and out.name == "v2_vs_v1.pdf"
    text = pdf_text(out)
    assert "2026-12-07" in text and "2026-12-21" in text
    assert "RED FLAG" in text and text.index("RED FLAG") < text.index("What changed")  # flags first
    assert "New: " + atlas.region("right_posterior_thigh").name in text
    assert "Resolved: " + atlas.region("right_buttock").name in text
    assert "Persistent: " + atlas.region("right_calf").name in text
    assert "7 -> 4" in text
    assert not (v2.parent / "v2.pdf").exists() and not (v1.parent / "v1.pdf").exists()  # no single report replaced


def test_print_in_the_timeline_writes_every_visit(atlas, tmp_path, two_visits):
    v1, v2 = two_visits
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v1)
    s.screenshot()
    tap(s, "timeline")
    assert s.mode == "timeline"
    s.screenshot()
    tap(s, "print")
    out = s.printer.last_report
    assert out is not None and out.name == "v2_timeline.pdf"
    text = pdf_text(out)
    table = text[text.index("Since the visit before"):]
    assert table.index("2026-12-07") < table.index("2026-12-21")  # visit order
    assert "MRN-A: 2 visits" in text and "RED FLAG (2026-12-21)" in text
    assert "resolved: " + atlas.region("right_buttock").name in text


def test_the_report_carries_evidence_against_as_well_as_for(atlas, tmp_path):
    from bodymap.exports.report import write_report
    from bodymap.matcher import match

    m = fileformat.load(visit_map(atlas, tmp_path, "x.bodymap", ["right_calf", "left_lower_back"],
                                  "2026-12-07T09:00:00Z", "MRN-A", "2026-12-07"), atlas)
    top = match(m, top_n=3).hypotheses
    assert any(e.direction != "for" for h in top[:3] for e in h.evidence)  # the case has evidence against
    out = write_report(m, tmp_path / "x.pdf")
    text = pdf_text(out)
    assert "against:" in text and "for:" in text
    assert "Visit 2026-12-07" in text
