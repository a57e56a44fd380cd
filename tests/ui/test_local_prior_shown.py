"""Issue 25: when a clinic's local prior shapes a ranking (opt-in), the painting window, the review
window and the PDF say so with its provenance; with the library's priors they say nothing of it."""
from __future__ import annotations

from datetime import timezone

import pytest

from bodymap import fileformat, matcher
from bodymap.localprior import ranking_note
from bodymap.exports.report import write_report
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen
from bodymap.ui.review.info import info_items
from bodymap.ui.review.screen import ReviewScreen

from drive import display_fixture
from test_local_prior_live import _l5_or_s1, _prior_file
from test_records_print import pdf_text

SIZE = (1366, 768)
display = display_fixture(SIZE)


@pytest.fixture
def with_prior(tmp_path, monkeypatch):
    def use(on: bool):
        if on:
            monkeypatch.setenv(matcher.LOCAL_PRIOR_ENV, str(_prior_file(tmp_path, "root_S1")))
        else:
            monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
        matcher.forget_models()
    yield use
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
    matcher.forget_models()


def panel_texts(s) -> list[str]:
    return [" ".join(r.lines) for r in s.clinician.panel.rows]


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_painting_window_names_the_local_prior_only_when_it_ranked(atlas, tmp_path, with_prior, display, side):
    for on in (True, False):
        with_prior(on)
        s = PaintScreen(SIZE, atlas=atlas, pain_map=_l5_or_s1(atlas, side), folder=tmp_path)
        s.update()
        shown = [t for t in panel_texts(s) if "local prior" in t]
        if on:
            assert shown and "120 confirmed cases" in shown[0] and "Dr Okafor" in shown[0]
            assert matcher.LOCAL_PRIOR_ENV in shown[0], "it says how to switch it off"
        else:
            assert not shown


def test_the_review_window_and_the_pdf_name_it_too(atlas, tmp_path, with_prior, display):
    f = tmp_path / "a.bodymap"
    fileformat.save(_l5_or_s1(atlas, "left"), f)
    for on in (True, False):
        with_prior(on)
        s = ReviewScreen(f, SIZE, atlas=atlas, tz=timezone.utc)
        fixed, items = info_items(s.session, show_zone=False, similar=[])
        texts = [i.text for i in fixed + items]
        assert any("local prior" in t for t in texts) == on
        pdf = write_report(fileformat.load(f), tmp_path / f"r{int(on)}.pdf")
        text = pdf_text(pdf)
        assert ("local prior" in text and "120 confirmed cases" in text) == on


def test_no_note_for_an_empty_map_or_no_ranking(atlas, with_prior):
    with_prior(True)
    assert ranking_note(None) is None
    assert ranking_note(matcher.match(PainMap(atlas))) is not None  # it still ranked with the prior
    with_prior(False)
    assert ranking_note(matcher.match(PainMap(atlas))) is None
