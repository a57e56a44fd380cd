"""The information panel's content, from the review session: red flags first (in the fixed part, never
scrolled), then the matches, answers and extent of the open map, the comparison of two, or the timeline.

`info_items(session, show_zone=..., similar=...)` gives the panel's (fixed, scrolled) items; the window's
panel (panels.InfoPanel) lays them out and draws them.
"""
from __future__ import annotations

from ...localprior import ranking_note
from ...triage import no_pattern_text, not_asked_at_kiosk, not_asked_line, recorded_at_kiosk, signed_points
from ...painting import PainMap
from ...render.body import DIFF_KINDS, DIFF_STYLE
from ...review.patient import day_text
from ...review.session import ReviewSession, hypothesis_key
from ...review.words import (QUESTION_WORDS, RED_FLAG_QUESTIONS, answer_lines, entry_when, extent_line,
                             intensity_line, regions_line, sensations_line)
from ...vocabulary import unanswered_red_flag_keys
from ..kit.desk_colours import AGAINST_TEXT, FOR_TEXT, MUTED, RED, TEXT
from .layout import DISCLAIMER
from .panels import Item, hypothesis_text

VISIT_LABELS = (("patient_id", "Patient ID"), ("visit_date", "Visit date"), ("recorded_by", "Recorded by"),
                ("note", "Note"))


def info_items(s: ReviewSession, *, show_zone: bool, similar: list[str]) -> tuple[list[Item], list[Item]]:
    """(fixed items, scrolled items) for what the session shows. `show_zone`: the zone is drawn on the body;
    `similar`: the lines of "Maps like this one", when asked for."""
    fixed: list[Item] = []
    items: list[Item] = []
    flags = s.red_flag_texts
    if flags:
        fixed.append(Item("red_heading", "RED FLAG" if len(flags) == 1 else f"RED FLAGS ({len(flags)})", RED))
        for t in flags:
            fixed.append(Item("red_flag", t, RED))
    if s.mode == "compare":
        _compare_items(s, fixed, items)
    elif s.mode == "timeline":
        _timeline_items(s, fixed, items)
    else:
        _single_items(s, fixed, items, show_zone, similar)
    return fixed, items


def _red_flag_gaps(m: PainMap) -> str | None:
    missing = [QUESTION_WORDS[q].lower() for q in RED_FLAG_QUESTIONS if q in unanswered_red_flag_keys(m.answers)]
    return ("Red-flag questions not answered: " + ", ".join(missing)) if missing else None

def _single_items(s: ReviewSession, fixed: list[Item], items: list[Item], show_zone: bool,
                  similar: list[str]) -> None:
    cur = s.current
    if cur is None:
        n = len(s.entries)
        items.append(Item("text", "Choose a map from the list." if n else "There are no maps to show."))
        return
    if not cur.ok:
        items.append(Item("red_flag", f"Cannot open {cur.entry.path.name}: {cur.error}", RED))
        return
    m = cur.pain_map
    if not cur.entry.flags:
        fixed.append(Item("note", "No red flags in the answers given.", FOR_TEXT))
    not_asked = getattr(cur.ranking, "not_asked_line", None) if cur.ranking is not None else None
    if not_asked is None and recorded_at_kiosk(m):  # no ranking (the matcher failed): from the answers
        not_asked = not_asked_line(not_asked_at_kiosk(m.answers, m.both_legs_painted))
    gaps = not_asked or _red_flag_gaps(m)  # a kiosk map: the questions left for the visit (ADR 0042)
    if gaps:
        fixed.append(Item("warn", gaps, AGAINST_TEXT))
    if cur.match_error:
        fixed.append(Item("warn", cur.match_error + "; red flags from the answers only.", RED))
    ranking = cur.ranking
    prompts = [str(p) for p in (getattr(ranking, "prompts", None) or [])] if ranking is not None else []
    if gaps and not not_asked:  # the open red-flag questions are already in the fixed warning above: not twice
        prompts = [p for p in prompts if not p.startswith("Red-flag questions not answered")]
    if prompts:
        items.append(Item("heading", "Ask about"))
        for p in prompts:
            items.append(Item("text", f"• {p}", indent=8))
    items.append(Item("heading", "Pain", space_before=bool(prompts)))
    items.append(Item("text", intensity_line(m)))
    items.append(Item("text", extent_line(m)))
    items.append(Item("text", sensations_line(m)))
    items.append(Item("muted", regions_line(m), MUTED))
    items.append(Item("heading", "Consistent with (tap for evidence and zone)", space_before=True))
    hyps = s.hypotheses
    caveat = getattr(ranking, "caveat", None)
    if caveat and hyps:  # a flag or a prompt is present: the percentages assume no serious cause (issue 18)
        items.append(Item("warn", str(caveat), RED if cur.entry.flags else AGAINST_TEXT))
    if ranking is None or getattr(ranking, "ranking_error", None):
        items.append(Item("note", cur.match_error or "matcher unavailable", MUTED))
    elif (prior_note := ranking_note(ranking)):  # opt-in clinic prior (issue 25): never unseen
        items.append(Item("warn", prior_note, AGAINST_TEXT))
    if not (ranking is None or getattr(ranking, "ranking_error", None)) and not hyps:
        items.append(Item("note", f"No referral pattern fits: {no_pattern_text(not m.is_empty)}.", MUTED))
    for i, h in enumerate(hyps):
        sel = hypothesis_key(h) == s.selected_hyp
        items.append(Item("hypothesis", hypothesis_text(h), TEXT, index=i,
                          probability=float(getattr(h, "probability", 0.0) or 0.0), selected=sel))
        if sel:
            for e in list(getattr(h, "evidence", None) or []):
                d = str(getattr(e, "direction", "for"))
                src = str(getattr(e, "source", "") or "")
                sign, col, kind = ("+", FOR_TEXT, "evidence_for") if d == "for" else \
                    ("−", AGAINST_TEXT, "evidence_against")
                items.append(Item(kind, f"{sign} {getattr(e, 'text', e)}" + (f" [{src}]" if src else ""), col,
                                  indent=14))
            if s.zone:
                items.append(Item("muted", "Zone on the body: where this pattern is felt (darker = more typical)"
                                  + ("" if show_zone else "; turn on 'Pattern zone' to see it") + ".",
                                  MUTED, indent=14))
    _visit_items(m, items)
    lines, missing = answer_lines(m)
    items.append(Item("heading", "Answers", space_before=True))
    for line in lines:
        items.append(Item("text", line))
    if not lines:
        items.append(Item("muted", "No questions answered.", MUTED))
    if missing:
        items.append(Item("muted", "Not answered: " + ", ".join(missing), MUTED))
    items.append(Item("muted", _indices_line(m), MUTED, space_before=True))  # issue 25: the standard indices
    like = similar  # issue 25: maps like this one (key L)
    if like:
        items.append(Item("heading", "Maps like this one", space_before=True))
        items += [Item("text", line) for line in like]
    for note in m.meta.get("notes") or []:
        items.append(Item("muted", f"Note: {note}", MUTED, space_before=True))
    disclaimer = getattr(s.matcher_obj, "DISCLAIMER", None) if s.matcher_obj is not None else None
    items.append(Item("muted", disclaimer if isinstance(disclaimer, str) else DISCLAIMER, MUTED,
                      space_before=True))

def _visit_items(m: PainMap, items: list[Item]) -> None:
    """The visit fields (ADR 0011): who, when, by whom, and the clinician's note. Review is a clinician
    tool and shows the patient identifier; the kiosk never does."""
    v = m.visit
    items.append(Item("heading", "Visit", space_before=True))
    given = [(label, getattr(v, key)) for key, label in VISIT_LABELS if getattr(v, key)]
    for label, value in given:
        items.append(Item("text", f"{label}: {value}"))
    if not given:
        items.append(Item("muted", "No patient identifier, visit date, recorder or note recorded.", MUTED))
    c = getattr(m, "confirmed", None)  # issue 25: the confirmed diagnosis (clinician tool; never the kiosk)
    if c:
        when = f", {c['date']}" if c.get("date") else ""
        items.append(Item("text", f"Confirmed diagnosis: {c['diagnosis']} (by {c['how']}{when})"))

def _compare_items(s: ReviewSession, fixed: list[Item], items: list[Item]) -> None:
    comp, b, a = s.comparison, s.before, s.after
    if comp is None or b is None or a is None:
        return
    if not (a.entry.flags or b.entry.flags):
        fixed.append(Item("note", "No red flags in either map's answers.", FOR_TEXT))
    items.append(Item("heading", "Comparison"))
    items.append(Item("text", f"Before (older): {b.entry.title}, {entry_when(b.entry, s.tz)}"))
    items.append(Item("text", f"After (newer): {a.entry.title}, {entry_when(a.entry, s.tz)}"))
    items.append(Item("big", f"Similarity (Jaccard): {comp.jaccard:.2f}", space_before=True))
    items.append(Item("muted", "Area painted both times over the area painted either time: 1 = the same "
                      "area, 0 = no overlap.", MUTED))
    items.append(Item("big", f"Extent change: {signed_points(comp.extent_change)} percentage points", space_before=True))
    items.append(Item("muted", f"{comp.extent_before:.1f}% of body before, {comp.extent_after:.1f}% after.",
                      MUTED))
    items.append(Item("heading", "Difference (the large picture)", space_before=True))
    for kind in DIFF_KINDS:
        st = DIFF_STYLE[kind]
        items.append(Item("legend", f"{st['label']}: {st['meaning']} ({s.area_percent(kind):.1f}% of body)",
                          swatch=kind))
    items.append(Item("heading", "Pain", space_before=True))
    items.append(Item("text", f"Before: {intensity_line(b.pain_map, short=True)}"))
    items.append(Item("text", f"After: {intensity_line(a.pain_map, short=True)}"))
    items.append(Item("heading", "Top match", space_before=True))
    for label, ld in (("Before", b), ("After", a)):
        hyps = list(getattr(ld.ranking, "hypotheses", None) or []) if ld.ranking is not None else []
        items.append(Item("text", f"{label}: " + (hypothesis_text(hyps[0]) if hyps else
                                                  (ld.match_error or "no pattern fits"))))
    pb, pa = b.pain_map.visit.patient_id, a.pain_map.visit.patient_id
    if pb and pa and pb == pa:
        items.append(Item("muted", f"Both maps carry patient identifier {pa}.", MUTED, space_before=True))
    elif pb and pa:
        items.append(Item("warn", f"Different patient identifiers: {pb} before, {pa} after. Check these are "
                          "the same patient's maps.", RED, space_before=True))
    else:
        items.append(Item("muted", "bodymap cannot check that both maps are the same patient's (a map carries "
                          "no patient identifier): check the session codes.", MUTED, space_before=True))


def _timeline_items(s: ReviewSession, fixed: list[Item], items: list[Item]) -> None:
    tl = s.timeline
    if tl is None:
        return
    n = len(tl.visits)
    if not any(s.visit_entry(i).flags for i in range(n)):
        fixed.append(Item("note", "No red flags at any of these visits.", FOR_TEXT))
    items.append(Item("heading", f"Timeline: patient {tl.patient_id}"))
    items.append(Item("text", f"{n} visit{'s' if n != 1 else ''} with this identifier in {s.source.name}, "
                      "in visit-date order (the saved date where no visit date was given)."))
    items.append(Item("muted", "Tap two visits to compare them." if n > 1 else
                      "Only one map carries this identifier: nothing to compare yet.", MUTED))
    for ch in reversed(tl.changes):  # the latest change first
        b, a = tl.visits[ch.before], tl.visits[ch.after]
        items.append(Item("heading", f"{day_text(b)} to {day_text(a)}", space_before=True))
        if not ch.comparable:
            items.append(Item("muted", "Drawn on different atlases: the regions cannot be compared.", MUTED))
            continue
        for kind in ("new", "resolved", "persistent"):
            rids = getattr(ch, kind)
            names = ", ".join(s.atlas.region(r).name for r in rids) if rids else "none"
            items.append(Item("legend", f"{DIFF_STYLE[kind]['label']}: {names}", swatch=kind))
        items.append(Item("muted", f"Similarity (Jaccard) {ch.jaccard:.2f}; extent {signed_points(ch.extent_change)} "
                          "percentage points.", MUTED))
    items.append(Item("muted", "A region counts as painted above the documented minimum (no stray dots or "
                      "eraser slivers). Maps are grouped by patient identifier as typed: check it matches.",
                      MUTED, space_before=True))


def _indices_line(m: PainMap) -> str:
    from ...indices import indices_for_map

    return "Indices: " + indices_for_map(m).line()
