"""Clinician exports: the one-page PDF report, FHIR R4 JSON, the CSV export, and their bad-input handling."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import bodymap
from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import SENSATIONS, PainMap

REPO = Path(__file__).resolve().parents[2]


def _make(path: Path, paint, *, answers=None, intensity=None, session=None) -> Path:
    m = PainMap(load_atlas())
    for region, frac, sens in paint:
        m.paint_region(region, frac, sens)
    for k, v in (answers or {}).items():
        m.answers[k] = v
    for k, v in (intensity or {}).items():
        m.set_intensity(None if k == "overall" else k, v)
    if session:
        m.meta["session_code"] = session
    fileformat.save(m, path)
    return path


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("maps")
    return {
        "flagged": _make(d / "flagged.bodymap",
                         [("right_lateral_leg", 0.8, "burning"), ("right_big_toe", 1.0, "pins_and_needles"),
                          ("right_lower_back", 0.6, "aching"), ("sacrum", 1.0, "aching")],
                         answers={"bladder_bowel": True, "numbness": True, "age": 54},
                         intensity={"overall": 7, "burning": 8}, session="K7Q-42M"),
        "calm": _make(d / "calm.bodymap", [("left_calf", 1.0, "aching"), ("left_heel", 1.0, "aching")],
                      answers={"worse_walking": True}, intensity={"overall": 3}, session="AB2-77X"),
        "upper": _make(d / "upper.bodymap", [("right_chest", 0.5, "sharp"), ("left_upper_back", 0.3, "numbness")]),
    }


def _run(argv, capsys) -> tuple[int, str, str]:
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse usage errors exit from inside the parser
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def _one_line_error(rc: int, err: str) -> None:
    assert rc == 2
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("bodymap: ")


def _flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# PDF report


def _pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    r = PdfReader(str(path))
    return len(r.pages), _flat(" ".join(p.extract_text() or "" for p in r.pages))


def test_report_has_red_flag_first_top_match_extent_and_disclaimer(maps, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    rc, _, err = _run(["report", maps["flagged"], "-o", out], capsys)
    assert rc == 0, err
    pages, text = _pdf_text(out)
    assert pages == 1
    m = bodymap.load(maps["flagged"])
    ranking = bodymap.match(m)
    assert ranking.red_flags and ranking.hypotheses
    flag = _flat(ranking.red_flags[0].text)
    assert "RED FLAG" in text and flag in text
    top = ranking.top
    side = {"left": "left", "right": "right", "bilateral": "both sides"}[top.side]  # one wording (issue 18)
    assert f"{top.name} ({side}): {100 * top.probability:.0f}%" in text
    assert "Decision aid, not a diagnosis" in text
    ext = m.extent_percent()
    assert f"{ext['total']:.1f}% of body area" in text
    assert "Session K7Q-42M" in text
    assert "overall 7/10" in text
    assert f"hash {m.atlas.content_hash[:8]}" in text and f"bodymap {bodymap.__version__}" in text
    # red flags come before the drawing facts and the matches
    assert text.index(flag) < text.index("Extent") < text.index(top.name)


def test_report_without_flags_says_so_and_names_unanswered_questions(maps, tmp_path, capsys):
    out = tmp_path / "calm.pdf"
    rc, _, err = _run(["report", maps["calm"], "-o", out], capsys)
    assert rc == 0, err
    pages, text = _pdf_text(out)
    assert pages == 1
    assert "RED FLAG" not in text
    assert "No red flags from the answers given" in text
    assert "bladder or bowel changes" in text  # not answered, so named


def test_report_stays_one_page_with_every_region_painted(tmp_path, capsys):
    atlas = load_atlas()
    m = PainMap(atlas)
    for i, r in enumerate(atlas.regions):
        m.paint_region(r.id, 0.5, SENSATIONS[i % len(SENSATIONS)])
    for q in ("bladder_bowel", "saddle_numbness", "fever_or_weight_loss", "cancer_history", "recent_trauma",
              "weakness"):
        m.answers[q] = True
    m.meta["session_code"] = "<b>X</b>&" + "Z" * 40  # markup in data must not break the page
    f = fileformat.save(m, tmp_path / "all.bodymap")
    out = tmp_path / "all.pdf"
    rc, _, err = _run(["report", f, "-o", out], capsys)
    assert rc == 0, err
    pages, text = _pdf_text(out)
    assert pages == 1
    for flag in bodymap.match(bodymap.load(f)).red_flags:
        assert _flat(flag.text) in text
    assert "<b>X</b>&" in text


# ---------------------------------------------------------------------------
# FHIR


def _r4_classes():
    # fhir.resources 8 ships R5 by default plus R4B and STU3; R4B keeps Bundle,
    # Observation and QuestionnaireResponse as in R4, so it is what validates R4 here.
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.flag import Flag
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    return Bundle, {"Observation": Observation, "QuestionnaireResponse": QuestionnaireResponse, "Flag": Flag}


def test_fhir_bundle_validates_and_carries_the_map(maps, tmp_path, capsys):
    import yaml

    out = tmp_path / "b.json"
    rc, _, err = _run(["export", maps["flagged"], "--fhir", "-o", out], capsys)
    assert rc == 0, err
    doc = json.loads(out.read_text())
    Bundle, classes = _r4_classes()
    Bundle.model_validate(doc)
    assert doc["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in doc["entry"]]
    for e in doc["entry"]:
        classes[e["resource"]["resourceType"]].model_validate(e["resource"])
        assert e["fullUrl"] == f"urn:uuid:{e['resource']['id']}"
    assert kinds.count("QuestionnaireResponse") == 1

    m = bodymap.load(maps["flagged"])
    # every red flag is a Flag resource, and they come first in the Bundle
    want_flags = [f.id for f in bodymap.match(m).red_flags]
    assert want_flags
    flags = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Flag"]
    assert [f["code"]["coding"][0]["code"] for f in flags] == want_flags
    assert kinds[: len(flags)] == ["Flag"] * len(flags)
    qr = next(e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    got = {i["linkId"]: next(iter(i["answer"][0].values())) for i in qr["item"]}
    for k, v in m.answers.items():
        assert got[k] == v
    assert got["intensity.overall"] == 7 and got["intensity.burning"] == 8
    assert qr["identifier"]["value"] == "K7Q-42M"

    table = yaml.safe_load((REPO / "regions" / "snomed.yaml").read_text())
    cov = m.region_coverage()
    painted = {r for r, c in cov.items() if c >= 0.02}
    regional = [e["resource"] for e in doc["entry"]
                if e["resource"]["resourceType"] == "Observation" and "bodySite" in e["resource"]]
    assert len(regional) == len(painted)
    by_text = {o["bodySite"]["text"].split(",")[0]: o for o in regional}
    for rid in painted:
        region = m.atlas.region(rid)
        obs = by_text[region.name]
        want = table["stems"].get(region.stem)
        if want:
            assert obs["bodySite"]["coding"] == [{"system": "http://snomed.info/sct", "code": want["code"],
                                                  "display": want["display"]}]
        else:
            assert "coding" not in obs["bodySite"]  # unverified stem: text only
        comps = obs["component"]
        sens = [c["valueCodeableConcept"]["coding"][0]["code"] for c in comps if c["code"].get("text") == "Sensation"]
        assert sens == [s for s in SENSATIONS if m.region_coverage(s).get(rid, 0) > 0]
        lat = [c for c in comps if c["code"].get("text") == "Patient's side"]
        if region.side == "midline":
            assert not lat
        else:
            expect = {"left": "7771000", "right": "24028007"}[region.side]
            assert lat[0]["valueCodeableConcept"]["coding"][0]["code"] == expect
        sev = [c for c in comps if c["code"].get("coding", [{}])[0].get("code") == "72514-3"
               and c["code"]["text"].startswith("Overall")]
        assert sev[0]["valueInteger"] == 7
    assert "sacrum" in {m.atlas.region(r).stem for r in painted}  # the text-only branch was exercised


def test_fhir_to_stdout(maps, capsys):
    rc, out, err = _run(["export", maps["upper"], "--fhir"], capsys)
    assert rc == 0, err
    doc = json.loads(out)
    Bundle, _ = _r4_classes()
    Bundle.model_validate(doc)
    sens = {c["valueCodeableConcept"]["coding"][0]["code"]
            for e in doc["entry"] for c in e["resource"].get("component", []) if c["code"].get("text") == "Sensation"}
    assert sens == {"sharp", "numbness"}


def _verhoeff_ok(code: str) -> bool:
    # the dihedral group D5 table and the permutation powers, built from their definitions rather than typed in
    d = [[0] * 10 for _ in range(10)]
    for i in range(10):
        for j in range(10):
            if i < 5 and j < 5:
                d[i][j] = (i + j) % 5
            elif i < 5:
                d[i][j] = 5 + (i + j - 5) % 5
            elif j < 5:
                d[i][j] = 5 + (i - 5 - j) % 5
            else:
                d[i][j] = (i - j) % 5
    p1 = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]
    p = [list(range(10))]
    for _ in range(7):
        p.append([p1[x] for x in p[-1]])
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = d[c][p[i % 8][int(ch)]]
    return c == 0


def test_snomed_table_is_complete_and_every_code_is_a_wellformed_concept_id():
    import yaml

    doc = yaml.safe_load((REPO / "regions" / "snomed.yaml").read_text())
    atlas = load_atlas()
    stems = {r.stem for r in atlas.regions}
    coded, unverified = set(doc["stems"]), set(doc["unverified"])
    assert coded | unverified == stems and not coded & unverified
    codes = [e["code"] for e in doc["stems"].values()] + [e["code"] for e in doc["laterality"].values()]
    codes += [e["code"] for e in doc["sensations"].values()] + [doc["concepts"]["pain"]["code"]]
    assert _verhoeff_ok("138875005") and not _verhoeff_ok("138875006")  # the check itself works
    for code in codes:
        assert re.fullmatch(r"[1-9]\d{5,17}", code) and code[-3:-1] == "00", code  # a concept, short format
        assert _verhoeff_ok(code), code
    for e in list(doc["stems"].values()) + list(doc["laterality"].values()):
        assert e["source"].strip()
    loinc = doc["concepts"]["pain_severity"]["code"]
    base, check = loinc.split("-")
    odd = "".join(reversed(base))[0::2]  # LOINC mod-10: odd positions from the right, doubled
    even = "".join(reversed(base))[1::2]
    s = sum(int(ch) for ch in reversed(even)) + sum(int(ch) for ch in str(int("".join(reversed(odd))) * 2))
    assert (10 - s % 10) % 10 == int(check)


# ---------------------------------------------------------------------------
# CSV


def test_csv_round_trip(maps, tmp_path, capsys):
    folder = maps["flagged"].parent
    out = tmp_path / "maps.csv"
    rc, _, err = _run(["export", folder, "--csv", "-o", out, "--include-identifiers"], capsys)  # file names
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    atlas = load_atlas()
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [h[4:] for h in header if h.startswith("cov_")] == atlas.region_ids
    files = sorted(p.name for p in folder.glob("*.bodymap"))
    assert [r["file"] for r in rows] == files
    for r in rows:
        m = bodymap.load(folder / r["file"])
        ext = m.extent_percent()
        assert float(r["extent_total"]) == pytest.approx(ext["total"], abs=1e-3)
        assert float(r["extent_front"]) == pytest.approx(ext["front"], abs=1e-3)
        assert float(r["extent_back"]) == pytest.approx(ext["back"], abs=1e-3)
        for s in SENSATIONS:
            assert float(r[f"extent_{s}"]) == pytest.approx(ext["by_sensation"][s], abs=1e-3)
        cov = m.region_coverage()
        for rid in atlas.region_ids:
            assert float(r[f"cov_{rid}"]) == pytest.approx(cov.get(rid, 0.0), abs=1e-4)
        ranking = bodymap.match(m)
        assert r["top_pattern"] == (ranking.top.id if ranking.top else "")
        assert r["top_side"] == (ranking.top.side if ranking.top else "")
        if ranking.top:
            assert float(r["top_probability"]) == pytest.approx(ranking.top.probability, abs=1e-4)
        assert r["red_flags"] == ";".join(f.id for f in ranking.red_flags)
        assert r["session_code"] == (m.meta.get("session_code") or "")
        assert r["created"] == m.meta["created"]


def test_csv_neutralises_spreadsheet_formulas(tmp_path, capsys):
    d = tmp_path / "f"
    d.mkdir()
    _make(d / "x.bodymap", [("right_calf", 1.0, "aching")], session="=HYPERLINK(\"http://x\")")
    rc, out, err = _run(["export", d, "--csv"], capsys)
    assert rc == 0, err
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["session_code"] == "'=HYPERLINK(\"http://x\")"


# ---------------------------------------------------------------------------
# Bad input: exit 2, one line, no traceback


def test_bad_inputs_exit_2_with_one_line(maps, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.bodymap"
    corrupt.write_bytes(maps["calm"].read_bytes()[:200])
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        ["report", tmp_path / "missing.bodymap", "-o", tmp_path / "r.pdf"],
        ["report", corrupt, "-o", tmp_path / "r.pdf"],
        ["report", maps["calm"], "-o", tmp_path / "r.txt"],
        ["report", maps["calm"], "-o", tmp_path / "no" / "r.pdf"],
        ["export", maps["calm"].parent, "--fhir"],
        ["export", corrupt, "--fhir"],
        ["export", maps["calm"]],  # neither --fhir nor --csv
        ["export", empty, "--csv"],
        ["heatmap", maps["calm"].parent, "-o", tmp_path / "h.jpg"],
        ["heatmap", maps["calm"].parent, "-o", tmp_path / "h.png", "--where", "pattern=root_L9"],
        ["heatmap", maps["calm"].parent, "-o", tmp_path / "h.png", "--where", "sensation=itchy"],
        ["heatmap", maps["calm"].parent, "-o", tmp_path / "h.png", "--where", "colour"],
        ["stats", empty],
        ["stats", tmp_path / "nope"],
        ["import-regions", tmp_path / "nope.csv", tmp_path / "out"],
    ]
    for argv in cases:
        rc, _, err = _run(argv, capsys)
        _one_line_error(rc, err)
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "h.png").exists()


def test_bad_input_in_a_real_process_prints_no_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "bodymap", "report", str(tmp_path / "missing.bodymap"), "-o",
                        str(tmp_path / "r.pdf")], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
