"""Issue 18: every caller gets its flags from bodymap.triage. With a matcher that raises, each output still
shows the same flags, in the same order: match, show, batch, the PDF, FHIR, CSV, Parquet, the kiosk, the
painting window and review."""
from __future__ import annotations

import csv
import io
import json

import pygame
import pytest

import bodymap
from bodymap import batch, cli, matcher, triage
from bodymap.kiosk.config import KioskConfig
from bodymap.kiosk.flow import Kiosk

ANSWERS = {"bladder_bowel": True, "cancer_history": True, "steroids": "unsure", "age": 72}


class Broken(RuntimeError):
    pass


def _raise(*a, **k):
    raise Broken("the pattern library is broken")


@pytest.fixture
def broken(monkeypatch):
    model = matcher.get_model(bodymap.load_atlas())  # batch reads the painting with it; scoring then raises
    for name in ("match", "rank", "posterior", "get_model"):
        monkeypatch.setattr(matcher, name, _raise)
    monkeypatch.setattr(batch, "posterior", _raise)
    monkeypatch.setattr(batch, "posterior_many", _raise)  # a chunk's ranking (ADR 0033): each map then alone
    monkeypatch.setattr(batch, "_WORKER", [batch.Scorer(model)])  # this process's scorer (issue 19)


@pytest.fixture
def path(tmp_path):
    m = bodymap.PainMap()
    for r in ("right_calf", "left_calf", "right_lower_back"):
        m.paint_region(r, 0.7, "sharp")
    m.answers.update(ANSWERS)
    folder = tmp_path / "maps"
    folder.mkdir()
    return bodymap.save(m, folder / "case.bodymap")


@pytest.fixture
def want(path):
    flags = triage.assess(bodymap.load(path), rank=False).red_flags
    ids = [f.id for f in flags]
    # the case: cord compression and cauda equina now, malignancy today, and a "not sure" about steroids
    assert ids[:2] == ["cauda_equina", "cord_compression"] and "fracture_unsure" in ids and "malignancy" in ids
    return ids


def answer_pages(k, ticks):
    """Tick `ticks` page by page on the kiosk's red-flag pages (the rest no); stops when the flow leaves them."""
    while k.screen == "question" and k.current_question[1] == "redflags":
        keys = k.page_keys(k.current_question[0])
        k.answer({q: v for q, v in ticks.items() if q in keys})


def run(argv, capsys):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_every_caller_shows_the_same_flags_when_the_matcher_raises(broken, path, want, tmp_path, capsys):
    got = {}
    rc, out, err = run(["match", path, "--json"], capsys)
    d = json.loads(out)
    got["match"] = [f["id"] for f in d["red_flags"]]
    assert rc == 0 and d["hypotheses"] == [] and "broken" in d["ranking_error"] and d["caveat"]
    rc, out, _ = run(["match", path], capsys)
    lines = [ln[len("RED FLAG: "):] for ln in out.splitlines() if ln.startswith("RED FLAG: ")]
    by_text = {f.text: f.id for f in triage.assess(bodymap.load(path), rank=False).red_flags}
    got["match text"] = [by_text.get(t, t) for t in lines]  # in words (ADR 0037): each line one flag's text
    rc, out, _ = run(["show", path, "--json"], capsys)
    got["show"] = [f["id"] for f in json.loads(out)["red_flags"]]
    r = batch.score_file(str(path))
    got["batch"] = list(r.red_flags)
    assert r.top is None and "ranking failed" in r.error
    rc, out, err = run(["export", path, "--csv"], capsys)
    row = next(csv.DictReader(io.StringIO(out)))
    got["csv"] = row["red_flags"].split(";")
    assert row["ranking_error"] and row["red_flag_pathology"].split(";")[:2] == ["cauda_equina", "cord_compression"]
    pq = pytest.importorskip("pyarrow.parquet")
    out_pq = tmp_path / "m.parquet"
    rc, _, err = run(["export", path, "--parquet", "-o", out_pq], capsys)
    assert rc == 0, err
    got["parquet"] = pq.read_table(out_pq).to_pylist()[0]["red_flags"].split(";")
    out_fhir = tmp_path / "b.json"
    rc, _, err = run(["export", path, "--fhir", "-o", out_fhir], capsys)
    assert rc == 0, err
    bundle = json.loads(out_fhir.read_text())
    got["fhir"] = [e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]
                   if e["resource"]["resourceType"] == "Flag"]
    pdf = tmp_path / "r.pdf"
    rc, _, err = run(["report", path, "-o", pdf], capsys)
    assert rc == 0, err
    from pypdf import PdfReader

    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages)
    flags = triage.assess(bodymap.load(path), rank=False).red_flags
    at = [text.find(" ".join(f.text.split())[:60]) for f in flags]
    assert all(a >= 0 for a in at) and at == sorted(at) and "No ranking" in text
    got["pdf"] = [f.id for f in flags]
    for caller, ids in got.items():
        assert ids == want, caller


def test_the_windows_and_the_kiosk_show_the_same_flags_when_the_matcher_raises(broken, path, want, tmp_path):
    pygame.display.init()
    pygame.display.set_mode((10, 10))
    from bodymap.ui.paint.screen import PaintScreen
    from bodymap.ui.review.screen import ReviewScreen

    s = PaintScreen((1400, 900), path)
    s.update()
    assert [f.id for f in s.clinician.panel.red_flags] == want and "matcher" in (s.clinician.matcher_error or "")
    assert [f.id for f in s.flag_banner.flags] == want
    r = ReviewScreen(path.parent, (1400, 900), atlas=bodymap.load_atlas())
    [entry] = [e for e in r.all_entries if e.path == path]
    assert entry.flags == want and entry.urgency == "emergency"
    # the kiosk: a session with these answers, left unfinished, is saved with its flags (never lost)
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "rec")
    k = Kiosk(cfg, bodymap.load_atlas())
    sess = k.start()
    for reg in ("right_calf", "left_calf", "right_lower_back"):
        sess.pain_map.paint_region(reg, 0.7, "sharp")
    sess.pain_map.answers.update(ANSWERS)
    k.reset()
    [saved] = list(cfg.spool_dir.glob("*.bodymap"))
    assert [f["id"] for f in bodymap.load(saved).red_flags_recorded] == want


@pytest.mark.parametrize("ticks, screen", [
    ({"cancer_history": True, "clumsy_hands_or_walking": True}, "redflag"),  # cord compression: at once
    ({"legs_numb_or_weak_both": True}, "redflag"),  # new bilateral deficit: cauda equina, at once
])
def test_the_kiosk_ends_at_once_on_an_emergency_of_any_pathology(tmp_path, ticks, screen):
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "rec",
                      short_flow=True)
    k = Kiosk(cfg, bodymap.load_atlas())
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.6, "sharp")
    k.to_questions()
    k.answer(6)
    k.answer("60s")
    answer_pages(k, ticks)
    assert k.screen == screen and k.finished_flags[0]["urgency"] == "emergency"


@pytest.mark.parametrize("ticks", [{"cancer_history": True}, {"saddle_numbness": "unsure"},
                                   {"abdominal_pain": True}, {"steroids": True}])
def test_a_same_day_flag_never_alarms_the_kiosk_patient(tmp_path, ticks):
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "rec",
                      short_flow=True)
    k = Kiosk(cfg, bodymap.load_atlas())
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.6, "sharp")
    k.to_questions()
    k.answer(6)
    k.answer("60s")
    answer_pages(k, ticks)
    while k.screen == "question":  # follow-ups (e.g. vascular risk after abdominal pain): yes where asked
        k.answer(True if k.current_question[1] == "yesno" else None)
    assert k.screen == "review" and k.confirm() == "thanks"
    [saved] = list(cfg.spool_dir.glob("*.bodymap"))
    recorded = bodymap.load(saved).red_flags_recorded
    assert recorded and {f["urgency"] for f in recorded} == {"same_day"}
