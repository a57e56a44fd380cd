"""A comparison of two visits and a patient's timeline, each on one PDF page (issue 21).

The review window prints what it shows: in a comparison, both visits, their red flags first and what
changed (new, resolved and persistent regions, extent, pain) with each visit's top pattern and the
evidence for and against; in the timeline, one row per visit in visit order. Times are local with their
zone (bodymap.times). The one-map report is bodymap.exports.report.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from .. import __version__
from ..atomicio import write_atomic_via
from ..bands import band_text, hypothesis_band
from ..painting import PainMap
from ..paths import check_output_file
from ..triage import hypothesis_name, no_pattern_text, signed_points
from .report import DISCLAIMER_HEAD, MUTED, RED, RED_BG, _evidence_both_ways, _styles, _t, _when, report_mode
from .report import UNDRAWN, footer_disclaimer, undrawn_note


def _visit_words(m: PainMap, name: str | None = None) -> str:
    v = m.visit
    when = f"visit {v.visit_date}" if v.visit_date else "no visit date"
    return f"{when}, painted {_when(m.meta.get('created'))}" + (f" ({name})" if name else "")


def _flag_box(flags_by_visit: list[tuple[str, list]], st, frame_w):
    """Red flags of every visit, in red, first on the page; None when there are none."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [[Paragraph(f"RED FLAG ({_t(label)}): {_t(f.text)}", st["flag"])] for label, flags in flags_by_visit
            for f in flags]
    if not rows:
        return None
    box = Table(rows, colWidths=[frame_w])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(RED)),
                             ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(RED_BG)),
                             ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 3),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return box


def _one_page(path: str, story: list, title: str, fixed: int = 0) -> None:
    """The story on one page where it fits. Its first `fixed` flowables (the title, the patient and the red
    flags) are laid out at full size, on as many pages as they need; only the rest shrinks to the room left.
    The whole page shrank: two visits with many red flags printed them 0.6 pt high (ADR 0043)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, KeepInFrame, PageTemplate, Paragraph

    from .report import _height

    st = _styles()
    page_w, page_h = A4
    margin, footer_h = 14 * mm, 16 * mm
    frame_w, frame_h = page_w - 2 * margin, page_h - 2 * margin - footer_h
    head, rest = story[:fixed], story[fixed:]
    avail = frame_h - _height(head, frame_w, frame_h) % frame_h
    if avail < 0.25 * frame_h:
        avail = frame_h  # too little room left under the flags: the rest starts on the next page
    body = [*head, KeepInFrame(frame_w, avail, rest, mode="shrink")]
    undrawn = escape(undrawn_note())  # the story's text is built: what a [U+XXXX] in it means (ADR 0043)

    def footer(canvas, doc):
        p = Paragraph(f"{footer_disclaimer()} Report by bodymap {__version__}; times are "
                      f"local with their zone.{undrawn}", st["small"])
        _, ph = p.wrap(frame_w, footer_h)
        p.drawOn(canvas, margin, margin)

    doc = BaseDocTemplate(path, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                          bottomMargin=margin + footer_h, title=title, author=f"bodymap {__version__}",
                          subject="Decision aid, not a diagnosis")
    frame = Frame(margin, margin + footer_h, frame_w, frame_h, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    doc.build(body)


def write_comparison_report(before: PainMap, after: PainMap, output: str | os.PathLike,
                            names: tuple[str | None, str | None] = (None, None)) -> Path:
    """One page comparing two visits: both drawings, what changed (new, resolved and persistent regions,
    extent, pain), both visits' red flags first and their top patterns with evidence for and against."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

    from ..matcher import match
    from ..render import picture as headless
    from ..timeline import region_change

    out = check_output_file(output, ".pdf")
    st = _styles()
    frame_w = A4[0] - 28 * mm
    rb, ra = match(before, top_n=2), match(after, top_n=2)
    ch = region_change(before, after)
    pid = after.visit.patient_id or before.visit.patient_id
    with tempfile.TemporaryDirectory(prefix="bodymap-report-") as tmp:
        pngs = []
        for k, m in enumerate((before, after)):
            png = Path(tmp) / f"map{k}.png"
            headless.save_png(headless.render_map_png(m, height=700), png)
            pngs.append(png)

        def build(tmp_pdf: str) -> None:
            UNDRAWN.clear()
            story: list = [Paragraph("Pain map comparison", st["title"]),
                           Paragraph(_t(f"Patient {pid}" if pid else "No patient identifier"), st["session"])]
            box = _flag_box([("before", rb.red_flags), ("after", ra.red_flags)], st, frame_w)
            story.append(box if box is not None else Paragraph("No red flags at either visit from the answers "
                                                               "given.", st["body"]))
            story.append(Spacer(1, 4))
            cells = []
            for label, m, png, name in (("Before", before, pngs[0], names[0]), ("After", after, pngs[1], names[1])):
                from reportlab.lib.utils import ImageReader

                iw, ih = ImageReader(str(png)).getSize()
                w = frame_w / 2 - 6
                cells.append([Paragraph(f"<b>{label}</b>: {_t(_visit_words(m, name))}", st["body"]),
                              Image(str(png), width=w, height=w * ih / iw)])
            t = Table([cells], colWidths=[frame_w / 2, frame_w / 2])
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(t)
            story.append(Paragraph("What changed", st["h2"]))
            ext_b, ext_a = before.extent_percent()["total"], after.extent_percent()["total"]
            story.append(Paragraph(_t(f"Extent {ext_b:.1f}% -> {ext_a:.1f}% of body ({signed_points(ext_a - ext_b)} points)."),
                                   st["body"]))
            pb, pa = before.intensity.get("overall"), after.intensity.get("overall")
            story.append(Paragraph(_t(f"Pain now {pb if pb is not None else 'not given'} -> "
                                      f"{pa if pa is not None else 'not given'} (0-10)."), st["body"]))
            if not ch.comparable:
                story.append(Paragraph("The two maps were drawn on different atlases: regions are not compared.",
                                       st["body"]))
            else:
                for word, ids in (("New", ch.new), ("Resolved", ch.resolved), ("Persistent", ch.persistent)):
                    text = ", ".join(after.atlas.region(r).name for r in ids) or "none"
                    story.append(Paragraph(f"<b>{word}:</b> {_t(text)}", st["body"]))
                story.append(Paragraph(_t(f"Overlap (painted both times over painted either time): "
                                          f"{100 * ch.jaccard:.0f}%."), st["body"]))
            for label, r, drawn in (("Before", rb, before), ("After", ra, after)):
                story.append(Paragraph(f"Most consistent pattern, {label.lower()}", st["h2"]))
                if not r.hypotheses:
                    story.append(Paragraph(_t(f"None: {no_pattern_text(not drawn.is_empty)}."), st["body"]))
                    continue
                h = r.hypotheses[0]
                story.append(Paragraph(f"{_t(hypothesis_name(h))}: {100 * h.probability:.0f}% "
                                       f"({_t(band_text(hypothesis_band(h)))})", st["hyp"]))
                for e in _evidence_both_ways(h.evidence, 2):
                    word = "for" if e.direction == "for" else "against"
                    story.append(Paragraph(f"{word}: {_t(e.text)}", st["ev"],
                                           bulletText="+" if e.direction == "for" else "-"))
            _one_page(tmp_pdf, story, "Pain map comparison", fixed=3)  # title, patient, red flags

        write_atomic_via(output, build, report_mode(before, after))
    return out


def write_timeline_report(timeline, maps: dict[str, PainMap], output: str | os.PathLike) -> Path:
    """One page with a patient's visits in order (bodymap.timeline.Timeline): each visit's date, extent,
    pain and red flags, and what changed from the visit before. `maps`: the pain map of each visit key."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from ..matcher import match
    from ..timeline import DATED_BY_VISIT

    out = check_output_file(output, ".pdf")
    st = _styles()
    frame_w = A4[0] - 28 * mm
    ranks = {v.key: match(maps[v.key], top_n=1) for v in timeline.visits}
    labels = [(str(v.day) if v.day else "undated") for v in timeline.visits]

    def build(tmp_pdf: str) -> None:
        UNDRAWN.clear()
        story: list = [Paragraph("Pain map timeline", st["title"]),
                       Paragraph(_t(f"Patient {timeline.patient_id}: {len(timeline.visits)} visit"
                                    f"{'s' if len(timeline.visits) != 1 else ''}"), st["session"])]
        box = _flag_box([(labels[i], ranks[v.key].red_flags) for i, v in enumerate(timeline.visits)], st, frame_w)
        story.append(box if box is not None else Paragraph("No red flags at any visit from the answers given.",
                                                           st["body"]))
        story.append(Spacer(1, 6))
        rows = [[Paragraph(f"<b>{h}</b>", st["body"]) for h in ("Visit", "Painted", "Extent", "Pain",
                                                                "Top pattern", "Since the visit before")]]
        for i, v in enumerate(timeline.visits):
            m, r = maps[v.key], ranks[v.key]
            top = r.hypotheses[0] if r.hypotheses else None
            since = "-"
            if i > 0:
                ch = timeline.changes[i - 1]
                if ch.comparable:
                    since = (f"new: {', '.join(m.atlas.region(x).name for x in ch.new) or 'none'}; resolved: "
                             f"{', '.join(m.atlas.region(x).name for x in ch.resolved) or 'none'}; extent "
                             f"{signed_points(ch.extent_change)} points")
                else:
                    since = "drawn on another atlas: not compared"
            day = labels[i] + ("" if v.dated_by == DATED_BY_VISIT else " (saved)")
            rows.append([Paragraph(_t(day), st["body"]), Paragraph(_t(_when(m.meta.get("created"))), st["small"]),
                         Paragraph(_t(f"{v.extent:.1f}%"), st["body"]),
                         Paragraph(_t("-" if v.pain is None else f"{v.pain}/10"), st["body"]),
                         Paragraph(_t(f"{hypothesis_name(top)} ({100 * top.probability:.0f}%)" if top else "-"),
                                   st["small"]),
                         Paragraph(_t(since), st["small"])])
        t = Table(rows, colWidths=[frame_w * x for x in (0.12, 0.17, 0.08, 0.07, 0.24, 0.32)], repeatRows=1)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(MUTED)),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#CCCCCC"))]))
        story.append(t)
        _one_page(tmp_pdf, story, "Pain map timeline", fixed=3)  # title, patient, red flags

    write_atomic_via(output, build, report_mode(*maps.values()))
    return out
