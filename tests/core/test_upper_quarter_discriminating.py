"""The ADR 0019 rule "a pattern whose discriminating answer is unanswered cannot be strong", for the
upper-quarter patterns whose hallmark is an answer, not a place: cervical facet (pain on neck
movement), subacromial shoulder (pain on raising the arm) and carpal tunnel (numb hands at night)."""
from __future__ import annotations

import pytest

from bodymap import matcher
from bodymap.bands import STRONG_AT
from bodymap.painting import PainMap

CASES = {  # pattern: (regions without the side, sensation, the hallmark answer)
    "facet_cervical": (["back_of_neck", "back_of_head"], "aching", "neck_movement_pain"),
    "shoulder_subacromial": (["front_of_shoulder", "back_of_shoulder", "lateral_arm"], "aching", "arm_raising_pain"),
    "carpal_tunnel": (["thumb_palmar", "index_finger_palmar", "middle_finger_palmar"], "pins_and_needles",
                      "night_numb_hands"),
}


def drawing(atlas, side, pid, answer=None):
    stems, sensation, key = CASES[pid]
    m = PainMap(atlas)
    for st in stems:
        rid = f"{side}_{st}"
        if rid in atlas.region_ids:
            m.paint_region(rid, 0.8, sensation)
    m.answers.update({"age": 50, "numbness": sensation != "aching"})
    if answer is not None:
        m.answers[key] = answer
    return m


def belief(r, pid):
    return sum(h.probability for h in r.hypotheses if h.id == pid)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("pid", sorted(CASES))
def test_unanswered_hallmark_keeps_the_line_below_strong_and_asks_it(atlas, side, pid):
    r = matcher.match(drawing(atlas, side, pid))
    top = r.hypotheses[0]
    assert top.id == pid and top.side == side  # the drawing still points at it, on the painted side
    assert belief(r, pid) < STRONG_AT
    key_words = matcher.vocabulary.words(CASES[pid][2], "short")
    assert any(p.startswith("Ask next") and key_words in p for p in r.prompts)


@pytest.mark.parametrize("pid", sorted(CASES))
def test_answering_the_hallmark_lifts_the_ceiling_and_no_answers_it(atlas, pid):
    """The 'not answered' reason is on the line until the hallmark is answered; 'yes' never lowers the
    line and 'no' never raises it above 'yes' (another ceiling, e.g. resting on M numbers, may hold both)."""
    def line(answer):
        r = matcher.match(drawing(atlas, "right", pid, answer))
        h = next(h for h in r.hypotheses if h.id == pid)
        return belief(r, pid), " ".join(e.text for e in h.evidence)

    (unanswered, why), (yes, why_yes), (no, _) = line(None), line(True), line(False)
    said = CASES[pid][2].replace("_", " ")
    assert "not answered" in why and said in why.lower()
    assert "not answered" not in why_yes
    assert yes >= unanswered - 1e-9 and no <= yes + 1e-9
