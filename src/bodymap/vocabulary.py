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
USES = ("match", "red_flag", "prompt")
AUDIENCES = ("patient", "clinician", "short")
URGENCIES = ("emergency", "same_day")  # most urgent first; the public contract (issue 12): nothing else
# A flag's pathology (issue 18): the public ids, one rule each. `neurological_deficit` (new or worse weakness in
# one leg, e.g. foot drop) is bodymap's eighth: it belongs to none of the seven the issue names.
PATHOLOGIES = ("cauda_equina", "cord_compression", "myelopathy", "infection", "fracture", "malignancy",
               "vascular_or_visceral", "neurological_deficit")
UNSPECIFIED = "unspecified"  # the pathology of a flag recorded under an old id no rule claims
FEATURES = ("both_legs_painted",)  # what painting.py works out from the drawing; rules may read it
LABELS = ("R", "S", "M")
# Painted areas a question's `kiosk_when` may name (ADR 0042); bodymap.kiosk.drawing.AREAS maps each to atlas regions.
KIOSK_AREAS = ("neck", "arm", "hand", "abdomen", "groin")
KIOSK_QUESTION_MODES = ("by_context", "all")  # the kiosk config's red_flag_questions (ADR 0042)
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
    legacy: bool = False  # read from older files (rules still read it), never asked
    kiosk: bool = True  # False: asked at the desk, not on the kiosk's one red-flag screen
    # ADR 0042: when the kiosk asks this red-flag question although no rule makes it an emergency: a tuple of
    # alternatives, each a mapping of conditions that must all hold ({"everyone": True}, {"age": {"over": 50}},
    # {"painted": ("neck", ...)}, {"both_legs_painted": True}, {"<yes/no key>": True}); () = only when the
    # rules make it matter (an emergency in context, or a follow-up of an earlier yes)
    kiosk_when: tuple[dict[str, Any], ...] = ()
    kiosk_when_source: tuple[str, ...] = ()

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
    any: tuple[dict[str, Any], ...] = ()  # groups: one condition of each must hold as well as all of `when`
    advice: str = ""  # what the clinician should do beyond the urgency

    @property
    def raises(self) -> bool:
        """Raises the flag on its own (not a joiner, risk factor or sign)."""
        return not (self.joins or self.risk_factor or self.sign)

    @property
    def answer_keys(self) -> tuple[str, ...]:
        keys = list(self.when) + [k for g in self.any for k in g]
        return tuple(dict.fromkeys(k for k in keys if k not in FEATURES))


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
    unless: tuple[str, ...] = ()
    combine: Combine | None = None
    pathology: str = UNSPECIFIED
    legacy_ids: tuple[str, ...] = ()  # ids its flags were recorded under in older files


@dataclass(frozen=True)
class PromptRule:
    """A clinician prompt from the answers (e.g. inflammatory back pain): never a red flag."""
    id: str
    when: dict[str, Any]
    text: str
    source: tuple[str, ...]
    any: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    languages: tuple[str, ...]
    questions: tuple[Question, ...]
    flags: tuple[FlagRule, ...]
    urgencies: dict[str, dict[str, str]]
    sources: dict[str, dict[str, str]]
    prompts: tuple[PromptRule, ...] = ()
    pathologies: dict[str, dict[str, str]] | None = None  # pathology id -> language -> words

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
        if not isinstance(q.get("legacy", False), bool) or not isinstance(q.get("kiosk", True), bool):
            raise bad(f"{at}: legacy and kiosk must be true or false")
        kw, kw_src = _kiosk_when(q.get("kiosk_when"), q, seen, qs, bad, src, at)
        qs.append(Question(key, q["kind"], tuple(uses), words, src(q.get("source"), at), ask_if, rng,
                           bool(q.get("legacy", False)), bool(q.get("kiosk", True)), kw, kw_src))
        seen.add(key)
    if not qs:
        raise bad("'questions' must list the questions")
    kinds = {q.key: q.kind for q in qs}

    def condition(k: Any, v: Any, at: str) -> None:
        if k in FEATURES:
            ok = isinstance(v, bool)
        elif kinds.get(k) == "yesno":
            ok = isinstance(v, bool) or v == "unanswered"
        elif kinds.get(k) == "number":
            ok = v == "unanswered" or (isinstance(v, dict) and len(v) == 1 and set(v) <= {"over", "under"}
                                       and all(isinstance(x, int) and not isinstance(x, bool) for x in v.values()))
        else:
            raise bad(f"{at}: {k!r} is not a question or a painted feature")
        if not ok:
            raise bad(f"{at}: {k}: {v!r} is not a condition (true, false, unanswered, {{over: N}} or {{under: N}})")

    def conditions(t: dict, at: str) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
        when, groups = t.get("when", {}), t.get("any", [])
        if not isinstance(when, dict) or not isinstance(groups, list) or not (when or groups) or any(
                not isinstance(g, dict) or not g for g in groups):
            raise bad(f"{at}: needs a 'when' mapping and/or 'any': a list of non-empty mappings")
        for k, v in when.items():
            condition(k, v, at)
        for g in groups:
            for k, v in g.items():
                condition(k, v, at)
        return dict(when), tuple(dict(g) for g in groups)

    flags: list[FlagRule] = []
    for i, f in enumerate(doc.get("red_flags") or []):
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not isinstance(f.get("title"), str):
            raise bad(f"red_flags[{i}]: needs an 'id' and a 'title'")
        at = f"red_flags.{f['id']}"
        unless = f.get("unless") or ()
        unless = (unless,) if isinstance(unless, str) else unless
        if not isinstance(unless, (list, tuple)) or any(u not in {x.id for x in flags} for u in unless):
            raise bad(f"{at}: 'unless' must name flags listed above it")
        if f.get("pathology") not in PATHOLOGIES:
            raise bad(f"{at}: pathology must be one of {', '.join(PATHOLOGIES)}, got {f.get('pathology')!r}")
        legacy = f.get("legacy_ids") or []
        if not isinstance(legacy, list) or not all(isinstance(x, str) and x.isidentifier() for x in legacy):
            raise bad(f"{at}: legacy_ids must list snake_case ids")
        trigs = []
        for j, t in enumerate(f.get("triggers") or []):
            tat = f"{at}.triggers[{j}]"
            if not isinstance(t, dict):
                raise bad(f"{tat}: needs a 'when' mapping or 'any' groups")
            when, groups = conditions(t, tat)
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
            if not isinstance(t.get("advice", ""), str):
                raise bad(f"{tat}: advice must be text")
            trigs.append(Trigger(when, t["reason"], t.get("urgency"), src(t.get("source"), tat),
                                 bool(t.get("joins", False)), rf, sign, groups, t.get("advice", "")))
        if not trigs or not any(t.raises or t.risk_factor for t in trigs):
            raise bad(f"{at}: needs at least one trigger that raises the flag or is a risk factor")
        comb = f.get("combine")
        if comb is not None:
            if (not isinstance(comb, dict) or not isinstance(comb.get("needs"), int) or isinstance(comb["needs"], bool)
                    or comb["needs"] < 2 or comb.get("urgency") not in URGENCIES):
                raise bad(f"{at}: combine needs 'needs' (2 or more), an urgency "
                          f"({', '.join(URGENCIES)}) and a source")
            comb = Combine(comb["needs"], comb["urgency"], src(comb.get("source"), f"{at}.combine"))
        if any(t.sign for t in trigs) and comb is None:
            raise bad(f"{at}: a rule with signs needs 'combine' (how many raise the flag together)")
        flags.append(FlagRule(f["id"], f["title"], tuple(trigs), tuple(unless), comb, f["pathology"], tuple(legacy)))
    ids = [x.id for x in flags] + [i for x in flags for i in x.legacy_ids]
    if len(ids) != len(set(ids)):
        raise bad("red_flags: an id or legacy id is used twice")

    prompts: list[PromptRule] = []
    for i, pr in enumerate(doc.get("prompts") or []):
        pat = f"prompts[{i}]"
        if not isinstance(pr, dict) or not isinstance(pr.get("id"), str) or not isinstance(pr.get("text"), str):
            raise bad(f"{pat}: needs an 'id' and a 'text'")
        when, groups = conditions(pr, pat)
        prompts.append(PromptRule(pr["id"], when, pr["text"], src(pr.get("source"), pat), groups))

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
    p_read = {k for pr in prompts for k in list(pr.when) + [k for g in pr.any for k in g] if k not in FEATURES}
    p_marked = {q.key for q in qs if "prompt" in q.uses}
    if p_read != p_marked:
        raise bad(f"'use: prompt' must match the keys the prompts read: marked but unread {sorted(p_marked - p_read)}, "
                  f"read but unmarked {sorted(p_read - p_marked)}")
    if read != marked:
        raise bad(f"'use: red_flag' must match the keys the rules read: marked but unread {sorted(marked - read)}, "
                  f"read but unmarked {sorted(read - marked)}")
    for q in qs:
        if q.kiosk_when and "red_flag" not in q.uses:
            raise bad(f"questions.{q.key}.kiosk_when: only a yes/no red-flag question has kiosk_when")
    urg = doc.get("urgencies")
    if not isinstance(urg, dict) or set(urg) != set(URGENCIES) or any(
            not isinstance(u, dict) or not all(isinstance(u.get(x), str) for x in ("label", "advice", "fhir_priority"))
            for u in urg.values()):
        raise bad(f"'urgencies' must give label, advice and fhir_priority for {', '.join(URGENCIES)}")
    paths = doc.get("pathologies")
    if not isinstance(paths, dict) or set(paths) != set(PATHOLOGIES) | {UNSPECIFIED} or any(
            not isinstance(w, dict) or any(not isinstance(w.get(lang), str) or not w[lang].strip() for lang in langs)
            for w in paths.values()):
        raise bad(f"'pathologies' must word {', '.join(PATHOLOGIES)} and {UNSPECIFIED} in every language")
    return Vocabulary(tuple(langs), tuple(qs), tuple(flags), urg, sources, tuple(prompts), paths)


def _kiosk_when(v: Any, q: dict, seen: set, qs: list, bad, src, at: str):
    """`kiosk_when` of a question (ADR 0042): {any: [alternative, ...], source: [ids]}; checked here."""
    if v is None:
        return (), ()
    at = f"{at}.kiosk_when"
    if q.get("kind") != "yesno":  # (and a red-flag one: checked once the rules are read)
        raise bad(f"{at}: only a yes/no red-flag question has kiosk_when")
    if not isinstance(v, dict) or set(v) != {"any", "source"} or not isinstance(v["any"], list) or not v["any"]:
        raise bad(f"{at}: needs 'any' (a list of condition mappings) and 'source'")
    yesno = {x.key for x in qs if x.kind == "yesno"}
    alts = []
    for alt in v["any"]:
        if not isinstance(alt, dict) or not alt:
            raise bad(f"{at}: each alternative is a non-empty mapping of conditions")
        out: dict[str, Any] = {}
        for k, w in alt.items():
            if k == "everyone":
                ok = w is True
            elif k == "age":
                ok = (isinstance(w, dict) and len(w) == 1 and set(w) <= {"over", "under"}
                      and all(isinstance(x, int) and not isinstance(x, bool) for x in w.values()))
            elif k == "painted":
                ok = isinstance(w, list) and bool(w) and all(a in KIOSK_AREAS for a in w)
                w = tuple(w) if ok else w
            elif k in FEATURES:
                ok = isinstance(w, bool)
            elif k in yesno and k in seen:
                ok = w is True
            else:
                raise bad(f"{at}: {k!r} is not everyone, age, painted, a painted feature or an earlier yes/no question")
            if not ok:
                raise bad(f"{at}: {k}: {w!r} is not a condition (everyone: true, age: {{over: N}}, "
                          f"painted: [{', '.join(KIOSK_AREAS)}], true)")
            out[k] = w
        alts.append(out)
    return tuple(alts), src(v.get("source"), at)


# ---------------------------------------------------------------------------
# the questions


def questions() -> tuple[Question, ...]:
    """Every question that is asked, in the order the kiosk asks them (the intensity scale included; a
    `legacy` question, only read from older files, is not)."""
    return tuple(q for q in load().questions if not q.legacy)


def all_questions() -> tuple[Question, ...]:
    """Every question, legacy ones too."""
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
    return tuple(q.key for q in load().questions if "red_flag" in q.uses and not q.legacy)


def legacy_keys() -> tuple[str, ...]:
    """Answer keys read from older files (and by the rules) but never asked."""
    return tuple(q.key for q in load().questions if q.legacy)


def prompt_rules() -> tuple[PromptRule, ...]:
    return load().prompts


def flag_rule(rule_id: str) -> FlagRule | None:
    """The rule with this id, or the rule an old recorded id (its `legacy_ids`) belongs to."""
    for r in load().flags:
        if r.id == rule_id or rule_id in r.legacy_ids:
            return r
    return None


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


def pathology_label(pathology: str, lang: str = "en") -> str:
    """'cauda equina' for 'cauda_equina': the words for a flag's pathology (questions.yaml `pathologies`),
    in `lang` (English where missing); an unknown id reads as its words."""
    per = (load().pathologies or {}).get(pathology)
    return (per.get(lang) or per["en"]) if per else pathology.replace("_", " ")


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
