"""Which CHOIR drawing numbered each row's codes 112-117 (issue 21; docs/adr/0028-records-choir-numbering-per-row.md).

CHOIR's female drawing numbers six front regions differently: `112,113` is both abdomens there but
the left biceps and the right elbow on the male drawing. The real CHOIRBM file mixes both (16% of
7,068 maps on the female numbering, some of them labelled male), so one numbering per file paints
some rows' abdominal pain on an elbow. `--choir-numbering auto` decides **per row**:

1. *the file says*: a `choir_female` (or `drawing`, `bodymap_legend`, ...) cell;
2. *nothing to decide*: the row has no three-digit code 112-117, so both readings paint the same;
3. *the codes say*: read one way, the row's codes 112-117 form anatomical structure (both sides of
   one pair, or two links among: a same-arm chain, the front and back of one arm segment, an abdomen
   beside its chest or pubic neighbour) and read the other way none, in a row of at most
   `CLEAR_MAX_CODES` codes. A long row (widespread pain) forms such structure by chance either way,
   so it never decides. On a simulated cohort of drawings made of one to three body parts (ADR 0028)
   about 1 row in 100 that this rule decides is read wrong, which is why a drawing column is better;
4. *undecided*: the rest. When every row decided by its codes (3) agrees (or none decides: the
   standard numbering), they follow the file, said so. When the decided rows disagree (a mixed file), an
   undecided row has nothing to follow: the import stops, with one line naming `--choir-undecided
   male|female|skip`, unless that flag says how to read them (skip: they are named and not written).

A sex or gender column is never used to decide: CHOIR's own data hold rows labelled male drawn on
the female numbering. The line says how often it disagrees with the rows the codes decided.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..errors import UsageError
from .choir import choir_table

NUMBERINGS = ("male", "female", "auto")
UNDECIDED_CHOICES = ("male", "female", "skip")
#: columns that say which drawing a row was drawn on (the first present is read)
DRAWING_COLUMNS = ("choir_female", "drawing", "choir_drawing", "bodymap_drawing", "bodymap_legend", "choir_legend")
SEX_COLUMNS = ("sex", "gender")
CLEAR_MAX_CODES = 8
AMBIGUOUS = frozenset(range(112, 118))
# Anatomical structure among standard codes (the male drawing's numbers, docs/choir-mapping.md):
_PAIRS = ((111, 112), (113, 114), (115, 118), (116, 117))  # right and left biceps, elbows, forearms, abdomens
_CHAINS = ((107, 111), (111, 113), (113, 115), (115, 119),  # right shoulder-biceps-elbow-forearm-wrist
           (110, 112), (112, 114), (114, 118), (118, 124))  # the same on the left
_FRONT_BACK = ((111, 214), (112, 211), (113, 216), (114, 215), (115, 220), (118, 217))  # one arm segment
_TRUNK = ((116, 108), (117, 109), (116, 121), (117, 122))  # an abdomen beside its chest or pubic region
STRUCTURE = _PAIRS + _CHAINS + _FRONT_BACK + _TRUNK
_SEX_WORDS = {"female": True, "f": True, "woman": True, "male": False, "m": False, "man": False}


def links(codes: set[int]) -> list[tuple[int, int]]:
    """The anatomical links (STRUCTURE) the standard codes form."""
    return [(a, b) for a, b in STRUCTURE if a in codes and b in codes]


def _clear(won: list[tuple[int, int]], lost: list[tuple[int, int]]) -> bool:
    """Clear: the reading forms both sides of one pair, or two links, and the other reading forms none."""
    return not lost and (len(won) >= 2 or any(e in _PAIRS for e in won))


def code_evidence(codes: Iterable[int]) -> str | None:
    """'female', 'male' or None: the numbering a row's three-digit codes (as written) clearly read as."""
    given = set(codes)
    if not given & AMBIGUOUS or len(given) > CLEAR_MAX_CODES:
        return None
    fem = choir_table().female_to_standard
    as_male, as_female = links(given), links({fem.get(c, c) for c in given})
    if _clear(as_female, as_male):
        return "female"
    if _clear(as_male, as_female):
        return "male"
    return None


def sex_of(text: str | None) -> bool | None:
    """True (female), False (male) or None, from a sex or gender cell."""
    return _SEX_WORDS.get((text or "").strip().lower())


@dataclass
class RowFacts:
    """What one row says about its numbering: its drawing cell, its three-digit codes, its sex cell."""

    where: str  # "row 12 ('p0012')"
    cell: bool | None  # the drawing cell: True female, False male, None empty
    codes: list[int]
    sex: bool | None = None


@dataclass
class Decision:
    female: list[bool | None]  # per row: True, False, or None (skip)
    message: str  # one line for stderr ("" when nothing is worth saying)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # problem lines for the skipped rows


def _rows_named(wheres: list[str], n: int = 3) -> str:
    named = ", ".join(w.split(" (")[0] for w in wheres[:n])
    return named + (", ..." if len(wheres) > n else "")


def decide(mode: str, rows: list[RowFacts], undecided: str | None = None,
           flag: str = "--choir-numbering") -> Decision:
    """Each row's numbering (see the module text). A mixed file with undecided rows and no `undecided`
    choice is a UsageError of one line naming `--choir-undecided`."""
    if mode not in NUMBERINGS:
        raise UsageError(f"{flag} must be male, female or auto, got {mode!r}")
    if undecided is not None and undecided not in UNDECIDED_CHOICES:
        raise UsageError(f"--choir-undecided must be male, female or skip, got {undecided!r}")
    if mode != "auto":
        return _as_asked(mode == "female", rows)
    why: list[str] = []
    for r in rows:
        if r.cell is not None:
            why.append("cell_f" if r.cell else "cell_m")
        elif not set(r.codes) & AMBIGUOUS:
            why.append("none")
        else:
            ev = code_evidence(r.codes)
            why.append({"female": "codes_f", "male": "codes_m", None: "undecided"}[ev])
    c = {k: why.count(k) for k in ("cell_f", "cell_m", "none", "codes_f", "codes_m", "undecided")}
    said_f, said_m = c["codes_f"], c["codes_m"]  # a drawing cell speaks for its own row, not for the file's
    open_rows = [r.where for r, w in zip(rows, why) if w == "undecided"]
    if undecided is not None:
        rest, rest_why = (None if undecided == "skip" else undecided == "female"), f"--choir-undecided {undecided}"
    elif said_f and said_m and open_rows:
        raise UsageError(
            f"CHOIR numbering is mixed ({said_f} row{'s' * (said_f != 1)} read as the female drawing, {said_m} as "
            f"the male one) and "
            f"{len(open_rows)} row{'s' * (len(open_rows) != 1)} with codes 112-117 cannot be told apart "
            f"({_rows_named(open_rows)}): give --choir-undecided male, female or skip for them, or a "
            f"choir_female column")
    else:
        rest = bool(said_f and not said_m)
        rest_why = "the file's numbering" if (said_f or said_m) else "the standard numbering: no row decides"
    female: list[bool | None] = []
    for r, w in zip(rows, why):
        female.append(r.cell if w.startswith("cell") else (w == "codes_f") if w.startswith("codes")
                      else rest if w == "undecided" else False)
    skipped = [f"{r.where}: its codes 112-117 do not tell CHOIR's two drawings apart; not imported "
               f"(--choir-undecided skip)" for r, f_ in zip(rows, female) if f_ is None]
    n_f = sum(1 for f_, w in zip(female, why) if f_ is True and w != "none")
    n_m = sum(1 for f_, w in zip(female, why) if f_ is False and w != "none")
    parts = [f"CHOIR numbering (auto, per row): {n_f} row{'s' * (n_f != 1)} read on the female drawing, {n_m} on "
             f"the male (standard) one"]
    reasons = [f"{c['cell_f'] + c['cell_m']} by the file's drawing column" if c["cell_f"] + c["cell_m"] else "",
               f"{c['codes_f']} female and {c['codes_m']} male by their codes 112-117"
               if c["codes_f"] + c["codes_m"] else "",
               f"{c['none']} without codes 112-117 (the same either way)" if c["none"] else "",
               (f"{len(open_rows)} undecided " + ("skipped" if rest is None else
                                                  f"read as {'female' if rest else 'male'}") + f" ({rest_why})")
               if open_rows else ""]
    parts.append("; ".join(x for x in reasons if x))
    parts.append(_sex_note(rows, why))
    return Decision(female, ": ".join(p for p in parts[:2] if p) + parts[2], c, skipped)


def _as_asked(female: bool, rows: list[RowFacts]) -> Decision:
    name = "female" if female else "male"
    other = "male" if female else "female"
    against = [r.where for r in rows if r.cell is None and code_evidence(r.codes) == other]
    out = [r.cell if r.cell is not None else female for r in rows]
    msg = ""
    if against:
        msg = (f"CHOIR numbering: {name} drawing as asked; note: the codes 112-117 of {len(against)} "
               f"row{'s' * (len(against) != 1)} ({_rows_named(against)}) read as the {other} drawing")
    return Decision(out, msg, {"asked": len(rows), "against": len(against)})


def _sex_note(rows: list[RowFacts], why: list[str]) -> str:
    """Why a sex or gender column decides nothing: how often it disagrees with the rows the codes decided."""
    judged = [(r.sex, w == "codes_f") for r, w in zip(rows, why) if w.startswith("codes") and r.sex is not None]
    if not judged:
        return ""
    off = sum(1 for sex, fem in judged if sex != fem)
    if not off:
        return f"; the sex/gender column agrees with the {len(judged)} rows their codes decided but decides nothing"
    return (f"; the sex/gender column decides nothing (it disagrees with {off} of the {len(judged)} rows "
            f"their codes decided)")


def drawing_cell(row: dict[str, str]) -> bool | None:
    """The row's drawing cell (choir_female after the importer's column names): True, False or None."""
    from .importer import CHOIR_FEMALE_WORDS

    text = (row.get("choir_female") or "").strip()
    if not text:
        return None
    if text.lower() not in CHOIR_FEMALE_WORDS:
        raise UsageError(f"the drawing column (choir_female) {text[:20]!r} must be yes or no (or female or male)")
    return CHOIR_FEMALE_WORDS[text.lower()]
