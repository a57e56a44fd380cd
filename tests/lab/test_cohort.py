"""The second cohort (bodymap.cohort): its own frequencies, contiguous and correlated painting,
and a share of drawings from outside the library."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import bodymap
from bodymap.lab import cohort
from bodymap.matcher import NONE_ID, load_patterns
from bodymap.paths import data_root

ROOT = data_root()
SPEC_PATH = ROOT / "validation" / "cohort2.yaml"


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


@pytest.fixture(scope="module")
def spec():
    return cohort.load_cohort_spec()


@pytest.fixture(scope="module")
def drawings(atlas, spec):
    return cohort.generate(atlas, spec, n=2000, seed=5)


def test_shares_add_up_and_out_of_library_share_comes_from_the_file(spec):
    doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert sum(r.share for r in spec.recipes) == pytest.approx(1.0)
    assert sum(r.share for r in spec.recipes if r.out_of_library) == pytest.approx(doc["ool_share"][0])


def test_about_the_stated_share_of_drawings_is_out_of_library(drawings, spec):
    share = np.mean([d.out_of_library for d in drawings])
    assert abs(share - spec.ool_share) < 0.03


def test_out_of_library_drawings_count_none_as_right(drawings):
    ool = [d for d in drawings if d.out_of_library]
    assert {d.truth for d in ool} == {"stocking_feet", "knee_only", "calf_claudication", "widespread"}
    assert all(NONE_ID in d.accept for d in ool)
    assert all(d.accept == (d.truth,) for d in drawings if not d.out_of_library)


def test_every_library_pattern_in_the_cohort_exists_in_the_matcher(spec):
    known = {p.id for p in load_patterns().patterns}
    assert {r.id for r in spec.recipes if not r.out_of_library} <= known


def test_painting_is_contiguous_over_region_adjacency(atlas, drawings, spec):
    nb = cohort.adjacency(atlas)
    ids = [r.id for r in atlas.regions]
    starts = {r.id: set(r.start) for r in spec.recipes}
    for d in drawings:
        painted = {ids.index(rid) for rid in d.painted}
        for i in painted:
            stem = atlas.regions[i].stem
            if stem in starts[d.truth]:
                continue
            assert set(nb[i]) & painted, f"{d.truth}: {ids[i]} painted without a painted neighbour"


def test_one_sided_drawings_grow_only_on_their_side_on_both_views(atlas, drawings):
    by_id = {r.id: r for r in atlas.regions}
    seen_views = {"right": set(), "left": set()}
    for d in drawings:
        if d.side == "bilateral":
            continue
        sides = {by_id[rid].side for rid in d.painted}
        assert sides <= {d.side, "midline"}, (d.truth, d.side, d.painted)
        if len({by_id[rid].view for rid in d.painted}) == 2:
            seen_views[d.side].add("both")
        # the coverage vector agrees with the painted list (plus spill-over and strays)
        for rid in d.painted:
            assert d.features.coverage[list(by_id).index(rid)] >= 0.3
    assert seen_views == {"right": {"both"}, "left": {"both"}}  # painting crosses from front to back


def test_adjacency_is_symmetric_and_links_the_views(atlas):
    nb = cohort.adjacency(atlas)
    regs = atlas.regions
    for i, ns in enumerate(nb):
        for j in ns:
            assert i in nb[j]
    ids = [r.id for r in regs]
    calf = ids.index("right_calf")
    assert ids.index("right_lateral_leg") in nb[calf]  # back view -> front view, same side and level
    assert ids.index("left_lateral_leg") not in nb[calf]


def test_regions_are_correlated_not_independent(drawings):
    """In L5 drawings the calf is far more often painted when the posterior thigh is: painting grows."""
    l5 = [d for d in drawings if d.truth in ("root_L5", "root_S1", "lumbar_spinal_stenosis")]
    def painted(d, stem):
        return any(r.endswith("_" + stem) for r in d.painted)
    with_thigh = [painted(d, "calf") for d in l5 if painted(d, "back_of_knee")]
    without = [painted(d, "calf") for d in l5 if not painted(d, "back_of_knee")]
    assert len(with_thigh) > 30 and len(without) > 30
    assert np.mean(with_thigh) > np.mean(without) + 0.2
    # the per-patient spread trait: painted-region counts vary more than independent coin flips would
    counts = np.array([len(d.painted) for d in drawings if d.truth == "nonspecific_low_back"])
    p = counts.mean() / 12
    assert counts.var() > 12 * p * (1 - p)


def test_nerve_like_sensations_and_the_numbness_answer_go_together(drawings):
    from bodymap.painting import SENSATIONS

    k = SENSATIONS.index("pins_and_needles")
    yes = [d.features.sensations[k] for d in drawings if d.features.answers.get("numbness") is True]
    no = [d.features.sensations[k] for d in drawings if d.features.answers.get("numbness") is False]
    assert np.mean(yes) > np.mean(no) + 0.3


def test_perturbations_really_move_away_from_patterns_yaml():
    doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    lib = load_patterns()
    moved = 0
    for pid, d in doc["patterns"].items():
        pat = lib.get(pid)
        for stem, (value, source, label) in (d.get("grow") or {}).items():
            if label == "P" and stem in pat.regions:
                assert abs(value - pat.regions[stem][0]) >= 0.04 - 1e-9, (pid, stem)
                moved += 1
    assert moved >= 10


def test_same_seed_same_cohort_other_seed_other_cohort(atlas, spec):
    a = cohort.generate(atlas, spec, n=50, seed=3)
    b = cohort.generate(atlas, spec, n=50, seed=3)
    c = cohort.generate(atlas, spec, n=50, seed=4)
    assert [d.painted for d in a] == [d.painted for d in b]
    assert all(np.array_equal(x.features.coverage, y.features.coverage) for x, y in zip(a, b))
    assert [d.painted for d in a] != [d.painted for d in c]


def _write(tmp_path: Path, edit) -> Path:
    doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / "cohort2.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize("edit, words", [
    (lambda d: d["patterns"]["root_L5"]["grow"].update(calf=[0.5]), "calf"),
    (lambda d: d["patterns"]["root_L5"]["grow"].update(calf=[0.5, "nowhere", "R"]), "nowhere"),
    (lambda d: d["patterns"]["root_L5"]["grow"].update(calf=[0.5, "furman2019", "X"]), "label"),
    (lambda d: d["patterns"]["root_L5"]["grow"].update(calf=[0.5, "perturbed", "M"]), "perturbation"),
    (lambda d: d["patterns"]["root_L5"]["grow"].update(calf=[1.5, "estimate", "M"]), "0 to 1"),
    (lambda d: d["out_of_library"]["knee_only"].update(accept=["knee_local"]), "'none'"),
    (lambda d: d["patterns"]["root_L5"].update(answers={"wobbly": [0.5, "estimate", "M"]}), "wobbly"),
    (lambda d: d.update(schema="other/1"), "schema"),
])
def test_a_bad_cohort_file_gets_one_clear_message(tmp_path, edit, words):
    with pytest.raises(cohort.CohortError) as exc:
        cohort.load_cohort_spec(_write(tmp_path, edit))
    assert words in str(exc.value) and "\n" not in str(exc.value)


# -- the independent second cohort (validation/independent, ADR 0025) --------------------------------

def test_the_independent_generator_gets_the_live_atlas_regions(atlas):
    regs = cohort.atlas_regions(atlas)
    assert [r["id"] for r in regs] == [r.id for r in atlas.regions]
    by_id = {r["id"]: r for r in regs}
    for r in atlas.regions:
        d = by_id[r.id]
        assert (d["view"], d["side"], d["level"]) == (r.view, r.side, r.level)
        assert all(by_id[t]["view"] == r.view for t in d["touches_same_view"])
    assert "right_calf" in by_id["right_back_of_knee"]["touches_same_view"]
    assert all(r.id in by_id[t]["touches_same_view"] for r in atlas.regions for t in by_id[r.id]["touches_same_view"])


def test_independent_drawings_become_matcher_features_on_the_live_atlas(atlas):
    ds = cohort.independent(atlas, n=60, seed=5)
    assert len(ds) == 60 and any(d.out_of_library for d in ds) and any(not d.out_of_library for d in ds)
    again = cohort.independent(atlas, n=60, seed=5)
    assert [d.truth for d in again] == [d.truth for d in ds]
    assert all(np.array_equal(a.features.coverage, b.features.coverage) for a, b in zip(ds, again))
    raw = {"truth": "root_L5", "accept": ["root_L5", "root_S1"], "side": "left", "out_of_library": False,
           "coverage": {"left_calf": 0.5, "left_dorsum_foot": 0.01}, "sensations": ["numbness"],
           "answers": {"numbness": True, "age": 51, "some_other_key": True}}
    d = cohort.from_independent(atlas, raw)
    f = d.features
    assert f.coverage[atlas.index("left_calf")] == 0.5 and f.coverage[atlas.index("right_calf")] == 0
    assert d.painted == ["left_calf"]  # a 1% touch is a stray, not a painted region
    assert f.sensations.sum() == 1 and f.answers == {"numbness": True, "age": 51}
    assert (d.truth, d.accept, d.side) == ("root_L5", ("root_L5", "root_S1"), "left")


@pytest.mark.parametrize("bad", [{"coverage": {"left_tail": 0.5}}, {"sensations": ["itching"]},
                                 {"coverage": {"left_calf": 1.5}}, {"truth": None, "accept": 3}])
def test_a_drawing_not_in_the_documented_shape_is_one_clear_error(atlas, bad):
    raw = {"truth": "root_L5", "accept": ["root_L5"], "side": "left", "out_of_library": False,
           "coverage": {"left_calf": 0.5}, "sensations": [], "answers": {}}
    raw.update(bad)
    with pytest.raises(cohort.CohortError, match="independent cohort drawing 7"):
        cohort.from_independent(atlas, raw, 7)
