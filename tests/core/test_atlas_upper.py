"""Atlas version 3: the finer upper body (issue 24, item 1).

A hand with five fingers, palm and back; the forearm's thumb and little-finger
sides; the upper arm, head, neck and upper back in finer regions. The ids are a
public contract; the digits must stand apart in the silhouette, sit where a hand
surgeon expects them on the patient's right and left in both views, and maps
saved on atlas 2 keep all their hand paint.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from bodymap import fileformat as ff
from bodymap import geometry as g
from bodymap.atlas import SIDES, VIEWS, load_atlas, viewer_sign
from bodymap.painting import SENSATIONS, PainMap

DIGITS = ("thumb", "index_finger", "middle_finger", "ring_finger", "little_finger")
SUFFIX = {"front": "palmar", "back": "dorsal"}

#: every new id of atlas 3, by view (the stems; each is left_ and right_)
NEW_STEMS = {
    "front": [f"{d}_palmar" for d in DIGITS] + ["thenar", "hypothenar", "forearm_radial_front", "forearm_ulnar_front",
                                                "lateral_arm", "medial_arm", "temple", "jaw"],
    "back": [f"{d}_dorsal" for d in DIGITS] + ["first_web_space", "forearm_radial_back", "forearm_ulnar_back",
                                               "occiput", "trapezius_ridge", "interscapular", "scapular"],
}


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def _sym_x(view, side, x):
    """Viewer-frame x to the distance from the midline (positive for the side named)."""
    return x * viewer_sign(view, side)


def test_the_new_ids_exist_on_both_sides_in_their_view(atlas):
    assert atlas.version >= 3
    for view, stems in NEW_STEMS.items():
        for stem in stems:
            for side in SIDES:
                r = atlas.region(f"{side}_{stem}")
                assert r.view == view and r.side == side and r.stem == stem
                assert r.geometry.geom_type == "Polygon", f"{r.id} is in pieces"
    # the anterior and posterior neck keep their atlas 2 ids
    assert atlas.region("right_front_of_neck").view == "front"
    assert atlas.region("left_back_of_neck").view == "back"


def test_the_hand_has_five_separate_fingers_on_each_side_of_each_view(atlas):
    for view in VIEWS:
        sil = atlas.silhouette(view)
        for side in SIDES:
            tips = [atlas.region(f"{side}_{d}_{SUFFIX[view]}") for d in DIGITS[1:]]
            # a line across the four fingers, two thirds of the way to their tips, crosses the
            # silhouette in four separate pieces: the fingers stand apart, not a mitten
            pts = [shapely.Point(r.geometry.centroid.x, r.geometry.centroid.y) for r in tips]
            a, b = pts[0], pts[-1]
            ext = LineString([(a.x + (a.x - b.x) * 0.4, a.y + (a.y - b.y) * 0.4),
                              (b.x + (b.x - a.x) * 0.4, b.y + (b.y - a.y) * 0.4)])
            pieces = shapely.intersection(ext, sil)
            n = len(getattr(pieces, "geoms", [pieces]))
            assert n == 4, f"{view} {side}: {n} pieces across the fingers"
            # the thumb stands apart from the index finger at its tip
            thumb = atlas.region(f"{side}_thumb_{SUFFIX[view]}").geometry
            index = atlas.region(f"{side}_index_finger_{SUFFIX[view]}").geometry
            assert thumb.distance(index) > 0.01


def test_digits_sit_in_the_anatomical_position_on_the_patients_side(atlas):
    """Palm forward: the thumb lies away from the body and the little finger towards it, in both views;
    the patient's right hand is on the viewer's left in front and on the viewer's right behind."""
    for view in VIEWS:
        for side in SIDES:
            c = {d: atlas.region(f"{side}_{d}_{SUFFIX[view]}").geometry.centroid for d in DIGITS}
            assert all(_sym_x(view, side, p.x) > 1.0 for p in c.values())  # on the named side, out at the hand
            # across the hand (perpendicular to the line from the palm to the middle finger),
            # from the thumb to the little finger, moving towards the body
            palm = atlas.region(f"{side}_{'palm' if view == 'front' else 'back_of_hand'}").geometry.centroid
            vx, vy = _sym_x(view, side, c["middle_finger"].x) - _sym_x(view, side, palm.x), c["middle_finger"].y - palm.y
            across = {d: _sym_x(view, side, p.x) * vy - p.y * vx for d, p in c.items()}
            assert across["thumb"] > across["index_finger"] > across["middle_finger"] > across["ring_finger"] > across["little_finger"]
            ys = {d: atlas.region(f"{side}_{d}_{SUFFIX[view]}").geometry.bounds[3] for d in DIGITS}
            assert ys["middle_finger"] == max(ys.values())  # the longest finger reaches lowest
            assert ys["thumb"] < ys["little_finger"]
            rad = atlas.region(f"{side}_forearm_radial_{view}").geometry.centroid.x
            uln = atlas.region(f"{side}_forearm_ulnar_{view}").geometry.centroid.x
            assert _sym_x(view, side, rad) > _sym_x(view, side, uln)  # the radius is on the thumb side
    front_x = atlas.region("right_thumb_palmar").geometry.centroid.x
    back_x = atlas.region("right_thumb_dorsal").geometry.centroid.x
    assert front_x < 0 < back_x


def test_the_palm_side_regions_sit_where_a_hand_surgeon_expects_them(atlas):
    for side in SIDES:
        then = atlas.region(f"{side}_thenar").geometry.centroid
        hypo = atlas.region(f"{side}_hypothenar").geometry.centroid
        assert _sym_x("front", side, then.x) > _sym_x("front", side, hypo.x)
        assert atlas.region(f"{side}_thenar").geometry.intersects(atlas.region(f"{side}_thumb_palmar").geometry)
        web = atlas.region(f"{side}_first_web_space").geometry
        assert web.intersects(atlas.region(f"{side}_index_finger_dorsal").geometry.buffer(0.03))
        assert web.intersects(atlas.region(f"{side}_thumb_dorsal").geometry.buffer(0.03))
        lat = atlas.region(f"{side}_lateral_arm").geometry.centroid
        med = atlas.region(f"{side}_medial_arm").geometry.centroid
        assert _sym_x("front", side, lat.x) > _sym_x("front", side, med.x)
        # head and back: top to bottom, in order
        assert atlas.region(f"{side}_temple").geometry.centroid.y < atlas.region(f"{side}_jaw").geometry.centroid.y
        assert atlas.region(f"{side}_back_of_head").geometry.centroid.y < atlas.region(f"{side}_occiput").geometry.centroid.y
        trap = atlas.region(f"{side}_trapezius_ridge").geometry.centroid
        scap = atlas.region(f"{side}_scapular").geometry.centroid
        inter = atlas.region(f"{side}_interscapular").geometry.centroid
        assert trap.y < scap.y and abs(inter.x) < abs(scap.x)


def test_each_new_region_is_one_painted_piece_and_fills_completely(atlas):
    m = PainMap(atlas)
    lab = m.raster.labels
    for view, stems in NEW_STEMS.items():
        for stem in stems:
            for side in SIDES:
                rid = f"{side}_{stem}"
                assert (lab[view] == atlas.index(rid)).sum() >= 20, f"{rid} is too small to paint"
                m.paint_region(rid, 1.0, "numbness")
                assert rid in m.painted_regions()


# ---------------------------------------------------------------- maps saved on atlas 2

#: the atlas 2 arm (a mitten hand), as it was in regions/atlas.yaml
ATLAS2_ARM = dict(
    axis=[[0.80, 1.62], [0.93, 1.95], [1.01, 2.45], [1.09, 2.95], [1.18, 3.45], [1.30, 3.98], [1.36, 4.25], [1.42, 4.55]],
    half_width=[0.19, 0.21, 0.18, 0.16, 0.165, 0.11, 0.175, 0.13], tip=[1.46, 4.74])


def _atlas2_hand_mask(atlas, raster, view, side):
    """Pixels of the atlas 2 mitten (beyond the wrist) for `side` in `view`."""
    curve = g.catmull_rom_closed(g.limb_outline(np.array(ATLAS2_ARM["axis"]), np.array(ATLAS2_ARM["half_width"]),
                                                ATLAS2_ARM["tip"]))
    arm = shapely.Polygon(curve)
    hand = shapely.intersection(arm, shapely.box(-5, 3.99, 5, 9))  # below the wrist station
    if viewer_sign(view, side) < 0:
        hand = g.mirror_x(hand)
    return raster.mask(hand)


@pytest.mark.parametrize("view", VIEWS)
def test_an_atlas_2_map_painted_on_the_whole_hand_keeps_its_paint_on_the_fingers(atlas, tmp_path, view):
    m = PainMap(atlas)
    r = m.raster
    layers = {v: np.zeros((len(SENSATIONS), *r.shape), dtype=bool) for v in VIEWS}
    old = {}
    for side, sens in (("right", "burning"), ("left", "numbness")):
        old[side] = _atlas2_hand_mask(atlas, r, view, side)
        layers[view][SENSATIONS.index(sens)] |= old[side]
    off_body = {side: old[side] & ~r.body[view] for side in SIDES}
    assert all(off.sum() > 20 for off in off_body.values())  # the mitten had paint where the finger gaps are now
    # and a sensation painted only where the gaps between the fingers are now (a dab between two fingers)
    layers[view][SENSATIONS.index("sharp")] |= off_body["right"]
    # write the old layers through the codec's own encoder, then say they came from atlas 2
    m._layers[view][:] = layers[view]  # the mitten's paint, including where the body now has gaps
    doc = json.loads(ff.dumps(m))
    doc["atlas"]["version"] = 2
    doc["atlas"]["content_hash"] = "0123456789abcdef" * 4
    path = tmp_path / "atlas2.bodymap"
    path.write_text(json.dumps(doc))
    back = ff.load(path, atlas=atlas)
    got = back.layers(view)
    for side, sens in (("right", "burning"), ("left", "numbness")):
        k = SENSATIONS.index(sens)
        on_body = old[side] & r.body[view]
        assert got[k][on_body].all()  # paint on the body is kept pixel for pixel
        # every pixel that fell between the fingers went to a body pixel close by, with its sensation
        ys, xs = np.nonzero(off_body[side])
        py, px = np.nonzero(got[k])
        for y, x in zip(ys, xs):
            assert ((py - y) ** 2 + (px - x) ** 2).min() <= 16 ** 2
        assert got[k].sum() >= on_body.sum()
        # so the whole hand is still painted: every digit and the palm side
        painted = back.painted_regions()
        for d in DIGITS:
            assert f"{side}_{d}_{SUFFIX[view]}" in painted
        assert f"{side}_{'palm' if view == 'front' else 'back_of_hand'}" in painted
    sharp = got[SENSATIONS.index("sharp")]
    assert sharp.any() and not (sharp & ~r.body[view]).any()
    py, px = np.nonzero(sharp)
    for y, x in zip(*np.nonzero(off_body["right"])):
        assert ((py - y) ** 2 + (px - x) ** 2).min() <= 16 ** 2
    assert any("atlas 3" in n for n in back.meta["notes"])


def test_a_choir_hand_or_forearm_segment_paints_every_finer_region_under_it(atlas):
    """Item 4: CHOIR's coarse segments fill the atlas 3 regions that lie under them, on the patient's side."""
    from bodymap.exports.choir import check_against_atlas, choir_table

    table = choir_table()
    assert check_against_atlas(table, atlas) == []
    palm_r = set(table.regions(125))  # Hand (palm-right)
    assert {f"right_{d}_palmar" for d in DIGITS} | {"right_palm", "right_thenar", "right_hypothenar"} <= palm_r
    top_l = set(table.regions(227))  # Hand (top-left)
    assert {f"left_{d}_dorsal" for d in DIGITS} | {"left_back_of_hand", "left_first_web_space"} <= top_l
    assert set(table.regions(118)) == {"left_forearm_radial_front", "left_forearm_ulnar_front"}
    assert set(table.regions(220)) == {"right_forearm_radial_back", "right_forearm_ulnar_back"}
    assert {"right_scapular", "right_interscapular"} <= set(table.regions(209))
    for code in (125, 227, 118, 220, 209):  # and nothing on the other side
        side = table.codes[code].side
        assert all(atlas.region(r).side == side for r in table.regions(code))
