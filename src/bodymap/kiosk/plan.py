"""Which screen the kiosk asks next, in the short flow of issue 14 (headless, no pygame).

After the painting the patient sees, in this order:

1. the pain now, 0-10 (`intensity`, one tap);
2. the age in bands of ten years (`age`, one tap; see `AGE_BANDS`);
3. the red-flag pages (`red_flags_<n>`): at most 4 questions a page, each
   yes / no / not sure, and one "None of these" that answers that page's
   questions no in one tap. Which questions (ADR 0042, config
   `red_flag_questions`): by context, every patient the first page
   (`everyone_keys`), then what `context_keys` finds worth asking from the
   age, the drawing and the answers so far (`next_page`); or all of them;
4. a follow-up of a red-flag answer, only when it applies (e.g. "smoker or
   heart trouble?" after a yes to tummy pain);
5. the feature questions whose answer could change what the clinician reads
   at the top of the ranking, most valuable first, chosen by
   `bodymap.questioning.next_question` (expected information gain from the
   matcher, threshold `questioning.MIN_GAIN_BITS`); questions the painting
   already answers are skipped (painted numbness or pins and needles answer
   "numbness or tingling?");

then the review. A screen already shown in this session is not planned again.
See docs/kiosk.md "Which questions are asked" and docs/adr/0010-kiosk-fewer-actions.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .. import questioning, vocabulary
from ..matcher import ANSWER_FEATURES
from ..unsure import UNSURE

RED_FLAG_SCREEN = ("red_flags", "redflags")  # (key, kind) of the older single red-flag screen (and the pages' prefix)
FLAG1 = "flag1"  # kind of a red-flag question on its own screen (the drawing asked for it): yes / no / not sure
RECHECK = "recheck"  # kind of a question asked again in plain words (the drawing contradicts its "no")
PAGE_MAX = 4  # at most this many red-flag questions on one screen (issue 20)
LISTEN_MAX_S = 20.0  # "Listen" reads a red-flag page, each question with its answers, in under this
PAGE_SPOKEN = ("redflags_title",)  # what "Listen" says on a page before the questions ...
ROW_SPOKEN = "redflags_row_answers"  # "Yes, no, or not sure?" (before ADR 0027 said after each question) ...
PAGE_END_SPOKEN = (ROW_SPOKEN,)  # ... said once, after the questions (ADR 0027: more questions fit LISTEN_MAX_S)
SCALE = ("intensity", "scale")
AGE = ("age", "decade")
NONE_OF_THESE = "none"  # the red-flag screen's one-tap answer: every question no


@dataclass(frozen=True)
class AgeBand:
    id: str  # the catalogue key of its button is f"age_{id}"
    low: int
    high: int  # inclusive; the open top band says its lowest age
    stored: int  # the age written into the map's answers

    @property
    def range_text(self) -> str:
        return f"{self.low}-{self.high}" if self.high < 120 else f"{self.low}+"


# The stored age is the OLDEST age in the band (the open top band: its lowest,
# 80). So a red-flag rule "age over N" fires for every band holding any age
# over N: the 50s count as over 50, the 60s as over 65. That errs towards
# raising a flag (a 50-year-old with new pain counts as the risk factor "new pain over 50" for a clinician
# to ask) and never hides one. The matcher's "60 or over" falls on a band edge,
# so it is exact. The band itself is saved beside the age (`AGE_RANGE_KEY`).
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under_30", 0, 29, 29),
    AgeBand("30s", 30, 39, 39),
    AgeBand("40s", 40, 49, 49),
    AgeBand("50s", 50, 59, 59),
    AgeBand("60s", 60, 69, 69),
    AgeBand("70s", 70, 79, 79),
    AgeBand("80_plus", 80, 120, 80),
)
AGE_RANGE_KEY = "age_range"  # saved with the map's answers (read back as an extra answer): e.g. "50-59"


def age_band(band_id: str) -> AgeBand:
    for b in AGE_BANDS:
        if b.id == band_id:
            return b
    raise ValueError(f"unknown age band {band_id!r}; known: {', '.join(b.id for b in AGE_BANDS)}")


def band_of_age(age: int) -> AgeBand:
    for b in AGE_BANDS:
        if b.low <= age <= b.high:
            return b
    raise ValueError(f"age {age} is outside every band")


def _urgency_of_key(key: str) -> int:
    """Rank of the most urgent trigger that reads this key (cauda equina questions first)."""
    ranks = [vocabulary.urgency_rank(t.urgency or (r.combine.urgency if r.combine else "same_day"))
             for r in vocabulary.flag_rules() for t in r.triggers if key in t.answer_keys]
    return min(ranks, default=len(vocabulary.URGENCIES))


_MEMO: dict = {}  # results that depend only on the vocabulary (and the recordings), per loaded vocabulary


def _memo(name: str, make, *args):
    key = (name, id(vocabulary.load()), args)
    hit = _MEMO.get(key)
    if hit is None:
        if len(_MEMO) > 256:
            _MEMO.clear()
        hit = _MEMO[key] = make(*args)
    return hit


def red_flag_screen_keys() -> tuple[str, ...]:
    """The yes/no red-flag questions on the one screen: most urgent rules first, then vocabulary order.

    Follow-ups (`ask_if`) are not on it: they are asked after it, only when they apply.
    """
    return _memo("screen_keys", _red_flag_screen_keys)


def _red_flag_screen_keys() -> tuple[str, ...]:
    keys = [q.key for q in vocabulary.questions()
            if "red_flag" in q.uses and q.kind == "yesno" and not q.ask_if and q.kiosk]  # kiosk: false: the desk
    return tuple(sorted(keys, key=_urgency_of_key))  # sorted() is stable: vocabulary order within a rank


def red_flag_follow_ups() -> tuple[str, ...]:
    return _memo("follow_ups", lambda: tuple(q.key for q in vocabulary.questions()
                                             if "red_flag" in q.uses and q.kind == "yesno" and q.ask_if))


def drawing_features(drawing=None) -> dict[str, bool]:
    """What the drawing tells the red-flag rules (`bodymap.redflags.open_questions`); {} when not known."""
    both = getattr(drawing, "both_legs_painted", None)
    return {} if both is None else {"both_legs_painted": bool(both)}


def due_follow_ups(answers: dict[str, Any], drawing=None) -> tuple[str, ...]:
    """The red-flag follow-ups to ask now: their stems answered, and still able to change the triage
    (`bodymap.redflags.open_questions`, computed from the rules): asked right after the page that opened them."""
    from .. import redflags

    follow = set(red_flag_follow_ups())
    return tuple(k for k in redflags.open_questions(answers, drawing_features(drawing))
                 if k in follow and all(s in answers for s in vocabulary.question(k).ask_if))


def page_key(n: int) -> str:
    """The screen key of red-flag page n (1-based): "red_flags_1", ..."""
    return f"{RED_FLAG_SCREEN[0]}_{n}"


def is_page(key: str) -> bool:
    return key.startswith(RED_FLAG_SCREEN[0] + "_") and key[len(RED_FLAG_SCREEN[0]) + 1:].isdigit()


def page_spoken(keys) -> list[str]:
    """What "Listen" says on a red-flag page of these questions: the title, each question, then the answers
    once (ADR 0027)."""
    return list(PAGE_SPOKEN) + [f"tick_{key}" for key in keys] + list(PAGE_END_SPOKEN)


def page_listen_s(keys, langs: tuple[str, ...] | None = None) -> float:
    """Estimated seconds "Listen" takes on a page of these questions, in the slowest language."""
    from . import voice

    spoken = page_spoken(keys)
    return max(voice.listen_seconds(lang, spoken) for lang in (langs or vocabulary.languages()))


def red_flag_pages(skip=()) -> tuple[tuple[str, ...], ...]:
    """The red-flag questions not in `skip`, in screen order, packed into pages: at most PAGE_MAX a
    page, and "Listen" under LISTEN_MAX_S a page (the cauda equina questions come first)."""
    return _memo("pages", _red_flag_pages, tuple(sorted(set(skip))))


def pages_for(keys) -> tuple[tuple[str, ...], ...]:
    """These red-flag questions packed into pages as `red_flag_pages` packs them (most urgent first)."""
    skip = tuple(sorted(set(red_flag_screen_keys()) - set(keys)))
    return red_flag_pages(skip)


SEARCH_STEPS = 200_000  # bound on the exact page packing's search for one page count (`_pack`)


def _pack(keys: list[str], open_page: list[str] | None) -> list[list[str]]:
    """`keys` into as few new pages as possible (and into `open_page`, the page before, where they fit):
    at most PAGE_MAX a page and "Listen" under LISTEN_MAX_S in every language. An exact search (a tier holds
    some 20 questions); past SEARCH_STEPS tries for one page count it takes the first packing found with
    one page more (first fit, longest first, is always found at once)."""
    from . import voice

    langs = vocabulary.languages()
    fixed = {lang: voice.listen_seconds(lang, list(PAGE_SPOKEN) + list(PAGE_END_SPOKEN)) for lang in langs}
    cost = {k: {lang: voice.text_seconds(lang, f"tick_{k}") for lang in langs} for k in keys}
    alone = [k for k in keys if any(fixed[lang] + cost[k][lang] >= LISTEN_MAX_S for lang in langs)]
    if alone:  # too long to read in time even alone: a page of its own (a test fails on such words)
        rest = [k for k in keys if k not in alone]
        return ([list(open_page)] if open_page else []) + [[k] for k in alone] + (_pack(rest, None) if rest else [])
    items = sorted(keys, key=lambda k: -max(cost[k].values()))

    def load(page):
        return {lang: fixed[lang] + sum(voice.text_seconds(lang, f"tick_{k}") for k in page) for lang in langs}

    for extra in range(len(items) + 1):
        bins = ([list(open_page)] if open_page else []) + [[] for _ in range(extra)]
        loads = [load(b) for b in bins]
        steps = [0]

        def place(i: int) -> bool:
            if i == len(items):
                return all(b for b in bins)
            steps[0] += 1
            if steps[0] > SEARCH_STEPS:
                return False
            k = items[i]
            tried_empty = False
            for b, ld in zip(bins, loads):
                if not b:
                    if tried_empty:
                        continue  # empty pages are alike
                    tried_empty = True
                if len(b) < PAGE_MAX and all(ld[lang] + cost[k][lang] < LISTEN_MAX_S for lang in langs):
                    b.append(k)
                    for lang in langs:
                        ld[lang] += cost[k][lang]
                    if place(i + 1):
                        return True
                    b.pop()
                    for lang in langs:
                        ld[lang] -= cost[k][lang]
            return False

        if place(0):
            return bins
    raise AssertionError("unreachable: one question a page always fits")


def _red_flag_pages(skip: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The most urgent rules' questions (emergency) in screen order, one page after another; then each less
    urgent group packed into the fewest pages (filling the last page so far where it fits), so that fewer
    pages hold them (ADR 0027). A question never comes before a more urgent one's page; on each page the
    questions keep screen order. A question too long to read alone in time gets a page of its own
    (tests/ui/kiosk/test_kiosk_safe.py fails on it)."""
    keys = [k for k in red_flag_screen_keys() if k not in set(skip)]
    order = {k: i for i, k in enumerate(keys)}
    pages: list[list[str]] = []
    for rank in sorted({_urgency_of_key(k) for k in keys}):
        tier = [k for k in keys if _urgency_of_key(k) == rank]
        if rank == 0:  # the emergency questions (cauda equina first) in their own order
            for k in tier:
                if pages and len(pages[-1]) < PAGE_MAX and page_listen_s(pages[-1] + [k]) < LISTEN_MAX_S:
                    pages[-1].append(k)
                else:
                    pages.append([k])
            continue
        packed = _pack(tier, pages[-1] if pages else None)
        pages = pages[:-1] + packed if pages else packed
    return tuple(tuple(sorted(p, key=order.__getitem__)) for p in pages)


# --- Which red-flag questions the kiosk asks (ADR 0042) -----------------------------------------------------
BY_CONTEXT, ASK_ALL = vocabulary.KIOSK_QUESTION_MODES  # the kiosk config's red_flag_questions


def everyone_keys() -> tuple[str, ...]:
    """The red-flag questions asked of every patient, on the first page: those whose yes alone raises an
    emergency whatever the drawing or the age (found from the rules), and those whose `kiosk_when` says
    `everyone: true` (a history of cancer). In screen order."""
    def make():
        yes_no = set(vocabulary.yes_no_keys())
        alone = {k for r in vocabulary.flag_rules() for t in r.triggers
                 if t.raises and t.urgency == vocabulary.URGENCIES[0] and not t.any and len(t.when) == 1
                 for k, w in t.when.items() if w is True and k in yes_no}
        return tuple(k for k in red_flag_screen_keys()
                     if k in alone or any(alt.get("everyone") for alt in vocabulary.question(k).kiosk_when))

    return _memo("everyone", make)


def _context_holds(key: str, want: Any, answers: dict[str, Any], drawing) -> bool:
    """One `kiosk_when` condition; what the kiosk does not know (no age given, no drawing) may hold."""
    if key == "everyone":
        return True
    if key == "age":
        v = answers.get("age")
        if isinstance(v, bool) or not isinstance(v, int):
            return True
        return v > want["over"] if "over" in want else v < want["under"]
    if key == "painted":
        areas = getattr(drawing, "areas", None)
        return areas is None or bool(set(want) & set(areas))
    if key in vocabulary.FEATURES:
        feats = drawing_features(drawing)
        return key not in feats or feats[key] is want
    return answers.get(key) in (True, UNSURE)


def kiosk_when_holds(key: str, answers: dict[str, Any], drawing=None) -> bool:
    """Question `key`'s `kiosk_when` holds in this context (some alternative's conditions all hold)."""
    return any(all(_context_holds(k, w, answers, drawing) for k, w in alt.items())
               for alt in vocabulary.question(key).kiosk_when)


def emergency_in_context(key: str, answers: dict[str, Any], drawing=None) -> bool:
    """A yes to `key` could raise an emergency with what the kiosk knows: the drawing, the age and the answers
    so far (`bodymap.redflags.could_raise_emergency`, from the rules: a rule change keeps it asked)."""
    from .. import redflags

    return redflags.could_raise_emergency(key, answers, drawing_features(drawing))


def follows_a_yes(key: str, answers: dict[str, Any], drawing=None) -> bool:
    """A yes to `key` would raise a flag (or a more urgent one) together with an earlier yes or "not sure"
    (e.g. injecting drugs after new pain; a small fall after steroids): `bodymap.redflags.raises_with_a_yes`."""
    from .. import redflags

    return redflags.raises_with_a_yes(key, answers, drawing_features(drawing))


def context_keys(answers: dict[str, Any], drawing=None, mode: str = BY_CONTEXT) -> tuple[str, ...]:
    """The red-flag page questions the kiosk asks in this context (answered ones included), in screen order:
    every question (`mode` "all"); else `everyone_keys`, those that could raise an emergency in context,
    those that follow an earlier yes, and those whose `kiosk_when` holds while their answer can still change
    a flag. Follow-ups with `ask_if` are asked on their own screens when they apply (`due_follow_ups`)."""
    from .. import redflags

    keys = red_flag_screen_keys()
    if mode == ASK_ALL:
        return keys
    first = set(everyone_keys())
    feats = drawing_features(drawing)
    return tuple(k for k in keys if k in first or emergency_in_context(k, answers, drawing)
                 or follows_a_yes(k, answers, drawing)
                 or (kiosk_when_holds(k, answers, drawing) and redflags.can_change_triage(k, answers, feats)))


def next_page(answers: dict[str, Any], visited: Iterable[str], drawing=None, mode: str = BY_CONTEXT,
              shown=()) -> tuple[str, tuple[str, ...], int] | None:
    """(screen key, its questions, pages in all as planned now) of the next red-flag page, or None.

    "all": the fixed pages of every question (ADR 0027). "by_context": the first page holds `everyone_keys`;
    each later page is packed from what `context_keys` asks and is not answered yet, planned after the page
    before it is answered (a yes can bring a question: a history of cancer, the cord compression ones)."""
    seen = list(visited)
    if RED_FLAG_SCREEN[0] in seen:  # an older session's one screen counts as every page
        return None
    singles = set(singles_asked(seen))
    if mode == ASK_ALL:
        pages = red_flag_pages(tuple(singles))
        for n, keys in enumerate(pages, start=1):
            if page_key(n) not in seen:
                return page_key(n), keys, len(pages)
        return None
    done = len({v for v in seen if is_page(v)})
    singles |= set(shown)  # on a page already shown (a page skipped is not asked again)
    first = [k for k in everyone_keys() if k not in answers and k not in singles]
    # the pages after the first as planned if its questions are answered no (the count the patient reads,
    # "part 1 of N"; a yes plans more, after it is given)
    likely = {**answers, **{k: False for k in first}}
    rest = [k for k in context_keys(likely, drawing) if k not in likely and k not in singles]
    pages = (pages_for(first) if first else ()) + (pages_for(rest) if rest else ())
    if not pages:
        return None
    return page_key(done + 1), pages[0], done + len(pages)


def red_flag_answers(value: Any, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The answers a red-flag screen value gives: NONE_OF_THESE (all no) or {key: True | False | "unsure"}.

    `keys`: the questions on that screen (default: every red-flag question).
    A key the screen shows that the value leaves out is answered no: on this screen
    an unticked box means no (the patient saw it and did not tick it).
    """
    keys = red_flag_screen_keys() if keys is None else tuple(keys)
    if value == NONE_OF_THESE:
        return {k: False for k in keys}
    if not isinstance(value, dict):
        raise ValueError(f"a red-flag screen answer is {NONE_OF_THESE!r} or a mapping, got {value!r}")
    out = {}
    for k in keys:
        v = value.get(k, False)
        if v not in (True, False, UNSURE):
            raise ValueError(f"red-flag answer {k!r} must be yes, no or {UNSURE!r}, got {v!r}")
        out[k] = v
    unknown = set(value) - set(keys)
    if unknown:
        raise ValueError(f"not on the red-flag screen: {', '.join(sorted(unknown))}")
    return out


def key_answered_in(key: str, visited: list[str]) -> bool:
    """`key` was on a screen already shown: its own, or a red-flag page that held it."""
    if key in visited:
        return True
    pages = red_flag_pages(singles_asked(visited))
    return any(is_page(v) and int(v.rsplit("_", 1)[1]) <= len(pages) and key in pages[int(v.rsplit("_", 1)[1]) - 1]
               for v in visited) or RED_FLAG_SCREEN[0] in visited


# The kiosk words the `numbness` question as "numbness or tingling": painted
# numbness answers it (bodymap.questioning), and so does painted pins and needles.
TINGLING_ANSWERS = {"numbness": ("numbness", "pins_and_needles")}


def answered_by_painting(features) -> set[str]:
    from ..painting import SENSATIONS

    painted = {s for s, on in zip(SENSATIONS, features.sensations) if on}
    return questioning.answered_by_painting(features) | {
        k for k, sens in TINGLING_ANSWERS.items() if painted & set(sens)}


def singles_asked(visited: Iterable[str]) -> tuple[str, ...]:
    """The red-flag questions this session asked on their own screens (the drawing asked for them)."""
    from .drawing import cauda_keys

    seen = set(visited)
    return tuple(k for k in cauda_keys() if k in seen)


def next_screen(answers: dict[str, Any], visited: Iterable[str], *, ask_age: bool = True,
                features=None, model=None, drawing=None, mode: str = BY_CONTEXT,
                pages: dict | None = None) -> tuple[str, str] | None:
    """The next (key, kind) to ask, or None for the review.

    `visited`: keys of the screens already shown this session (never planned again).
    `features` / `model`: the matcher's view of the map so far (features_of, get_model),
    for choosing the feature questions; without them no feature question is asked.
    `drawing`: `bodymap.kiosk.drawing.DrawingView` of the painting: the cauda equina questions
    one per screen first when it asks for them; a "no" it contradicts asked again at once.
    `mode`: the kiosk config's red_flag_questions ("by_context" or "all", `next_page`). `pages`: a dict that
    gets {page screen key: (its questions, pages in all)} for a red-flag page planned (the page's questions
    depend on the answers before it, so the caller keeps them).
    """
    from .drawing import cauda_keys, recheck_key

    seen = list(visited)
    seen_set = set(seen)
    if drawing is not None:
        for key in sorted(drawing.contradicted):
            if answers.get(key) is False and recheck_key(key) not in seen_set:  # answered: it was shown
                return (recheck_key(key), RECHECK)
    for key in due_follow_ups(answers, drawing):  # e.g. "is the weakness new?" straight after a yes to weakness
        if key not in seen_set:
            return (key, "yesno")
    if drawing is not None:
        if drawing.cauda_prompted:
            for key in cauda_keys():
                if key not in seen_set and key not in answers:
                    return (key, FLAG1)
    for screen in (SCALE, AGE if ask_age else None):
        if screen is not None and screen[0] not in seen_set:
            return screen
    shown = {k for v in seen if pages is not None and v in pages for k in pages[v][0]}
    page = next_page(answers, seen, drawing, mode, shown)
    if page is not None:
        if pages is not None:
            pages[page[0]] = (page[1], page[2])
        return (page[0], RED_FLAG_SCREEN[1])
    if features is None or model is None:
        return None
    keys = [k for k in ANSWER_FEATURES if k not in seen and k not in answered_by_painting(features)]
    key = questioning.next_question(model, features, keys)
    return (key, "yesno") if key is not None else None
