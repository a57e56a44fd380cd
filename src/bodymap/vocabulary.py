"""The one home of bodymap's questions: keys, kinds, wording per audience and language, red-flag rules.

Everything is read from `regions/questions.yaml` (see the comments at its top).
The kiosk, the windows, the report, the FHIR export, the file format and the
red-flag rules all ask this module; none keeps its own list.

>>> "bladder_bowel" in red_flag_keys()
True
>>> words("numbness", "clinician", "en")
'Numbness'

Headless: imports no pygame and nothing else of bodymap but errors, paths and the safe YAML reader.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigError, UsageError
from .paths import regions_dir

KINDS = ("yesno", "number", "scale")
USES = ("match", "red_flag")
AUDIENCES = ("patient", "clinician", "short")
URGENCIES = ("emergency", "same_day")  # most urgent first; the public contract (issue 12): nothing else
FEATURES = ("both_legs_painted",)  # what painting.py works out from the drawing; rules may read it
LABELS = ("R", "S", "M")
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # yesno | number | scale
    uses: tuple[str, ...]
    words: dict[str, dict[str, str]]  # audience (and scale_low/scale_high) -> language -> text
    source: tuple[str, ...]
    ask_if: dict[str, bool] | None = None  # a follow-up: asked only when these earlier answers hold
    range: tuple[int, int] | None = None

    @property
    def is_answer(self) -> bool:
        """Stored in the map's answers (a scale question is stored as the intensity instead)."""
        return self.kind != "scale"


@dataclass(frozen=True)
class Trigger:
    when: dict[str, Any]
    reason: str
    urgency: str | None  # None for a risk factor or a sign: the rule's `combine` gives the urgency
    source: tuple[str, ...]
    joins: bool = False
    risk_factor: str | None = None  # its id: alone a prompt, not a flag; counts toward `combine`
    sign: bool = False  # a serious-pathology sign: counts toward `combine` beside a risk factor

    @property
    def raises(self) -> bool:
        """Raises the flag on its own (not a joiner, risk factor or sign)."""
        return not (self.joins or self.risk_factor or self.sign)

    @property
    def answer_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.when if k not in FEATURES)


@dataclass(frozen=True)
class Combine:
    """Risk factors raise their rule's flag only together: `needs` of them, or signs beside one."""
    needs: int
    urgency: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class FlagRule:
    id: str
    title: str
    triggers: tuple[Trigger, ...]
    unless: str | None = None
    combine: Combine | None = None


@dataclass(frozen=True)
class Vocabulary:
    languages: tuple[str, ...]
    questions: tuple[Question, ...]
    flags: tuple[FlagRule, ...]
    urgencies: dict[str, dict[str, str]]
    sources: dict[str, dict[str, str]]

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise UsageError(f"unknown question {key!r}; known: {', '.join(q.key for q in self.questions)}")


def questions_path() -> Path:
    return regions_dir() / "questions.yaml"


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Vocabulary:
    """Read and check questions.yaml; one clear ConfigError naming the problem if it is wrong."""
    from .yamlio import read_yaml

    p = Path(path) if path else questions_path()
    return _build(read_yaml(p, ConfigError, max_bytes=MAX_BYTES, what="the question vocabulary"), str(p))


def _build(doc: Any, where: str) -> Vocabulary:
    def bad(msg: str) -> ConfigError:
        return ConfigError(f"{where}: {msg}")

    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.questions/1":
        raise bad("schema must be 'bodymap.questions/1'")
    langs = doc.get("languages")
    if not isinstance(langs, list) or "en" not in langs or not all(isinstance(x, str) for x in langs):
        raise bad("'languages' must be a list of language codes including en")
    sources = doc.get("sources")
    if not isinstance(sources, dict):
        raise bad("'sources' must be a mapping")
    for sid, s in sources.items():
        if not isinstance(s, dict) or not isinstance(s.get("cite"), str) or s.get("label") not in LABELS:
            raise bad(f"sources.{sid} needs a 'cite' and a label R, S or M")

    def src(v: Any, at: str) -> tuple[str, ...]:
        if not isinstance(v, list) or not v or not all(x in sources for x in v):
            raise bad(f"{at}: 'source' must list ids from 'sources', got {v!r}")
        return tuple(v)

    qs: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(doc.get("questions") or []):
        at = f"questions[{i}]"
        if not isinstance(q, dict) or not isinstance(q.get("key"), str) or not q["key"].isidentifier():
            raise bad(f"{at}: needs a snake_case 'key'")
        key = q["key"]
        at = f"questions.{key}"
        if key in seen:
            raise bad(f"{at}: key used twice")
        if q.get("kind") not in KINDS:
            raise bad(f"{at}: kind must be one of {', '.join(KINDS)}")
        uses = q.get("use")
        if not isinstance(uses, list) or any(u not in USES for u in uses):
            raise bad(f"{at}: 'use' must list some of {', '.join(USES)}")
        if q["kind"] == "scale" and uses:
            raise bad(f"{at}: a scale question is stored as the intensity, not read by the matcher or rules")
        words = q.get("words")
        need = set(AUDIENCES) | ({"scale_low", "scale_high"} if q["kind"] == "scale" else set())
        if not isinstance(words, dict) or need - set(words):
            raise bad(f"{at}: 'words' needs {', '.join(sorted(need))}")
        for aud, per in words.items():
            if not isinstance(per, dict) or any(not isinstance(per.get(lang), str) or not per[lang].strip()
                                                for lang in langs):
                raise bad(f"{at}: words.{aud} needs text in every language ({', '.join(langs)})")
        ask_if = q.get("ask_if")
        if ask_if is not None:
            if (not isinstance(ask_if, dict) or not ask_if
                    or any(k not in seen or not isinstance(v, bool) for k, v in ask_if.items())):
                raise bad(f"{at}: ask_if must give true/false for earlier yes/no questions")
        rng = q.get("range")
        if q["kind"] == "number":
            if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, int) for x in rng)):
                raise bad(f"{at}: a number question needs range: [low, high]")
            rng = (rng[0], rng[1])
        qs.append(Question(key, q["kind"], tuple(uses), words, src(q.get("source"), at), ask_if, rng))
        seen.add(key)
    if not qs:
        raise bad("'questions' must list the questions")
    kinds = {q.key: q.kind for q in qs}

    flags: list[FlagRule] = []
    for i, f in enumerate(doc.get("red_flags") or []):
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not isinstance(f.get("title"), str):
            raise bad(f"red_flags[{i}]: needs an 'id' and a 'title'")
        at = f"red_flags.{f['id']}"
        if f.get("unless") is not None and f["unless"] not in {x.id for x in flags}:
            raise bad(f"{at}: 'unless' must name a flag listed above it")
        trigs = []
        for j, t in enumerate(f.get("triggers") or []):
            tat = f"{at}.triggers[{j}]"
            if not isinstance(t, dict) or not isinstance(t.get("when"), dict) or not t["when"]:
                raise bad(f"{tat}: needs a 'when' mapping")
            for k, v in t["when"].items():
                if k in FEATURES:
                    ok = isinstance(v, bool)
                elif kinds.get(k) == "yesno":
                    ok = isinstance(v, bool) or v == "unanswered"
                elif kinds.get(k) == "number":
                    ok = v == "unanswered" or (isinstance(v, dict) and set(v) == {"over"}
                                               and isinstance(v["over"], int))
                else:
                    raise bad(f"{tat}: {k!r} is not a question or a painted feature")
                if not ok:
                    raise bad(f"{tat}: {k}: {v!r} is not a condition (true, false, unanswered or {{over: N}})")
            rf, sign = t.get("risk_factor"), t.get("sign", False)
            if rf is not None and not (isinstance(rf, str) and rf.isidentifier()):
                raise bad(f"{tat}: risk_factor must be a snake_case id, got {rf!r}")
            if not isinstance(sign, bool) or sum(map(bool, (rf, sign, t.get("joins", False)))) > 1:
                raise bad(f"{tat}: a trigger is at most one of joins, risk_factor or sign")
            if rf or sign:
                if "urgency" in t:
                    raise bad(f"{tat}: a risk factor or sign has no urgency of its own (the rule's combine gives it)")
            elif t.get("urgency") not in URGENCIES:
                raise bad(f"{tat}: urgency must be one of {', '.join(URGENCIES)}, got {t.get('urgency')!r}")
            if not isinstance(t.get("reason"), str):
                raise bad(f"{tat}: needs a 'reason'")
            trigs.append(Trigger(dict(t["when"]), t["reason"], t.get("urgency"), src(t.get("source"), tat),
                                 bool(t.get("joins", False)), rf, sign))
        if not trigs or not any(t.raises or t.risk_factor for t in trigs):
            raise bad(f"{at}: needs at least one trigger that raises the flag or is a risk factor")
        comb = f.get("combine")
        if comb is not None:
            if (not isinstance(comb, dict) or not isinstance(comb.get("needs"), int) or isinstance(comb["needs"], bool)
                    or comb["needs"] < 2 or comb.get("urgency") not in URGENCIES):
                raise bad(f"{at}: combine needs 'needs' (2 or more), an urgency "
                          f"({', '.join(URGENCIES)}) and a source")
            comb = Combine(comb["needs"], comb["urgency"], src(comb.get("source"), f"{at}.combine"))
        if any(t.risk_factor or t.sign for t in trigs) and comb is None:
            raise bad(f"{at}: a rule with risk factors or signs needs 'combine' (how many raise the flag together)")
        flags.append(FlagRule(f["id"], f["title"], tuple(trigs), f.get("unless"), comb))

    seen_rf: dict[str, Trigger] = {}
    for f in flags:
        for t in f.triggers:
            if t.risk_factor:
                first = seen_rf.setdefault(t.risk_factor, t)
                if (first.when, first.reason) != (t.when, t.reason):
                    raise bad(f"red_flags.{f.id}: risk factor {t.risk_factor!r} must have the same 'when' and "
                              "'reason' in every rule that lists it")
    read = {k for f in flags for t in f.triggers for k in t.answer_keys}
    marked = {q.key for q in qs if "red_flag" in q.uses}
    if read != marked:
        raise bad(f"'use: red_flag' must match the keys the rules read: marked but unread {sorted(marked - read)}, "
                  f"read but unmarked {sorted(read - marked)}")
    urg = doc.get("urgencies")
    if not isinstance(urg, dict) or set(urg) != set(URGENCIES) or any(
            not isinstance(u, dict) or not all(isinstance(u.get(x), str) for x in ("label", "advice", "fhir_priority"))
            for u in urg.values()):
        raise bad(f"'urgencies' must give label, advice and fhir_priority for {', '.join(URGENCIES)}")
    return Vocabulary(tuple(langs), tuple(qs), tuple(flags), urg, sources)


# ---------------------------------------------------------------------------
# the questions


def questions() -> tuple[Question, ...]:
    """Every question, in the order the kiosk asks them (the intensity scale included)."""
    return load().questions


def question(key: str) -> Question:
    return load().question(key)


def keys() -> tuple[str, ...]:
    """The answer keys: questions whose answer is stored in a map's `answers` (yes/no and number)."""
    return tuple(q.key for q in load().questions if q.is_answer)


def yes_no_keys() -> tuple[str, ...]:
    return tuple(q.key for q in load().questions if q.kind == "yesno")


def number_keys() -> tuple[str, ...]:
    return tuple(q.key for q in load().questions if q.kind == "number")


def red_flag_keys() -> tuple[str, ...]:
    """The answer keys the red-flag rules read (the red-flag questions), in asking order."""
    return tuple(q.key for q in load().questions if "red_flag" in q.uses)


def applies(key: str, answers: dict) -> bool:
    """Whether question `key` is asked given these answers (a follow-up only when its `ask_if` holds)."""
    cond = question(key).ask_if
    return not cond or all(answers.get(k) is v for k, v in cond.items())


def unanswered_red_flag_keys(answers: dict) -> tuple[str, ...]:
    """The red-flag questions these answers leave open: not answered, or answered "unsure" (a follow-up whose
    condition fails is not open)."""
    return tuple(k for k in red_flag_keys() if answers.get(k) in (None, "unsure") and applies(k, answers))


def languages() -> tuple[str, ...]:
    return load().languages


def words(key: str, audience: str = "clinician", lang: str = "en") -> str:
    """The words for a question: audience patient (as asked), clinician (a label) or short (for lists).

    A language without the text falls back to English; an unknown key raises UsageError.
    """
    q = question(key)
    per = q.words.get(audience)
    if per is None:
        raise UsageError(f"no {audience!r} words for question {key!r}; audiences: {', '.join(q.words)}")
    return per.get(lang) or per["en"]


def clinician_words(lang: str = "en") -> dict[str, str]:
    """{answer key: clinician label} for every answer key."""
    return {k: words(k, "clinician", lang) for k in keys()}


# ---------------------------------------------------------------------------
# red-flag rules and urgency


def flag_rules() -> tuple[FlagRule, ...]:
    return load().flags


def urgency_rank(urgency: str) -> int:
    """0 for the most urgent; an unknown urgency ranks as same_day (a flag is never played down)."""
    return URGENCIES.index(urgency) if urgency in URGENCIES else URGENCIES.index("same_day")


def urgency_label(urgency: str) -> str:
    return load().urgencies.get(urgency, {}).get("label", urgency.replace("_", " ").capitalize())


def urgency_advice(urgency: str) -> str:
    return load().urgencies.get(urgency, {}).get("advice", "")


def fhir_priority(urgency: str) -> str:
    return load().urgencies.get(urgency, load().urgencies["same_day"])["fhir_priority"]


def source_text(source_id: str) -> str:
    s = load().sources[source_id]
    return f"{s['cite']} [{s['label']}]"
