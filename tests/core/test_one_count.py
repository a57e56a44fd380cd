"""The matcher and `bodymap show` say the same about one map (issue 19 item 4, ADR 0040): the same WPI
areas, the same regions that count, readable sources, and no side on "no pattern fits well"."""
from __future__ import annotations

import re

import numpy as np
import pytest

import bodymap
from bodymap import matcher, rules
from bodymap.indices import indices_for_map
from maps import painted as _map  # noqa: E402 (tests/maps.py)


def _matcher_wpi(m) -> tuple[int, int]:
    """(generalised-pain regions, WPI areas) as the matcher's widespread pain line counts them."""
    model = matcher.get_model(m.atlas)
    f = matcher.features_of(m)
    x = matcher.soft_painted(f.coverage) * model.scored
    groups, areas = rules.parts_many(model, [f], x[None]).wide_n[0]
    return int(groups), int(areas)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("stem", ["groin", "sacroiliac", "mid_back", "lateral_hip", "buttock", "upper_back"])
def test_the_matcher_counts_the_wpi_areas_show_counts(atlas, side, stem):
    """Groin (front view), sacroiliac and middle back (back view) were counted by the matcher as hip, hip
    and lower back, by `show` as nothing, lower back and upper back: "6 of the 19 areas" beside "WPI 5/19"."""
    other = "left" if side == "right" else "right"
    paint = [(f"{side}_calf", 1.0, "aching"), (f"{other}_calf", 1.0, "aching"),
             (f"{side}_upper_arm_front", 1.0, "aching"), (f"{other}_upper_arm_front", 1.0, "aching"),
             (f"{side}_{stem}", 1.0, "aching"), (f"{other}_lower_back", 1.0, "aching")]
    m = _map(atlas, paint)
    idx = indices_for_map(m)
    assert _matcher_wpi(m) == (len(idx.generalised_regions), idx.wpi)
    wide = next(h for h in bodymap.match(m).hypotheses if h.id == matcher.WIDESPREAD_ID)
    assert f"{idx.wpi} of the 19 areas" in wide.evidence[0].text


def test_the_issue_map_reads_five_areas_in_both(atlas):
    m = _map(atlas, [(r, 1.0, "aching") for r in ("right_calf", "left_calf", "right_upper_arm_front",
                                                  "left_upper_arm_front", "left_groin", "right_mid_back")])
    assert indices_for_map(m).wpi == 5
    assert _matcher_wpi(m)[1] == 5


# -- "no pattern fits well" is not a pattern with a side ------------------------------------------------

@pytest.mark.parametrize("side", ["right", "left"])
def test_no_pattern_fits_well_shows_no_side_but_json_keeps_it(atlas, side, cli, tmp_path):
    from bodymap.triage import hypothesis_name, hypothesis_words

    m = _map(atlas, [(f"{side}_jaw", 1.0, "aching"), (f"{side}_face", 0.5, "aching")])
    r = bodymap.match(m)
    none = next(h for h in r.hypotheses if h.id == matcher.NONE_ID)
    assert none.side == side  # the JSON's `side` (the painted side) is a public key: kept
    assert none.to_json()["side"] == side
    for shown in (hypothesis_name(none), hypothesis_words(none)):  # the report, the panels
        assert "No pattern fits well" in shown and side not in shown and "(" not in shown
    f = tmp_path / "m.bodymap"
    bodymap.save(m, f)
    out = cli("match", str(f)).out
    row = next(line for line in out.splitlines() if line.startswith("No pattern fits well"))
    assert row.split()[4] == "-"  # the side column: no side
    assert f" {side} " not in row.split("%")[0] and "(" not in row.split("%")[0]


# -- evidence names its sources, never an internal id --------------------------------------------------------

def _id_leaks(ranking, keys: set) -> list[str]:
    out = []
    for h in ranking.hypotheses:
        for e in h.evidence:
            for where in (e.text, e.source):
                words = set(re.findall(r"[A-Za-z0-9_]+", where))
                if words & keys or re.match(r"[a-z0-9]+_[a-z0-9_]+ \(", where):
                    out.append(f"{h.id}: {where}")
    return out


def test_no_evidence_line_of_a_vignette_shows_a_source_id(atlas):
    import yaml
    from bodymap.paths import data_root

    keys = set(matcher.get_model(atlas).lib.sources)
    vignettes = yaml.safe_load((data_root() / "validation" / "vignettes.yaml").read_text())["vignettes"]
    leaks = []
    for v in vignettes:
        m = _map(atlas, [(p["region"], p.get("fraction", 1.0), p.get("sensation", "aching")) for p in v["paint"]],
                 v.get("answers"))
        leaks += [f"{v['id']}: {x}" for x in _id_leaks(bodymap.match(m, top_n=60), keys)]
    assert not leaks, leaks[:5]


def test_no_evidence_line_of_generated_maps_shows_a_source_id(atlas):
    from bodymap.lab import validation

    model = matcher.get_model(atlas)
    keys = set(model.lib.sources)
    leaks = []
    for k, c in enumerate(validation.simulate(model, 300, seed=5, perturb=0.5)):
        f = c.features
        f.answers.setdefault("age", 45 + (k % 40))  # ages over and under 60: the age line cites its source
        r = matcher.rank(model, f, {"extent_percent": 1.0, "regions": []}, c.both_legs, False, top_n=12)
        leaks += _id_leaks(r, keys)
    assert not leaks, leaks[:5]


def test_a_source_without_author_and_year_is_named_by_its_title(atlas):
    from bodymap.citations import cite

    sources = {"mayo_mp": {"citation": "Mayo Clinic, meralgia paresthetica symptoms: tingling (web page)", "label": "S"},
               "furman2019": {"citation": "Furman MB. Spine J 2019", "label": "S"},
               "odd_key": {"short": "A short name", "citation": "x: y", "label": "M"}}
    assert cite("mayo_mp", sources) == "Mayo Clinic, meralgia paresthetica symptoms (S)"
    assert cite("furman2019", sources) == "Furman 2019 (S)"
    assert cite("odd_key", sources) == "A short name (M)"
