"""Self-check of the simulated cohort (small run)."""
import collections, json, sys
import numpy as np
sys.path.insert(0, __import__("os").path.dirname(__file__))
from generate import generate, load_cohort, validate, CohortError

regions = json.load(open("/work/indep/atlas_regions.json"))["regions"]
R = {r["id"]: r for r in regions}
N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
ds = generate(N, 7, regions)
assert generate(50, 3, regions) == generate(50, 3, regions), "not reproducible"

truth = collections.Counter(d["truth"] for d in ds)
print(f"n={N}  out_of_library share={np.mean([d['out_of_library'] for d in ds]):.3f}")
print("truths:", ", ".join(f"{k}:{v}" for k, v in truth.most_common()))
print("sides:", dict(collections.Counter(d["side"] for d in ds)))
nreg = np.array([len(d["coverage"]) for d in ds])
area = np.array([sum(R[k]["area"] * f for k, f in d["coverage"].items()) for d in ds])
print(f"regions painted: median {np.median(nreg):.0f}, p10 {np.percentile(nreg,10):.0f}, p90 {np.percentile(nreg,90):.0f}, max {nreg.max()}")
print(f"painted area (atlas units): median {np.median(area):.2f}, p10 {np.percentile(area,10):.2f}, p90 {np.percentile(area,90):.2f}")
print("no sensations:", np.mean([not d["sensations"] for d in ds]).round(3),
      " age missing:", np.mean(["age" not in d["answers"] for d in ds]).round(3))

# side convention: a unilateral drawing paints (almost) only its own side
def side_share(d):
    own = sum(f for k, f in d["coverage"].items() if R[k]["side"] == d["side"])
    other = sum(f for k, f in d["coverage"].items() if R[k]["side"] not in (d["side"], "midline"))
    return own, other
for t in ("root_L5", "root_S1", "root_C6", "carpal_tunnel"):
    for s in ("left", "right"):
        sel = [d for d in ds if d["truth"] == t and d["side"] == s]
        if not sel: continue
        own = np.mean([side_share(d)[0] / (sum(side_share(d)) + 1e-9) for d in sel])
        # atlas x sign: front view patient's left = x>0, back view patient's left = x<0
        xs_ok = []
        for d in sel:
            for k, f in d["coverage"].items():
                if f < 0.2 or R[k]["side"] == "midline": continue
                x = R[k]["point"][0]; front = R[k]["view"] == "front"
                left_on_screen = (x > 0) if front else (x < 0)
                xs_ok.append(left_on_screen == (R[k]["side"] == "left"))
        print(f"{t} {s}: n={len(sel)} painted share on own side {own:.2f}; x-sign convention ok {np.mean(xs_ok):.3f}")
# L5 left: which regions
sel = [d for d in ds if d["truth"] == "root_L5" and d["side"] == "left"]
c = collections.Counter(k for d in sel for k, f in d["coverage"].items() if f >= 0.2)
print("left L5 regions (>=20% painted, share of drawings):", ", ".join(f"{k}:{v/len(sel):.2f}" for k, v in c.most_common(12)))
for t in ("hip_joint", "carpal_tunnel", "ool_fibromyalgia_widespread", "abdominal_aortic_aneurysm"):
    sel = [d for d in ds if d["truth"] == t]
    c = collections.Counter(k.replace("right_", "R_").replace("left_", "L_") for d in sel for k, f in d["coverage"].items() if f >= 0.2)
    print(f"{t} (n={len(sel)}):", ", ".join(f"{k}:{v/len(sel):.2f}" for k, v in c.most_common(8)))
# sensations by profile group
cfg = load_cohort()
for grp in ("radicular", "joint", "entrapment"):
    sel = [d for d in ds if cfg["conditions"][d["truth"]]["profile"] == grp]
    ne = np.mean([any(s in d["sensations"] for s in ("pins_and_needles", "numbness", "burning")) for d in sel])
    nb = np.mean([d["answers"].get("numbness") is True for d in sel])
    print(f"{grp}: nerve sensation ticked {ne:.2f}, numbness answered yes {nb:.2f}")
# validation must fail clearly
bad = load_cohort(); bad["conditions"]["root_L5"]["territory"][0]["r"] = ["no_such_region"]
try:
    validate(bad, regions); print("VALIDATION DID NOT FAIL")
except CohortError as e:
    print("bad region ->", str(e)[:160])
bad = load_cohort(); bad["drawing"]["stray_mark_prob"] = [0.1, "nowhere", "R"]
try:
    validate(bad, regions); print("VALIDATION DID NOT FAIL")
except CohortError as e:
    print("bad source ->", str(e)[:160])
