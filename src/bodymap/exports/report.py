"""`bodymap report FILE -o report.pdf`: a one-page summary of a pain map for the chart.

Top to bottom: title and session, red flags (in red, always shown, or a line saying
there are none and which red-flag questions were not answered), prompts, the front
and back drawing beside the extent, sensations, regions, intensity and answers, the
three most consistent referral patterns with their evidence, and a footer with the
disclaimer, the atlas id/version/hash and the app version.

The body of the page is laid out in a reportlab KeepInFrame that shrinks to fit, so
the report is always exactly one page and nothing (above all no red flag) is cut.
reportlab is imported lazily, inside the functions.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .. import __version__, vocabulary
from ..atomicio import write_atomic_via
from ..bands import band_text, hypothesis_band
from ..bidi import visual
from ..localprior import ranking_note
from ..paths import check_output_file
from ..painting import SENSATION_WORDS, SENSATIONS, UNSURE, PainMap
from ..times import local_time

DISCLAIMER_HEAD = "Decision aid, not a diagnosis."
# From the one vocabulary (regions/questions.yaml): {answer key: short words for lists}
RED_FLAG_QUESTIONS = {k: vocabulary.words(k, "short") for k in vocabulary.red_flag_keys()}
ANSWER_WORDS = {k: vocabulary.words(k, "short") for k in vocabulary.keys()}
from ..triage import SIDE_WORDS, hypothesis_name, no_pattern_text  # noqa: E402,F401 (one wording of a hypothesis, issue 18)
RED = "#B3261E"
RED_BG = "#FCEEEE"
MUTED = "#5F5A57"


UNICODE_FONT = "BodymapSans"  # assets/fonts/DejaVuSans.ttf, the windows' typeface, for what Helvetica lacks
_UNICODE_GLYPHS: list = []  # [the set of characters it has], once registered (empty: not registered yet)


def _unicode_glyphs() -> frozenset:
    """Register DejaVu Sans with reportlab once; the characters it can draw (empty if it cannot be read)."""
    if not _UNICODE_GLYPHS:
        try:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            from ..paths import assets_dir

            f = TTFont(UNICODE_FONT, str(assets_dir() / "fonts" / "DejaVuSans.ttf"))
            pdfmetrics.registerFont(f)
            _UNICODE_GLYPHS.append(frozenset(chr(c) for c in f.face.charToGlyph))
        except Exception:  # noqa: BLE001 - a broken install still prints the report, with "?" as before
            _UNICODE_GLYPHS.append(frozenset())
    return _UNICODE_GLYPHS[0]


def _cp1252(ch: str) -> bool:
    try:
        ch.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def _t(s: Any) -> str:
    """Text for a reportlab Paragraph: markup escaped; what the standard fonts lack (Łódź, Ωμέγα, Кирилл) in
    DejaVu Sans, and a character no font here has as its code point ([U+75DB]), never a bare "?": a patient
    identifier "Łódź" was printed "?ód?" on the chart report."""
    s = str(s)
    s = s.replace("\u2192", "->").replace("\u2265", ">=").replace("\u2264", "<=").replace("\u2212", "-")
    s = "\n".join(visual(line) for line in s.split("\n"))  # Hebrew and Arabic in reading order, joined (ADR 0043)
    if all(_cp1252(ch) for ch in s):
        return escape(s)
    glyphs = _unicode_glyphs()
    out, run = [], []

    def flush() -> None:
        if run:
            out.append(f'<font name="{UNICODE_FONT}">{escape("".join(run))}</font>')
            run.clear()

    for ch in s:
        if _cp1252(ch):
            flush()
            out.append(escape(ch))
        elif ch in glyphs:
            run.append(ch)
        else:
            flush()
            out.append(f"[U+{ord(ch):04X}]")
            UNDRAWN.add(ch)
    flush()
    return "".join(out)


def footer_disclaimer() -> str:
    """'<b>Decision aid, not a diagnosis.</b> Painted areas overlap ...': the matcher's disclaimer under its
    bold head, said once (the visit reports printed "Decision aid, not a diagnosis." twice)."""
    from ..matcher import DISCLAIMER

    lead = DISCLAIMER_HEAD.rstrip(".")
    rest = DISCLAIMER[len(lead):].lstrip(":. ") if DISCLAIMER.startswith(lead) else DISCLAIMER
    rest = rest[:1].upper() + rest[1:]
    return f"<b>{_t(DISCLAIMER_HEAD)}</b> {_t(rest)}"


UNDRAWN: set[str] = set()  # the characters printed as [U+XXXX] since the last undrawn_note()


def undrawn_note() -> str:
    """For the footer of a page that printed a letter as its code point: what [U+75DB] means, so nobody reads
    it as part of the identifier (ADR 0043); '' when every letter was drawn. Starts the count again."""
    if not UNDRAWN:
        return ""
    UNDRAWN.clear()
    return ("; [U+XXXX] stands for a letter no typeface in bodymap can draw (Chinese, Japanese or Korean script, "
            "for example): the map file keeps it as typed.")


def _when(s: str | None) -> str:
    """Local time with its zone, as everywhere (bodymap.times)."""
    return local_time(s)


def load_for_report(path: str | os.PathLike) -> tuple[PainMap, dict[str, Any]]:
    """The pain map and the file's own header fields (app version, atlas block)."""
    from ..atlas import load_atlas
    from ..fileformat import read_bytes, read_document, to_pain_map

    p = Path(path)
    atlas = load_atlas()
    doc = read_document(read_bytes(p), atlas, str(p))
    m = to_pain_map(doc, atlas)
    head = {"app_version": doc.meta.get("app_version"), "atlas": doc.atlas, "file": p.name}
    return m, head


def report_mode(*maps: PainMap) -> int:
    """0600 for a report that holds a patient identifier or a note, else as the umask allows (like the exports)."""
    from ..atomicio import umask_mode

    return 0o600 if any(m.visit.patient_id or m.visit.note for m in maps) else umask_mode()


def write_report(m: PainMap, output: str | os.PathLike, head: dict[str, Any] | None = None) -> Path:
    """Render the one-page PDF to `output` (atomically)."""
    from ..triage import assess

    out = check_output_file(output, ".pdf")
    head = head or {}
    ranking = assess(m, top_n=3)  # flags and prompts even when the matcher fails (issue 18)
    with tempfile.TemporaryDirectory(prefix="bodymap-report-") as tmp:
        png = Path(tmp) / "map.png"
        from ..render import picture as headless

        headless.save_png(headless.render_map_png(m, height=1000), png)
        write_atomic_via(output, lambda tmp_pdf: _build(tmp_pdf, m, ranking, png, head), report_mode(m))
    return out


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()["Normal"]
    s = {
        "body": ParagraphStyle("body", parent=base, fontName="Helvetica", fontSize=9, leading=11.5),
        "small": ParagraphStyle("small", parent=base, fontName="Helvetica", fontSize=8, leading=10,
                                textColor=colors.HexColor(MUTED)),
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=19),
        "h2": ParagraphStyle("h2", parent=base, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=6,
                             spaceAfter=2),
        "flag": ParagraphStyle("flag", parent=base, fontName="Helvetica-Bold", fontSize=10, leading=13,
                               textColor=colors.HexColor(RED)),
        "hyp": ParagraphStyle("hyp", parent=base, fontName="Helvetica-Bold", fontSize=9.5, leading=12, spaceBefore=3),
        "ev": ParagraphStyle("ev", parent=base, fontName="Helvetica", fontSize=8.5, leading=10.5, leftIndent=12,
                             bulletIndent=3),
        "right": ParagraphStyle("right", parent=base, fontName="Helvetica", fontSize=9, leading=11.5, alignment=2),
        "session": ParagraphStyle("session", parent=base, fontName="Helvetica-Bold", fontSize=13, leading=16,
                                  alignment=2),
    }
    return s


def _build(path: str, m: PainMap, ranking, png: Path, head: dict[str, Any]) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (BaseDocTemplate, Frame, Image, KeepInFrame, PageTemplate, Paragraph, Spacer,
                                    Table, TableStyle)

    st = _styles()
    UNDRAWN.clear()
    page_w, page_h = A4
    margin = 14 * mm
    footer_h = 22 * mm
    frame_w = page_w - 2 * margin
    frame_h = page_h - 2 * margin - footer_h
    story: list = []

    # -- title and session ------------------------------------------------
    session = m.meta.get("session_code") or "-"
    left = [Paragraph("Pain map summary", st["title"]),
            Paragraph(f"{_t(DISCLAIMER_HEAD)} For the clinician, with the patient's own drawing.", st["small"])]
    v = m.visit
    if v.patient_id:
        right = [Paragraph(f"Patient {_t(v.patient_id)}", st["session"])]
        if session != "-":
            right.append(Paragraph(f"Session {_t(session)}", st["right"]))
    else:
        right = [Paragraph(f"Session {_t(session)}" if session != "-" else "No session code", st["session"])]
    if v.visit_date:
        right.append(Paragraph(f"Visit {_t(v.visit_date)}", st["right"]))
    if v.recorded_by:
        right.append(Paragraph(f"Recorded by {_t(v.recorded_by)}", st["right"]))
    right += [Paragraph(f"Painted {_t(_when(m.meta.get('created')))}", st["right"]),
              Paragraph(f"Saved {_t(_when(m.meta.get('modified')))}", st["right"])]
    t = Table([[left, right]], colWidths=[frame_w * 0.55, frame_w * 0.45])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story.append(t)
    fixed: list = story  # the title and the red flags: laid out at full size, never shrunk (issue 22)
    story = []

    # -- red flags first, in red, never omitted ------------------------------
    if ranking.red_flags:
        rows = []
        for f in ranking.red_flags:
            rows.append([Paragraph(f"RED FLAG: {_t(f.text)}", st["flag"])])
        box = Table(rows, colWidths=[frame_w])
        box.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor(RED)),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(RED_BG)),
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        fixed.append(box)
    not_asked = getattr(ranking, "not_asked_line", None)  # ADR 0042: right under the red flags
    if not_asked and ranking.red_flags:
        fixed.append(Paragraph(f"<b>{_t(not_asked)}</b>", st["body"]))  # with them, never shrunk
    if not ranking.red_flags:
        from ..triage import recorded_at_kiosk

        open_keys = vocabulary.unanswered_red_flag_keys(m.answers)
        # a kiosk map: what it did not ask is the line below (what can still change a flag), not listed twice
        missing = [] if recorded_at_kiosk(m) else [RED_FLAG_QUESTIONS[q] for q in open_keys if q not in m.answers]
        unsure = [RED_FLAG_QUESTIONS[q] for q in open_keys if m.answers.get(q) == UNSURE]
        line = "No red flags from the answers given."
        if missing:
            line += f" Not answered: {', '.join(missing)}."
        if unsure:
            line += f" Not sure: {', '.join(unsure)}."
        story.append(Paragraph(_t(line), st["body"]))
        if not_asked:
            story.append(Paragraph(f"<b>{_t(not_asked)}</b>", st["body"]))
    for p in ranking.prompts:
        story.append(Paragraph(f"<b>Prompt:</b> {_t(p)}", st["body"]))
    note_at = len(story) if v.note else None  # the clinician's note goes here, cut to fit (below)
    story.append(Spacer(1, 4))

    # -- drawing and facts ---------------------------------------------------
    from reportlab.lib.utils import ImageReader

    iw, ih = ImageReader(str(png)).getSize()
    img_w = frame_w * 0.62
    img_h = img_w * ih / iw
    img = Image(str(png), width=img_w, height=img_h)
    story_facts = _facts(m, st)
    t = Table([[img, story_facts]], colWidths=[img_w + 4, frame_w - img_w - 4])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(t)

    # -- matches ---------------------------------------------------------------
    story.append(Paragraph("Most consistent referral patterns", st["h2"]))
    if getattr(ranking, "caveat", None) and ranking.hypotheses:
        story.append(Paragraph(_t(ranking.caveat), st["body"]))
    if getattr(ranking, "ranking_error", None):
        story.append(Paragraph(_t(f"No ranking: {ranking.ranking_error}. The red flags above still stand."),
                               st["body"]))
    elif not ranking.hypotheses:
        story.append(Paragraph(_t(f"No pattern to show: {no_pattern_text(not m.is_empty)}."), st["body"]))
    if (prior_note := ranking_note(ranking)):  # opt-in clinic prior (issue 25): what shaped the percentages
        story.append(Paragraph(_t(prior_note), st["body"]))
    for k, h in enumerate(ranking.hypotheses[:3], start=1):
        story.append(Paragraph(f"{k}. {_t(hypothesis_name(h))}: {100 * h.probability:.0f}% "
                               f"({_t(band_text(hypothesis_band(h)))})", st["hyp"]))
        for e in _evidence_both_ways(h.evidence, 2):  # for and against, as on screen (issue 21)
            word = "for" if e.direction == "for" else "against"
            story.append(Paragraph(f"{word}: {_t(e.text)} <font color='{MUTED}'>({_t(e.source)})</font>", st["ev"],
                                   bulletText="+" if e.direction == "for" else "-"))
    notes = m.meta.get("notes") or []
    for n in notes:
        story.append(Paragraph(f"Note: {_t(n)}", st["small"]))

    # The note is cut to the room left, with "continued" and its length, so that nothing needs shrinking;
    # only what is left (the drawing, the matches) may still shrink, never the flags above.
    avail = frame_h - _height(fixed, frame_w, frame_h) % frame_h
    if avail < 0.25 * frame_h:
        avail = frame_h  # too little room left on this page: the rest starts on the next
    if note_at is not None:
        # at least NOTE_MIN_LINES of the note are always shown: on a full page the drawing and the matches
        # shrink a little to make room for them (the flags above never do)
        room = max(avail - _height(story, frame_w, frame_h) - 2, NOTE_MIN_LINES * st["body"].leading)
        story.insert(note_at, _note_paragraph(v.note, st["body"], frame_w, room))
    body = [*fixed, KeepInFrame(frame_w, avail, story, mode="shrink")]
    atlas = m.atlas
    saved_by = head.get("app_version")
    file_atlas = head.get("atlas") or {}
    fname = head.get("file")

    def footer(canvas, doc):
        canvas.saveState()
        y = margin + footer_h - 6
        canvas.setStrokeColor(colors.HexColor(MUTED))
        canvas.setLineWidth(0.5)
        canvas.line(margin, y, page_w - margin, y)
        p = Paragraph(footer_disclaimer(), st["small"])
        _, ph = p.wrap(frame_w, footer_h)
        p.drawOn(canvas, margin, y - 4 - ph)
        info = (f"Atlas {atlas.id} version {atlas.version} (hash {atlas.content_hash[:8]}); "
                f"report by bodymap {__version__}")
        if saved_by:
            info += f"; map saved by bodymap {saved_by}"
        if file_atlas.get("content_hash") and file_atlas.get("content_hash") != atlas.content_hash:
            info += f"; drawn on atlas hash {str(file_atlas.get('content_hash'))[:8]}"
        if fname:
            info += f"; file {fname}"
        q = Paragraph(_t(info) + escape(undrawn_note()), st["small"])
        _, qh = q.wrap(frame_w, footer_h)
        q.drawOn(canvas, margin, margin)
        canvas.restoreState()

    doc = BaseDocTemplate(path, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                          bottomMargin=margin + footer_h, title="Pain map summary",
                          author=f"bodymap {__version__}", subject="Decision aid, not a diagnosis")
    frame = Frame(margin, margin + footer_h, frame_w, frame_h, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    doc.build(body)


def _height(flowables: list, width: float, height: float) -> float:
    """The height a list of flowables takes in a frame `width` wide (their spacing included)."""
    total = 0.0
    for f in flowables:
        _, h = f.wrap(width, height)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


NOTE_HEAD = "<b>Clinical note:</b> "
NOTE_MIN_LINES = 8


def _note_paragraph(note: str, style, width: float, room: float):
    """The clinician's note as written (line breaks kept), cut to fit `room` points: the cut ends with
    "(continued: N of M characters not shown; ...)", so the page never shrinks the red flags to fit a note."""
    from reportlab.platypus import Paragraph

    def para(k: int):
        text = "<br/>".join(_t(line) for line in note[:k].splitlines())
        if k < len(note):
            text += (f" … <i>(continued: {len(note) - k} of {len(note)} characters not shown; the whole note "
                     "is in the map file)</i>")
        return Paragraph(NOTE_HEAD + text, style)

    def fits(k: int) -> bool:
        return para(k).wrap(width, 10 ** 6)[1] <= room

    if fits(len(note)):
        return para(len(note))
    lo, hi = 0, len(note)  # lo fits (or is 0), hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    cut = note.rfind("\n", 0, lo)  # end at a line break where one is near
    return para(cut if cut > lo * 0.8 else lo)


def _facts(m: PainMap, st) -> list:
    from reportlab.platypus import Paragraph, Spacer

    s = m.summary()
    ext = m.extent_percent()
    out = [Paragraph("<b>Extent</b>", st["body"]),
           Paragraph(_t(f"{ext['total']:.1f}% of body area (front {ext['front']:.1f}%, back {ext['back']:.1f}%)"),
                     st["body"]), Spacer(1, 3)]
    present = [x for x in SENSATIONS if ext["by_sensation"][x] > 0]
    out.append(Paragraph("<b>Sensations</b>", st["body"]))
    if present:
        for x in present:
            inten = f", intensity {m.intensity[x]}/10" if x in m.intensity else ""
            out.append(Paragraph(_t(f"{SENSATION_WORDS[x]}: {ext['by_sensation'][x]:.1f}% of body{inten}"),
                                 st["body"]))
    else:
        out.append(Paragraph("none painted", st["body"]))
    out.append(Spacer(1, 3))
    out.append(Paragraph("<b>Intensity</b>", st["body"]))
    if "overall" in m.intensity:
        out.append(Paragraph(_t(f"overall {m.intensity['overall']}/10"), st["body"]))
    else:
        out.append(Paragraph("overall: not given", st["body"]))
    out.append(Spacer(1, 3))
    cov = s["region_coverage"]
    names = [f"{m.atlas.region(r).name} ({100 * cov[r]:.0f}%)" for r in s["regions"] if cov[r] >= 0.02]
    out.append(Paragraph("<b>Regions painted</b> (share of each region)", st["body"]))
    shown = names[:10]
    more = f"; and {len(names) - 10} more" if len(names) > 10 else ""
    out.append(Paragraph(_t("; ".join(shown) + more) if shown else "none", st["body"]))
    reach = s["most_distal"] or "-"
    out.append(Paragraph(_t(f"Reaches down to: {reach}. Both sides painted: {'yes' if s['both_sides'] else 'no'}."),
                         st["body"]))
    out += _research_facts(m, st)  # issue 25: standard indices, confirmed diagnosis
    out.append(Spacer(1, 3))
    out.append(Paragraph("<b>Answers</b>", st["body"]))
    yes = [ANSWER_WORDS.get(k, k) for k, v in m.answers.items() if v is True]
    no = [ANSWER_WORDS.get(k, k) for k, v in m.answers.items() if v is False]
    unsure = [ANSWER_WORDS.get(k, k) for k, v in m.answers.items() if v == UNSURE]
    if "age" in m.answers:
        out.append(Paragraph(_t(f"age {m.answers['age']}"), st["body"]))
    # "; " between answers: a label can hold a comma ("calf pain on walking, easing at rest" read as two)
    out.append(Paragraph(_t("yes: " + ("; ".join(yes) or "-")), st["body"]))
    out.append(Paragraph(_t("no: " + ("; ".join(no) or "-")), st["body"]))
    if unsure:
        out.append(Paragraph(_t("not sure: " + "; ".join(unsure)), st["body"]))
    legacy = vocabulary.legacy_keys()  # read from older files, never asked: never "not answered"
    unasked = [ANSWER_WORDS[k] for k in ANSWER_WORDS
               if k not in m.answers and k not in legacy and vocabulary.applies(k, m.answers)]
    if unasked:  # at most 8 named (issue 18 added questions): the rest counted, so the page keeps the note
        more = f"; and {len(unasked) - 8} more" if len(unasked) > 8 else ""
        out.append(Paragraph(_t("not answered: " + "; ".join(unasked[:8]) + more), st["small"]))
    return out


def _evidence_both_ways(evidence, each: int = 3) -> list:
    """Up to `each` items for and `each` against, for first: the page never drops the evidence against."""
    pro = [e for e in evidence if e.direction == "for"][:each]
    con = [e for e in evidence if e.direction != "for"][:each]
    return pro + con


def _research_facts(m: PainMap, st) -> list:
    """The standard indices (bodymap.indices) and, for the chart, the confirmed diagnosis where recorded."""
    from reportlab.platypus import Paragraph, Spacer

    from ..indices import indices_for_map

    out = [Spacer(1, 3), Paragraph("<b>Standard indices</b>", st["body"]),
           Paragraph(_t(indices_for_map(m).line()), st["body"])]
    c = getattr(m, "confirmed", None)
    if c:
        when = f", {c['date']}" if c.get("date") else ""
        out.append(Paragraph(_t(f"Confirmed diagnosis: {c['diagnosis']} (by {c['how']}{when})"), st["body"]))
    return out
