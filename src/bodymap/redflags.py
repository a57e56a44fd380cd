"""Red flags: rules on the patient's answers, kept apart from the matcher.

One rule per suspected pathology (issue 18, after Finucane 2020): cauda equina,
cord compression, myelopathy, infection, fracture, malignancy, vascular or
visceral, and a progressive neurological deficit. The rules, their urgencies and
their sources live in regions/questions.yaml (read through `bodymap.vocabulary`);
this module only evaluates them. Nothing here depends on the referral patterns,
so a broken or missing pattern library can never hide a red flag:
`bodymap.triage.assess` gives the flags even when the matcher fails.

Every flag carries an urgency, `emergency` (act now) or `same_day` (a clinician
today), its `pathology`, `because` (the answer keys that raised it) and `source`
(the source ids of the triggers that fired). Flags are always listed most urgent
first (`by_urgency`).

"Not sure" (`"unsure"`) counts as a yes for every rule, at most `same_day`: the
flag a yes would raise comes back as `<rule id>_unsure` (`evaluate`).

A lone risk factor (new pain over 50, night pain, thoracic pain, osteoporosis,
injecting drug use, immunosuppression, a recent spinal procedure or infection,
no better after 4-6 weeks) is not a red flag: it is a `RiskFactor`, shown to the
clinician as a prompt. See docs/adr/0009-red-flag-urgency.md and 0012-triage.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from . import vocabulary
from .vocabulary import URGENCIES

EMERGENCY, SAME_DAY = URGENCIES
OLD_SOON = "soon"  # a lone risk factor's urgency in files written between ADR 0009's first and second versions


CAP = SAME_DAY  # the most urgent a "not sure" may make a flag
SUFFIX = "_unsure"
UNSURE = "unsure"


@dataclass(frozen=True)
class RedFlag:
    id: str
    text: str
    reasons: tuple[str, ...] = ()
    urgency: str = SAME_DAY  # emergency | same_day
    because: tuple[str, ...] = ()  # the answer keys that raised it
    pathology: str = vocabulary.UNSPECIFIED  # vocabulary.PATHOLOGIES (issue 18)
    source: tuple[str, ...] = ()  # source ids (regions/questions.yaml `sources`) of the triggers that fired
    advice: str = ""  # what to do beyond the urgency (e.g. safety-net advice)
    recorded: bool = False  # kept as recorded in the file (no current rule raises it again)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "reasons": list(self.reasons), "urgency": self.urgency,
                "because": list(self.because), "pathology": self.pathology, "source": list(self.source),
                "advice": self.advice, "recorded": self.recorded}

    @property
    def urgency_label(self) -> str:
        return vocabulary.urgency_label(self.urgency)

    @property
    def pathology_label(self) -> str:
        return vocabulary.pathology_label(self.pathology)


def _red_flag_questions() -> tuple[str, ...]:
    return vocabulary.red_flag_keys()


RED_FLAG_QUESTIONS = _red_flag_questions()  # the red-flag question keys, from the vocabulary
RED_FLAG_TEXT = {rule.id: f"{rule.title}: {{reasons}}." for rule in vocabulary.flag_rules()}


def flag_text(title: str, reasons: Iterable[str], urgency: str, advice: str = "") -> str:
    """'Emergency - Possible cauda equina syndrome: ... Needs assessment now; ...': urgency first, so
    every window that shows the text shows the urgency too."""
    return (f"{vocabulary.urgency_label(urgency)} - {title}: {'; '.join(reasons)}. "
            f"{vocabulary.urgency_advice(urgency)} {advice}").strip()


def _cond(key: str, want: Any, answers: dict[str, Any], features: dict[str, bool]) -> bool:
    if key in features:
        return features[key] is want
    if want == "unanswered":
        return key not in answers or answers[key] == UNSURE  # "unsure" leaves the question open
    if isinstance(want, dict):  # {over: N} or {under: N} on a number
        v = answers.get(key)
        if isinstance(v, bool) or not isinstance(v, int):
            return False
        return v > want["over"] if "over" in want else v < want["under"]
    return answers.get(key) is want


def _holds(trigger, answers: dict[str, Any], features: dict[str, bool]) -> bool:
    return (all(_cond(k, w, answers, features) for k, w in trigger.when.items())
            and all(any(_cond(k, w, answers, features) for k, w in g.items()) for g in trigger.any))


def _held_keys(trigger, answers: dict[str, Any], features: dict[str, bool]) -> list[str]:
    """The answer keys of a trigger that holds: its `when` keys and the conditions that hold in its groups."""
    keys = [k for k, w in trigger.when.items() if k not in features and w != "unanswered"]
    for g in trigger.any:
        keys += [k for k, w in g.items() if k not in features and w != "unanswered" and _cond(k, w, answers, features)]
    return keys


def by_urgency(flags: Iterable[RedFlag]) -> list[RedFlag]:
    """Most urgent first; flags of equal urgency keep their order (stable)."""
    return sorted(flags, key=lambda f: vocabulary.urgency_rank(f.urgency))


@dataclass(frozen=True)
class RiskFactor:
    """A risk factor for serious pathology that holds alone: a prompt for the clinician, never a red flag."""

    id: str
    text: str  # e.g. "night or non-mechanical pain"
    because: tuple[str, ...] = ()  # the answer keys
    rules: tuple[str, ...] = ()  # the flag rules it counts toward (a second risk factor or a sign raises them)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "because": list(self.because), "rules": list(self.rules)}

    @property
    def prompt(self) -> str:
        return (f"Risk factor for serious pathology: {self.text} - not a red flag on its own; "
                "weigh it with the rest of the history (NICE CKS).")


def _rule_flags(answers: dict[str, Any], both_legs: bool) -> tuple[list[RedFlag], list[RiskFactor]]:
    """The rules on the answers as given ("not sure" is not a yes here)."""
    features = {"both_legs_painted": bool(both_legs)}
    flags: list[RedFlag] = []
    in_flags: set[str] = set()
    lone: dict[str, RiskFactor] = {}
    for rule in vocabulary.flag_rules():
        if rule.unless and any(f.id in rule.unless for f in flags):
            continue
        fired = [t for t in rule.triggers if _holds(t, answers, features)]
        risk = [t for t in fired if t.risk_factor]
        signs = [t for t in fired if t.sign]
        combined = rule.combine is not None and bool(risk) and len(risk) + len(signs) >= rule.combine.needs
        plain = [t for t in fired if t.raises]
        if not plain and not combined:
            for t in risk:
                old = lone.get(t.risk_factor)
                lone[t.risk_factor] = RiskFactor(t.risk_factor, t.reason, tuple(_held_keys(t, answers, features)),
                                                 (old.rules if old else ()) + (rule.id,))
            continue
        urgencies = [t.urgency for t in fired if t.urgency] + ([rule.combine.urgency] if combined else [])
        urgency = min(urgencies, key=vocabulary.urgency_rank)
        reasons = tuple(t.reason for t in fired)
        advice = " ".join(dict.fromkeys(t.advice for t in fired if t.advice))
        source = tuple(dict.fromkeys([s for t in fired for s in t.source]
                                     + (list(rule.combine.source) if combined else [])))
        because = tuple(dict.fromkeys(k for t in fired for k in _held_keys(t, answers, features)))
        flags.append(RedFlag(rule.id, flag_text(rule.title, reasons, urgency, advice), reasons, urgency, because,
                             rule.pathology, source, advice))
        in_flags.update(t.risk_factor for t in risk)
    # a risk factor already in a raised flag is not listed again
    return flags, [rf for rid, rf in lone.items() if rid not in in_flags]


def _cap(urgency: str) -> str:
    return CAP if vocabulary.urgency_rank(urgency) < vocabulary.urgency_rank(CAP) else urgency


def unsure_keys(answers: dict[str, Any]) -> tuple[str, ...]:
    return tuple(k for k, v in answers.items() if v == UNSURE)


def _unsure_flags(answers: dict[str, Any], both_legs: bool, as_given: list[RedFlag]) -> list[RedFlag]:
    """The flags a yes would raise where the patient said "not sure": `<rule id>_unsure`, at most same_day.

    The rules are evaluated as if every "not sure" were a yes; each flag that gives, that the answers as
    given do not give at least as urgently, comes back with the "not sure" keys as its reasons."""
    doubts = unsure_keys(answers)
    if not doubts:
        return []
    given = {f.id: f for f in as_given}
    as_yes, _ = _rule_flags({**answers, **{k: True for k in doubts}}, both_legs)
    out: list[RedFlag] = []
    for f in as_yes:
        keys = tuple(k for k in f.because if k in doubts)
        if not keys:
            continue
        urgency = _cap(f.urgency)
        real = given.get(f.id)
        if real is not None and vocabulary.urgency_rank(real.urgency) <= vocabulary.urgency_rank(urgency):
            continue  # the rule already stands from a yes, at least as urgent: nothing to add
        rule = vocabulary.flag_rule(f.id)
        reasons = tuple(f"not sure about {vocabulary.words(k, 'short', 'en')}" for k in keys)
        advice = "Ask again today."
        out.append(RedFlag(f.id + SUFFIX, flag_text(rule.title, reasons, urgency, advice), reasons, urgency, keys,
                           f.pathology, f.source, advice))
    return out


def _recorded_rule(rid: str):
    base = rid[:-len(SUFFIX)] if rid.endswith(SUFFIX) else rid
    return vocabulary.flag_rule(base)


def _kept_recorded(flags: list[RedFlag], recorded: list[dict] | None) -> list[RedFlag]:
    """Flags saved in the file (e.g. at the kiosk, perhaps under an old rule id) that the rules do not raise
    again at least as urgently: kept as they were written, with the pathology of the rule the id belongs to.

    A recorded flag counts as raised again when a current flag of the same rule (or, for an old id no rule
    claims, one whose `because` holds every recorded key) is at least as urgent. The one exception: a flag
    recorded as `soon` under a known rule was a lone risk factor (ADR 0009, first version); the answers give
    it again as a risk factor, not a flag."""
    out: list[RedFlag] = []
    seen: set[str] = set()
    for rec in recorded or []:
        rid = rec.get("id") if isinstance(rec, dict) else None
        if not isinstance(rid, str) or rid in seen:
            continue
        rule = _recorded_rule(rid)
        urg = rec.get("urgency")
        if urg == OLD_SOON and rule is not None:
            continue
        urg = urg if urg in URGENCIES else SAME_DAY
        because = rec.get("because")
        because = tuple(str(b) for b in because) if isinstance(because, list) else ()
        rank = vocabulary.urgency_rank(urg)

        def covers(f: RedFlag) -> bool:
            if vocabulary.urgency_rank(f.urgency) > rank:
                return False
            if f.id == rid or (rule is not None and _recorded_rule(f.id) is rule):
                return True
            return bool(because) and set(because) <= set(f.because)

        if any(covers(f) for f in flags):
            continue
        seen.add(rid)
        pathology = rule.pathology if rule is not None else (rid if rid in vocabulary.PATHOLOGIES
                                                             else vocabulary.UNSPECIFIED)
        out.append(RedFlag(rid, str(rec.get("text", "red flag recorded at the kiosk")), (), urg, because,
                           pathology, (), "", True))
    return out


def evaluate(answers: dict[str, Any], both_legs: bool, recorded: list[dict] | None = None
             ) -> tuple[list[RedFlag], list[RiskFactor]]:
    """(flags, lone risk factors): the one evaluation every caller uses (through `bodymap.triage`).

    Flags: the rules on the answers, the "not sure" flags, and recorded flags no rule raises again;
    most urgent first."""
    flags, lone = _rule_flags(answers, both_legs)
    flags = flags + _unsure_flags(answers, both_legs, flags)
    return by_urgency(flags + _kept_recorded(flags, recorded)), lone


def rule_key(answers: dict[str, Any]) -> tuple:
    """What the flag rules read of these answers, as a hashable key: every answer as given, except a number,
    which the rules only compare with their {over: N} / {under: N} cut points (the age band). Two answer sets
    with one key give the same flags (`evaluate`), so a cache keyed on it (the batch scorer's) hits across
    ages in one band instead of missing for every age."""
    cuts = _number_cuts()
    return tuple(sorted((k, ("#",) + tuple(v > n if op == "over" else v < n for op, n in cuts.get(k, ())))
                        if isinstance(v, int) and not isinstance(v, bool) else (k, v) for k, v in answers.items()))


def _number_cuts() -> dict[str, tuple[tuple[str, Any], ...]]:
    """{answer key: ((over|under, N), ...)} of every number condition in the flag rules (kept per vocabulary)."""
    rules = vocabulary.flag_rules()
    if _CUTS and _CUTS[0] is rules:
        return _CUTS[1]
    cuts: dict[str, set] = {}
    for rule in rules:
        for t in rule.triggers:
            for cond in (t.when, *t.any):
                for k, w in cond.items():
                    if isinstance(w, dict):
                        cuts.setdefault(k, set()).update(w.items())
    out = {k: tuple(sorted(v)) for k, v in cuts.items()}
    _CUTS[:] = [rules, out]
    return out


_CUTS: list = []


def risk_factors(answers: dict[str, Any], both_legs: bool = False) -> list[RiskFactor]:
    """The risk factors these answers give that raise no flag (each alone is not a red flag), in rule order."""
    return _rule_flags(answers, both_legs)[1]


def red_flags(answers: dict[str, Any], both_legs: bool, recorded: list[dict] | None = None) -> list[RedFlag]:
    """The red flags raised by these answers (and by what is painted), "not sure" ones included, and the
    recorded ones no rule raises again; most urgent first (`evaluate`)."""
    return evaluate(answers, both_legs, recorded)[0]


def most_urgent(flags: Iterable[RedFlag]) -> str | None:
    """The most urgent urgency among these flags (None when there are none)."""
    ranked = by_urgency(flags)
    return ranked[0].urgency if ranked else None


def flags_for_map(pain_map) -> list[RedFlag]:
    """The red flags of a pain map: from its answers, what it paints, and any recorded at the kiosk."""
    return red_flags(dict(pain_map.answers), pain_map.both_legs_painted, pain_map.red_flags_recorded)


def risk_factors_for_map(pain_map) -> list[RiskFactor]:
    """The lone risk factors of a pain map (prompts for the clinician, not flags)."""
    return risk_factors(dict(pain_map.answers), pain_map.both_legs_painted)


# --- Which red-flag questions can still change the triage (issue 20, the kiosk) -------------------------
# Computed from the rules themselves, never from a list: a new rule that reads a question keeps it asked.

def _could_hold_cond(key: str, want: Any, answers: dict[str, Any], features: dict[str, bool], free: str) -> bool:
    """Whether one condition can still hold: `free` (the question in hand), an unanswered or "not sure"
    answer and a feature the caller does not know can take any value; a given answer is read as given."""
    if key in vocabulary.FEATURES:
        return key not in features or features[key] is want
    if key == free or key not in answers or answers[key] == UNSURE:
        return True
    return _cond(key, want, answers, features)


def _could_hold(trigger, answers: dict[str, Any], features: dict[str, bool], free: str) -> bool:
    return (all(_could_hold_cond(k, w, answers, features, free) for k, w in trigger.when.items())
            and all(any(_could_hold_cond(k, w, answers, features, free) for k, w in g.items())
                    for g in trigger.any))


def can_change_triage(key: str, answers: dict[str, Any], features: dict[str, bool] | None = None) -> bool:
    """Whether some rule trigger that reads `key` can still hold, whichever way `key` is answered (yes, no
    or not sure) and whatever the other open questions get. `features`: what the drawing gives
    (e.g. {"both_legs_painted": False}); a feature left out may be either."""
    feats = dict(features or {})
    return any(_could_hold(t, answers, feats, key)
               for r in vocabulary.flag_rules() for t in r.triggers if key in t.answer_keys)


def could_raise_emergency(key: str, answers: dict[str, Any], features: dict[str, bool] | None = None) -> bool:
    """Whether a yes to `key` could raise an emergency with what is known: the answers given (an open or "not
    sure" one may be anything) and `features` (a feature left out may be either). The kiosk asks such a
    question whatever its `kiosk_when` (ADR 0042)."""
    feats = dict(features or {})
    urgent = vocabulary.URGENCIES[0]
    return any(t.raises and t.urgency == urgent and key in t.answer_keys
               and (t.when.get(key) is True or any(g.get(key) is True for g in t.any))
               and _could_hold(t, answers, feats, key)
               for r in vocabulary.flag_rules() for t in r.triggers)


def raises_with_a_yes(key: str, answers: dict[str, Any], features: dict[str, bool] | None = None) -> bool:
    """Whether a yes to `key` would raise a flag, or a more urgent one, that an earlier yes or "not sure" also
    stands behind (e.g. injecting drugs after new pain; a small fall after steroids). With both legs unknown,
    either way counts (ADR 0042's follow-ups of a yes)."""
    given = {k: (True if v == UNSURE else v) for k, v in answers.items()}
    yeses = {k for k, v in given.items() if v is True and k != key}
    if not yeses:
        return False
    both = (features or {}).get("both_legs_painted")
    for legs in ((both,) if both is not None else (False, True)):
        without = {f.id: vocabulary.urgency_rank(f.urgency) for f in _rule_flags({**given, key: False}, legs)[0]}
        for f in _rule_flags({**given, key: True}, legs)[0]:
            if (key in f.because and vocabulary.urgency_rank(f.urgency) < without.get(f.id, 99)
                    and yeses & set(f.because)):
                return True
    return False


def follow_up_may_apply(key: str, answers: dict[str, Any]) -> bool:
    """Question `key`'s `ask_if` can still hold: each stem unanswered, "not sure" (it may be a yes), or answered
    as `ask_if` says. True for a stem."""
    ask_if = vocabulary.question(key).ask_if or {}
    return all(k not in answers or answers[k] == UNSURE or answers[k] is v for k, v in ask_if.items())


def open_questions(answers: dict[str, Any], features: dict[str, bool] | None = None,
                   kiosk_only: bool = True) -> tuple[str, ...]:
    """The red-flag questions still to ask, in asking order: not answered yet, and able to change the flags.

    A stem (a question with no `ask_if`) is always asked. A follow-up (`ask_if`) is asked while its stem can
    still give it (the stem unanswered, "not sure", or answered as `ask_if` says) and some rule trigger that
    reads it can still hold (`can_change_triage`): e.g. "smoker or heart trouble?" after a yes to tummy
    pain, but not at an age the aneurysm rule cannot reach. `kiosk_only`: leave out questions asked at the
    desk (`kiosk: false`). See docs/adr/0016-kiosk-safe-for-a-patient.md."""
    out = []
    for q in vocabulary.questions():
        if "red_flag" not in q.uses or q.kind != "yesno" or q.key in answers or (kiosk_only and not q.kiosk):
            continue
        if not q.ask_if or (follow_up_may_apply(q.key, answers) and can_change_triage(q.key, answers, features)):
            out.append(q.key)
    return tuple(out)
