"""The visit timeline (bodymap.timeline): order, per-region change, the plotted series; headless."""
from __future__ import annotations

from datetime import date

import pytest

from bodymap.compare import compare
from bodymap.painting import PainMap
from bodymap.timeline import (DATED_BY_CREATED, DATED_BY_VISIT, UNDATED, build, region_change, same_patient)



def visit(atlas, regions, patient="MRN 0042", visit_date=None, pain=None, code=None):
    m = PainMap(atlas)
    for r in regions:
        m.paint_region(r)
    m.set_visit(patient_id=patient, visit_date=visit_date)
    if pain is not None:
        m.set_intensity(None, pain)
    m.meta["session_code"] = code
    return m


def test_visits_are_ordered_by_visit_date_falling_back_to_the_created_date(atlas):
    maps = [
        ("c", visit(atlas, ["right_calf"], visit_date="2024-05-02"), "2024-01-01T08:00:00Z"),  # late visit, early file
        ("a", visit(atlas, ["right_calf"], visit_date="2024-03-01"), "2024-06-30T08:00:00Z"),
        ("b", visit(atlas, ["right_calf"]), "2024-04-15T23:30:00Z"),  # no visit date: its created date
        ("d", visit(atlas, ["right_calf"]), None),  # neither: last
    ]
    tl = build("MRN 0042", maps)
    assert [v.key for v in tl.visits] == ["a", "b", "c", "d"]
    assert [v.dated_by for v in tl.visits] == [DATED_BY_VISIT, DATED_BY_CREATED, DATED_BY_VISIT, UNDATED]
    assert tl.visits[1].day == date(2024, 4, 15) and tl.visits[3].day is None
    assert [(c.before, c.after) for c in tl.changes] == [(0, 1), (1, 2), (2, 3)]


def test_the_same_day_is_ordered_by_created_time(atlas):
    maps = [("late", visit(atlas, ["left_calf"], visit_date="2024-03-01"), "2024-03-01T15:00:00Z"),
            ("early", visit(atlas, ["left_calf"], visit_date="2024-03-01"), "2024-03-01T09:00:00+01:00")]
    assert [v.key for v in build("MRN 0042", maps).visits] == ["early", "late"]


def test_only_the_patients_own_maps_are_on_the_timeline(atlas):
    maps = [("mine", visit(atlas, ["right_calf"], patient="mrn 0042"), "2024-01-01T00:00:00Z"),
            ("other", visit(atlas, ["right_calf"], patient="MRN 0043"), "2024-01-02T00:00:00Z"),
            ("none", visit(atlas, ["right_calf"], patient=None), "2024-01-03T00:00:00Z")]
    assert [v.key for v in build("MRN  0042", maps).visits] == ["mine"]
    assert same_patient("MRN 0042", " mrn 0042 ") and not same_patient("MRN 0042", None)
    assert not same_patient(None, None)  # two maps without an identifier are not one patient


def test_per_region_change_between_consecutive_visits(atlas):
    first = visit(atlas, ["right_calf", "right_buttock"], visit_date="2024-03-01", pain=6)
    second = visit(atlas, ["right_calf", "right_heel"], visit_date="2024-03-15", pain=4)
    third = visit(atlas, ["right_heel"], visit_date="2024-04-01")  # no pain score given
    tl = build("MRN 0042", [("3", third, None), ("1", first, None), ("2", second, None)])
    one, two = tl.changes
    assert (one.new, one.resolved, one.persistent) == (("right_heel",), ("right_buttock",), ("right_calf",))
    assert (two.new, two.resolved, two.persistent) == ((), ("right_calf",), ("right_heel",))
    comp = compare(first, second)
    assert one.jaccard == pytest.approx(comp.jaccard) and one.extent_change == pytest.approx(comp.extent_change)
    assert [v.extent for v in tl.visits] == pytest.approx([m.extent_percent()["total"] for m in (first, second, third)])
    assert tl.series("pain") == [(0, 6.0), (1, 4.0)]  # the visit without a score is left out, not drawn as 0
    assert [i for i, _ in tl.series("extent")] == [0, 1, 2]


def test_a_stray_dot_is_not_a_new_region(atlas):
    before = visit(atlas, ["right_calf"], visit_date="2024-03-01")
    after = visit(atlas, ["right_calf"], visit_date="2024-03-15")
    p = atlas.region("left_calf").geometry.representative_point()
    after.stroke(atlas.region("left_calf").view, [(p.x, p.y)], radius=0.02)  # a touch: a few pixels
    assert after.region_coverage().get("left_calf", 0) > 0  # some paint is there...
    ch = region_change(before, after)
    assert "left_calf" not in ch.new and ch.persistent == ("right_calf",)  # ...but it does not count
