"""Right-to-left text (Hebrew, Arabic, Persian) in the order it is drawn (ADR 0043).

pygame and reportlab draw a string's characters from left to right in the order they are stored.
A patient identifier or note in Hebrew or Arabic is stored first letter first (logical order), so
"מטופל 12" came out mirrored ("לפוטמ"), and the PDF's Arabic letters stood apart, unjoined, mirrored too.

`visual(line)` returns the line in display order, for drawing left to right:

- Arabic letters are first given their joined shapes (initial, medial, final, isolated: the Arabic
  Presentation Forms, which DejaVu Sans draws), from the logical order;
- then the Unicode Bidirectional Algorithm (UAX #9) for one line without explicit embeddings
  (textsafe refuses those in every stored field): weak types W1-W7, neutrals N1-N2, levels I1-I2,
  reversal L2 and mirrored brackets L4. The line's direction is that of its first strong letter, so
  "Patient מטופל 12" stays a left-to-right line with the Hebrew word, and its number, read right to left.

Lines without a right-to-left letter are returned unchanged (the common case costs one regex search).
Lam-alef ligatures are not formed (lam and alef are drawn joined but as two letters).
Headless core: imports no pygame.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic Extended; the presentation forms
_RTL_HINT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|[\U00010800-\U00010fff\U0001e800-\U0001efff]")
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<", "«": "»", "»": "«",
           "‹": "›", "›": "‹"}
_NEUTRAL = {"B", "S", "WS", "ON", "BN"}


def has_rtl(text: str) -> bool:
    return bool(_RTL_HINT.search(text))


def visual(line: str) -> str:
    """`line` (one line, logical order) in left-to-right display order; unchanged without right-to-left text."""
    if not line or not has_rtl(line):
        return line
    return _visual(line)


@lru_cache(maxsize=4096)
def _visual(line: str) -> str:
    text = shape_arabic(line)
    levels = _levels(text)
    chars = [(_MIRROR.get(c, c) if lv % 2 else c) for c, lv in zip(text, levels)]  # L4
    order = list(range(len(chars)))
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):  # L2: reverse every run at this level or above
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return "".join(chars[k] for k in order)


def _levels(text: str) -> list[int]:
    types = [unicodedata.bidirectional(c) or "ON" for c in text]
    types = [t if t in ("L", "R", "AL", "EN", "ES", "ET", "AN", "CS", "NSM", "B", "S", "WS", "ON", "BN") else "ON"
             for t in types]  # embeddings and isolates cannot be stored (textsafe); treat any left as neutral
    first = next((t for t in types if t in ("L", "R", "AL")), "L")
    base = 0 if first == "L" else 1
    sos = "L" if base == 0 else "R"
    n = len(types)
    prev = sos
    for i in range(n):  # W1: a mark takes the type of what it marks
        if types[i] == "NSM":
            types[i] = prev
        prev = types[i]
    strong = sos
    for i in range(n):  # W2: European digits after Arabic letters are Arabic numbers; W3: AL is R
        t = types[i]
        if t == "EN" and strong == "AL":
            types[i] = "AN"
        if t in ("L", "R", "AL"):
            strong = t
    types = ["R" if t == "AL" else t for t in types]
    for i in range(1, n - 1):  # W4: one separator between two numbers of a kind joins them
        if types[i] == "ES" and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    for i in range(n):  # W5: currency and percent signs beside European digits go with them
        if types[i] == "EN":
            for step in (-1, 1):
                j = i + step
                while 0 <= j < n and types[j] == "ET":
                    types[j] = "EN"
                    j += step
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]  # W6
    strong = sos
    for i in range(n):  # W7: European digits in a left-to-right context are left to right
        if types[i] in ("L", "R"):
            strong = types[i]
        elif types[i] == "EN" and strong == "L":
            types[i] = "L"
    _brackets(text, types, base, sos)  # N0
    i = 0
    while i < n:  # N1, N2: neutrals between two of one direction take it, else the line's
        if types[i] in _NEUTRAL:
            j = i
            while j < n and types[j] in _NEUTRAL:
                j += 1
            before = _direction(types[i - 1]) if i > 0 else sos
            after = _direction(types[j]) if j < n else sos
            d = before if before == after else ("L" if base == 0 else "R")
            for k in range(i, j):
                types[k] = d
            i = j
        else:
            i += 1
    levels = []
    for t in types:  # I1, I2
        if base == 0:
            levels.append(1 if t == "R" else 2 if t in ("AN", "EN") else 0)
        else:
            levels.append(2 if t in ("L", "AN", "EN") else 1)
    return levels


_OPEN = {"(": ")", "[": "]", "{": "}"}


def _brackets(text: str, types: list[str], base: int, sos: str) -> None:
    """N0: a pair of brackets takes the line's direction if it holds a letter of that direction, else the
    other direction if it holds one and the text before it is of that direction too ("Dr (שרה) כהן")."""
    e = "L" if base == 0 else "R"
    stack: list[tuple[str, int]] = []
    pairs = []
    for i, c in enumerate(text):
        if types[i] != "ON":
            continue
        if c in _OPEN:
            stack.append((_OPEN[c], i))
        elif stack and c == stack[-1][0]:
            pairs.append((stack.pop()[1], i))
    for a, b in sorted(pairs):
        inside = {_direction(t) for t in types[a + 1:b] if t in ("L", "R", "EN", "AN")}
        if not inside:
            continue
        if e in inside:
            d = e
        else:
            before = next((_direction(t) for t in reversed(types[:a]) if t in ("L", "R", "EN", "AN")), sos)
            d = before if before != e else e
        types[a] = types[b] = d


def _direction(t: str) -> str:
    return "L" if t == "L" else "R"


# -- Arabic joining --------------------------------------------------------------------------------------------
_FORM = re.compile(r"ARABIC LETTER (.+) (ISOLATED|FINAL|INITIAL|MEDIAL) FORM")


@lru_cache(maxsize=1)
def _forms() -> dict[str, dict[str, str]]:
    """letter -> {form: presentation character}, from the Unicode names of the presentation-form blocks."""
    out: dict[str, dict[str, str]] = {}
    for cp in list(range(0xFE70, 0xFEFD)) + list(range(0xFB50, 0xFDFF)):
        m = _FORM.fullmatch(unicodedata.name(chr(cp), ""))
        if not m:
            continue
        try:
            base = unicodedata.lookup("ARABIC LETTER " + m.group(1))
        except KeyError:
            continue
        out.setdefault(base, {}).setdefault(m.group(2).lower(), chr(cp))
    return out


def _transparent(c: str) -> bool:
    return unicodedata.category(c) in ("Mn", "Me", "Cf")


def shape_arabic(text: str) -> str:
    """Each Arabic letter in its joined form (still in logical order); other characters unchanged."""
    forms = _forms()
    if not any(c in forms for c in text):
        return text
    tatweel = "\u0640"

    def joins_forward(c: str | None) -> bool:  # a dual-joining letter joins the one after it
        return c == tatweel or (c in forms and "initial" in forms[c])

    def joins_back(c: str | None) -> bool:  # any joining letter joins the one before it
        return c == tatweel or (c in forms and "final" in forms[c])

    letters = [i for i, c in enumerate(text) if not _transparent(c)]
    out = list(text)
    for k, i in enumerate(letters):
        c = text[i]
        if c not in forms:
            continue
        before = text[letters[k - 1]] if k > 0 else None  # marks between letters do not break the joining
        after = text[letters[k + 1]] if k + 1 < len(letters) else None
        back = joins_forward(before) and joins_back(c)
        fwd = joins_forward(c) and joins_back(after)
        f = forms[c]
        want = "medial" if back and fwd else "final" if back else "initial" if fwd else "isolated"
        out[i] = f.get(want) or f.get("isolated") or c
    return "".join(out)

