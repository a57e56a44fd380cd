"""Issue 18 "not from the spine": renal colic and a symptomatic aortic aneurysm are hypotheses, so they reach the
top 3 for their drawings, on the side painted (front and back views), and leave spinal drawings alone."""
from __future__ import annotations

import pytest

import bodymap
from bodymap import triage


def top(regions, answers, n=3):
    m = bodymap.PainMap()
    for r, s in regions:
        m.paint_region(r, 0.7, s)
    m.answers.update(answers)
    t = triage.assess(m)
    return [(h.id, h.side) for h in t.hypotheses[:n]], t


@pytest.mark.parametrize("side", ["right", "left"])
def test_loin_to_groin_colic_ranks_renal_colic_on_its_side_and_flags_it(side):
    got, t = top([(f"{side}_lower_back", "sharp"), (f"{side}_groin", "sharp"), (f"{side}_lower_abdomen", "sharp")],
                 {"abdominal_pain": True, "loin_to_groin": True, "age": 45})
    assert ("renal_colic", side) in got
    assert [f.pathology for f in t.red_flags] == ["vascular_or_visceral"]


def test_back_and_abdominal_pain_over_60_with_vascular_risk_ranks_the_aneurysm_in_the_top_3():
    both = [f"{s}_{r}" for s in ("right", "left") for r in ("lower_back", "lower_abdomen", "upper_abdomen")]
    got, t = top([(r, "aching") for r in both], {"abdominal_pain": True, "vascular_risk": True, "age": 72})
    assert ("abdominal_aortic_aneurysm", "bilateral") in got
    assert t.red_flags[0].id == "vascular_or_visceral" and t.caveat


@pytest.mark.parametrize("regions", [
    [("right_lower_back", "aching"), ("right_buttock", "aching"), ("right_posterior_thigh", "sharp"),
     ("right_calf", "sharp"), ("right_heel", "sharp")],  # S1 sciatica
    [("right_lower_back", "aching"), ("left_lower_back", "aching")],  # low back pain
])
def test_spinal_drawings_do_not_rank_a_visceral_pattern_in_the_top_3(regions):
    got, _ = top(regions, {"age": 70})
    assert not {pid for pid, _ in got} & {"renal_colic", "abdominal_aortic_aneurysm"}
