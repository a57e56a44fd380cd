"""Honest confidence: bands, the temperature fit on the second cohort, ECE and the reliability PNG."""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import bodymap
from bodymap.lab import calibration as cal
from bodymap import matcher
from bodymap.lab import cohort
from bodymap.painting import PainMap
from bodymap.paths import data_root

ROOT = data_root()


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


@pytest.fixture(scope="module")
def model(atlas):
    return matcher.get_model(atlas)


# ---------------------------------------------------------------------------
# Bands


@pytest.mark.parametrize("p, band", [
    (1.0, "strong"), (cal.STRONG_AT, "strong"), (cal.STRONG_AT - 1e-6, "moderate"),
    (cal.MODERATE_AT, "moderate"), (cal.MODERATE_AT - 1e-6, "weak"), (0.0, "weak"),
])
def test_band_cut_points(p, band):
    assert cal.band_for(p) == band


def test_cut_points_are_the_documented_ones():
    adr = (ROOT / "docs" / "adr" / "0008-calibration-bands.md").read_text(encoding="utf-8")
    assert f"{cal.STRONG_AT:.2f}" in adr and f"{cal.MODERATE_AT:.2f}" in adr
    assert 0 < cal.MODERATE_AT < cal.STRONG_AT < 1


def test_bands_never_go_up_as_the_probability_goes_down():
    rank = {b: k for k, b in enumerate(cal.BANDS)}  # strong 0 .. weak 2
    seq = [rank[cal.band_for(p)] for p in np.linspace(1, 0, 1001)]
    assert seq == sorted(seq)
    assert set(seq) == {0, 1, 2}


@pytest.mark.parametrize("bad", [float("nan"), -0.2, 1.3, True, "0.5", None])
def test_band_for_refuses_what_is_not_a_probability(bad):
    with pytest.raises(ValueError, match="probability"):
        cal.band_for(bad)


def test_band_words_are_plain():
    assert [cal.band_text(b) for b in cal.BANDS] == [
        "strongly consistent", "moderately consistent", "weakly consistent"]
    assert cal.band_text(0.9) == "strongly consistent"


def test_every_hypothesis_carries_its_band_in_python_and_json(atlas):
    m = PainMap(atlas)
    for rid in ("right_buttock", "right_posterior_thigh", "right_calf", "right_dorsum_foot"):
        m.paint_region(rid, 1.0, "sharp")
    r = matcher.match(m, top_n=20)
    assert r.hypotheses
    d = r.to_json()
    for h, hj in zip(r.hypotheses, d["hypotheses"]):
        assert h.band == cal.band_for(h.probability)
        assert hj["band"] == h.band and hj["band"] in ("strong", "moderate", "weak")
    assert len({h.band for h in r.hypotheses}) >= 2  # a clear top and weak runners-up


def test_match_cli_prints_the_band_in_text_and_json(atlas, tmp_path):
    from bodymap.fileformat import save

    m = PainMap(atlas)
    for rid in ("left_lateral_thigh",):
        m.paint_region(rid, 1.0, "burning")
    f = tmp_path / "m.bodymap"
    save(m, f)
    text = subprocess.run([sys.executable, "-m", "bodymap", "match", str(f)], capture_output=True, text=True,
                          check=True).stdout
    top = matcher.match(m).top
    assert cal.band_text(top.band) in text
    js = json.loads(subprocess.run([sys.executable, "-m", "bodymap", "match", str(f), "--json"],
                                   capture_output=True, text=True, check=True).stdout)
    assert js["hypotheses"][0]["band"] == top.band


# ---------------------------------------------------------------------------
# ECE and the fit


def test_ece_is_zero_when_confidence_matches_accuracy_and_the_gap_otherwise():
    conf = np.full(1000, 0.75)
    hit = np.arange(1000) % 4 != 0  # 75% right
    assert cal.ece(conf, hit) == pytest.approx(0.0, abs=1e-12)
    assert cal.ece(np.full(1000, 0.95), hit) == pytest.approx(0.20)
    bins = cal.reliability_bins(np.linspace(0.001, 1, 500), np.ones(500, bool))
    assert sum(b[3] for b in bins) == 500 and len(bins) == cal.BINS


class _D:
    def __init__(self, truth, accept, ool=False):
        self.truth, self.accept, self.out_of_library = truth, tuple(accept), ool


def test_the_true_pattern_is_the_truth_or_the_first_accepted_id_outside_the_library():
    pids = ["root_L4", "root_L5", "root_S1", "none", "widespread_pain"]
    ds = [_D("root_L5", ["root_L5", "root_S1"]), _D("ool_tmj", ["none"], True),
          _D("ool_fibromyalgia_widespread", ["widespread_pain"], True), _D("root_S1", ["root_S1", "root_L5"])]
    assert [pids[k] for k in cal.true_index(ds, pids)] == ["root_L5", "none", "widespread_pain", "root_S1"]
    rel = cal.accept_relation(ds, pids)
    L4, L5, S1 = 0, 1, 2
    assert rel[L5, S1] and rel[S1, L5] and rel[L5, L5]  # an S1 case accepts L5, and the other way round
    assert not rel[L4, L5] and not rel[L5, 3]  # nothing accepts what no case's list names
    with pytest.raises(ValueError, match="no true pattern"):
        cal.true_index([_D("ool_x", ["something_else"], True)], pids)


def test_calibration_compares_the_probability_with_the_event_it_is_the_probability_of():
    """ADR 0036: the top line says 50% and is the true pattern half the time, but the case's accept list
    (a neighbouring root) takes it every time. Calibrated on the strict event; the old figure, which compared
    the 50% with the accept-list event, read 0.5 under-confident; the accept-set view compares that event
    with its own probability (here 100%)."""
    n = 400
    conf = np.full(n, 0.5)
    strict = np.arange(n) % 2 == 0
    accepted = np.ones(n, bool)
    sc = cal.Scored(conf, accepted, accepted, conf, strict, conf, np.zeros(n, bool), strict=strict,
                    conf_set=np.full(n, 1.0))
    m = cal.measure("x", sc)
    assert m.ece == pytest.approx(0.0) and m.gap == pytest.approx(0.0)
    assert m.ece_accept == pytest.approx(0.5) and m.gap_accept == pytest.approx(0.5)
    assert m.ece_set == pytest.approx(0.0)
    assert m.top1 == 1.0 and m.top1_strict == 0.5  # recognition and the strict rate, both reported
    assert m.bands["moderate"] == (n, 0.5) and m.band_accept["moderate"] == 1.0


def test_on_a_real_cohort_the_strict_event_is_inside_the_accept_list_and_its_set_is_more_probable(atlas, model):
    drawings = cohort.independent(atlas, n=200, seed=31)
    sc = cal.score(model, drawings, model.lib.temperature)
    assert not (sc.strict & ~sc.hit).any()  # the true pattern is always in its own accept list
    assert (sc.conf_set >= sc.conf - 1e-12).all() and (sc.conf_set <= 1 + 1e-9).all()
    assert (sc.strict == (sc.top_id == sc.truth_id)).all()
    assert (sc.hit & ~sc.strict).any()  # this cohort's accept lists are wider than the pattern: the events differ


def test_fitted_temperature_is_a_minimum_of_the_log_loss(atlas, model):
    drawings = cohort.independent(atlas, n=400, seed=21)
    T = cal.fit_temperature(model, drawings)
    ll = cal._loglik(model, drawings)

    def loss(t):
        return float(-np.log(np.maximum(cal.score(model, drawings, t, ll).p_true, 1e-12)).mean())

    assert loss(T) <= loss(T * 0.8) and loss(T) <= loss(T * 1.25) and loss(T) < loss(1.0)


def test_written_temperature_is_calibrated_on_a_held_out_seed(atlas, model):
    """Issue 23: ECE reported separately in and out of the library; on a seed the fit never saw the
    shown probabilities are never more sure than they are right (the ceilings of ADR 0019 make
    them, if anything, less sure), and the strong band is right at least as often as it says."""
    held = cohort.independent(atlas, n=1500, seed=cal.REPORT_SEEDS[0])
    ll = cal._loglik(model, held)
    sc = cal.score(model, held, model.lib.temperature, ll)
    m = cal.measure("held out", sc)
    lib = ~sc.ool
    # in the library: never more sure than the top line is the true pattern (the event it is the probability of)
    assert sc.conf[lib].mean() <= sc.strict[lib].mean() + 0.03
    # (the independent cohort, ADR 0025, finds the matcher under-confident: docs/validation.md reports by how much)
    assert m.ece_ool == m.ece_ool and m.ece_lib == m.ece_lib  # both measured
    for band, (count, right) in m.bands.items():  # ADR 0036's target: no band over-confident by more than 0.05
        if count >= 30:
            assert m.band_conf[band] - right <= cal.OVERCONFIDENT_MAX, band
    raw = cal.measure("raw", cal.score(model, held, 1.0, ll))
    assert m.log_loss <= raw.log_loss + 0.01  # the fitted T does not lose to no temperature


def test_the_fit_ignores_the_vignettes(atlas, model, monkeypatch):
    """ADR 0020: the temperature is the log-loss optimum; a vignette that misses is only reported."""
    monkeypatch.setattr(cal, "vignette_misses", lambda m, T: ["every_vignette"])
    monkeypatch.setattr(cal, "fit_temperature", lambda m, d: 1.2345)
    f = cal.fit_constrained(model, [])
    assert f.temperature == 1.2345 and f.misses_at_optimum == ["every_vignette"]


def test_write_temperature_keeps_other_keys_and_comments(tmp_path):
    p = tmp_path / "calibration.yaml"
    p.write_text("# head\n# temperature fit: old note\ntemperature: 1.5\nnone_p_lower: 0.02\nnew_key: 7 # kept\n",
                 encoding="utf-8")
    cal.write_temperature(p, 2.25, "new note")
    text = p.read_text(encoding="utf-8")
    assert "temperature: 2.2500" in text and "new note" in text and "old note" not in text
    assert "# head" in text and "none_p_lower: 0.02" in text and "new_key: 7 # kept" in text
    lib = matcher.load_patterns(calibration=p)
    assert lib.temperature == pytest.approx(2.25)


# ---------------------------------------------------------------------------
# Outputs


def _read_png(path: Path) -> np.ndarray:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    w = h = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 3)


def test_reliability_png_draws_one_bar_per_bin_in_its_colour(tmp_path):
    conf = np.array([0.15] * 10 + [0.55] * 10 + [0.95] * 10)
    hit = np.array([True] * 1 + [False] * 9 + [True] * 5 + [False] * 5 + [True] * 10)
    m = cal.measure("x", cal.Scored(conf, hit, hit, conf, hit, conf, np.zeros(30, bool)))
    out = tmp_path / "r.png"
    cal.reliability_png([("A", m, (10, 200, 10)), ("B", m, (200, 10, 10))], out)
    img = _read_png(out)
    green = np.all(img == (10, 200, 10), axis=2)
    red = np.all(img == (200, 10, 10), axis=2)
    assert green.any() and red.any()
    assert np.flatnonzero(green.any(axis=0)).max() < np.flatnonzero(red.any(axis=0)).min()  # side by side
    cols = np.flatnonzero(green.any(axis=0))
    runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    assert len(runs) == 3  # three non-empty bins
    heights = [int(green[:, r].any(axis=1).sum()) for r in runs]
    assert heights[0] < heights[1] < heights[2]  # 10% < 50% < 100% right


def test_docs_section_replaces_itself_and_keeps_the_rest(tmp_path, monkeypatch):
    for d in ("regions", "validation"):
        shutil.copytree(ROOT / d, tmp_path / d)
    (tmp_path / "docs").mkdir()
    doc = tmp_path / "docs" / "validation.md"
    doc.write_text("# Matcher validation\n\nfirst cohort text\n\n## Second cohort\n\nstale numbers\n", encoding="utf-8")
    monkeypatch.setenv("BODYMAP_DATA", str(tmp_path))
    matcher.forget_models()
    try:
        assert cal.run(fit=False, docs=True, n=120) == 0
        cal.run(fit=False, docs=True, n=120)
    finally:
        monkeypatch.delenv("BODYMAP_DATA")
        matcher.forget_models()
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Matcher validation\n\nfirst cohort text\n")
    assert text.count(cal.SECTION) == 1 and "stale numbers" not in text
    assert "reliability-cohort2.png" in text and (tmp_path / cal.FIGURE).exists()
    assert "| strong (strongly consistent) |" in text
    assert "ECE, old event" in text and "docs/adr/0036" in text  # the old figure stays beside the new one


def test_calibrate_cli_refuses_a_tiny_cohort():
    r = subprocess.run([sys.executable, "-m", "bodymap.lab.calibration", "-n", "5"], capture_output=True, text=True)
    assert r.returncode == 2 and "at least 50" in r.stderr and "Traceback" not in r.stderr


def test_fhir_bundle_carries_the_ranking_with_bands_and_validates(atlas):
    from fhir.resources.R4B.observation import Observation

    from bodymap.exports import fhir

    m = PainMap(atlas)
    for rid in ("right_buttock", "right_posterior_thigh", "right_calf"):
        m.paint_region(rid, 1.0, "sharp")
    b = fhir.bundle_for(m)
    obs = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Observation"
           and e["resource"]["code"]["text"].startswith("bodymap pattern ranking")]
    assert len(obs) == 1
    Observation.model_validate(obs[0])
    hyps = matcher.match(m).hypotheses[:fhir.RANKING_TOP]
    comps = obs[0]["component"]
    assert [c["code"]["coding"][0]["code"] for c in comps] == [h.id for h in hyps]
    assert [c["interpretation"][0]["coding"][0]["code"] for c in comps] == [h.band for h in hyps]
    assert [c["valueQuantity"]["value"] for c in comps] == [round(100 * h.probability, 1) for h in hyps]
    assert "not a diagnosis" in obs[0]["note"][0]["text"]
    empty = fhir.bundle_for(PainMap(atlas))  # nothing painted: no ranking to export
    assert not any(e["resource"]["code"].get("text", "").startswith("bodymap pattern ranking")
                   for e in empty["entry"] if e["resource"]["resourceType"] == "Observation")


def test_pdf_report_shows_the_band_beside_each_probability(atlas, tmp_path):
    from pypdf import PdfReader

    from bodymap.exports import report

    m = PainMap(atlas)
    for rid in ("left_lateral_hip", "left_lateral_thigh"):
        m.paint_region(rid, 1.0, "aching")
    out = report.write_report(m, tmp_path / "r.pdf")
    text = " ".join(" ".join(pg.extract_text() or "" for pg in PdfReader(str(out)).pages).split())
    side = {"left": "left", "right": "right", "bilateral": "both sides"}  # the one wording (issue 18)
    for h in matcher.match(m).hypotheses[:3]:
        assert f"{h.name} ({side[h.side]}): {100 * h.probability:.0f}% ({cal.band_text(h.band)})" in text


@pytest.mark.parametrize("p, words", [(0.83, "strongly consistent"), (0.55, "moderately consistent"),
                                      (0.12, "weakly consistent")])
def test_panel_and_review_rows_show_the_band_beside_the_probability(p, words):
    from fakes import Hyp

    from bodymap.ui.kit.ranking import hypothesis_label
    from bodymap.ui.review.panels import hypothesis_text

    h = Hyp("root_L5", "right", p, "L5 nerve root")
    for label in (hypothesis_label(h), hypothesis_text(h)):
        assert label.startswith(f"{100 * p:.0f}%") and label.endswith(words)
    real = matcher.Hypothesis("root_L5", "left", p, "L5 nerve root", "a nerve")
    assert hypothesis_label(real).endswith(cal.band_text(real.band))


def test_a_broken_probability_never_crashes_a_screen():
    from fakes import Hyp

    from bodymap.ui.kit.ranking import hypothesis_label

    assert hypothesis_label(Hyp("x", "left", float("nan"), "X")).endswith("weakly consistent")
    assert hypothesis_label(Hyp("x", "left", 1.7, "X")).endswith("strongly consistent")


def test_calibrate_cli_names_a_missing_cohort_generator_in_one_line(tmp_path):
    import os

    for d in ("regions", "validation"):
        shutil.copytree(ROOT / d, tmp_path / d)
    (tmp_path / "validation" / "independent" / "generate.py").unlink()  # a copy: the repository's stays as it is
    r = subprocess.run([sys.executable, "-m", "bodymap.lab.calibration"], capture_output=True, text=True,
                       env={**os.environ, "BODYMAP_DATA": str(tmp_path)})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "generate.py" in r.stderr and "missing" in r.stderr and len(r.stderr.strip().splitlines()) == 1
