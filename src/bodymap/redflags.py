"""Red flags: rules on the patient's answers, kept apart from the matcher.

Cauda equina screening (NICE CKS / GIRFT; ../shared/clinical-evidence.md) and
serious-pathology signs and risk factors. The rules, their urgencies and their
sources live in regions/questions.yaml (read through `bodymap.vocabulary`); this
module only evaluates them. Nothing here depends on the referral patterns, so a
broken or missing pattern library can never hide a red flag: the windows fall
back to these rules when the matcher fails.

Every flag carries an urgency, `emergency` (cauda equina: act now) or `same_day`
(a clinician today), and `because`: the answer keys that raised it. Flags are
always listed most urgent first (`by_urgency`).

A lone risk factor (new pain over 50, night pain, thoracic pain, osteoporosis,
injecting drug use, immunosuppression, long-term steroids) is not a red flag: it
is a `RiskFactor`, shown to the clinician as a prompt. Two risk factors of one
rule, or one beside a serious-pathology sign, raise that rule's flag (its
`combine` in questions.yaml). See docs/adr/0009-red-flag-urgency.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from . import vocabulary
from .vocabulary import URGENCIES, Trigger

EMERGENCY, SAME_DAY = URGENCIES
OLD_SOON = "soon"  # a lone risk factor's urgency in files written between ADR 0009's first and second versions


@dataclass(frozen=True)
class RedFlag:
    id: str
    text: str
    reasons: tuple[str, ...] = ()
    urgency: str = SAME_DAY  # emergency | same_day
    because: tuple[str, ...] = ()  # the answer keys that raised it

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "reasons": list(self.reasons), "urgency": self.urgency,
                "because": list(self.because)}

    @property
    def urgency_label(self) -> str:
        return vocabulary.urgency_label(self.urgency)


def _red_flag_questions() -> tuple[str, ...]:
    return vocabulary.red_flag_keys()


RED_FLAG_QUESTIONS = _red_flag_questions()  # the red-flag question keys, from the vocabulary
RED_FLAG_TEXT = {rule.id: f"{rule.title}: {{reasons}}." for rule in vocabulary.flag_rules()}


def flag_text(title: str, reasons: Iterable[str], urgency: str) -> str:
    """'Emergency - Possible cauda equina warning signs: ... Needs assessment now; ...': urgency first, so
    every window that shows the text shows the urgency too."""
    return (f"{vocabulary.urgency_label(urgency)} - {title}: {'; '.join(reasons)}. "
            f"{vocabulary.urgency_advice(urgency)}").strip()


def _holds(trigger: Trigger, answers: dict[str, Any], features: dict[str, bool]) -> bool:
    for key, want in trigger.when.items():
        if key in features:
            if features[key] is not want:
                return False
        elif want == "unanswered":
            if key in answers and answers[key] != "unsure":  # "unsure" leaves the question open
                return False
        elif isinstance(want, dict):  # {over: N} on a number
            v = answers.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or not v > want["over"]:
                return False
        elif answers.get(key) is not want:
            return False
    return True


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


def _evaluate(answers: dict[str, Any], both_legs: bool) -> tuple[list[RedFlag], list[RiskFactor]]:
    features = {"both_legs_painted": bool(both_legs)}
    flags: list[RedFlag] = []
    in_flags: set[str] = set()
    lone: dict[str, RiskFactor] = {}
    for rule in vocabulary.flag_rules():
        if rule.unless and any(f.id == rule.unless for f in flags):
            continue
        fired = [t for t in rule.triggers if _holds(t, answers, features)]
        risk = [t for t in fired if t.risk_factor]
        signs = [t for t in fired if t.sign]
        combined = rule.combine is not None and bool(risk) and len(risk) + len(signs) >= rule.combine.needs
        plain = [t for t in fired if t.raises]
        if not plain and not combined:
            for t in risk:
                old = lone.get(t.risk_factor)
                lone[t.risk_factor] = RiskFactor(t.risk_factor, t.reason, _because([t]),
                                                 (old.rules if old else ()) + (rule.id,))
            continue
        urgencies = [t.urgency for t in fired if t.urgency] + ([rule.combine.urgency] if combined else [])
        urgency = min(urgencies, key=vocabulary.urgency_rank)
        reasons = tuple(t.reason for t in fired)
        flags.append(RedFlag(rule.id, flag_text(rule.title, reasons, urgency), reasons, urgency, _because(fired)))
        in_flags.update(t.risk_factor for t in risk)
    # a risk factor already in a raised flag (e.g. steroids, in infection and fracture risk) is not listed again
    return flags, [rf for rid, rf in lone.items() if rid not in in_flags]


def _because(fired) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for t in fired for k in t.answer_keys if t.when[k] != "unanswered"))


def risk_factors(answers: dict[str, Any], both_legs: bool = False) -> list[RiskFactor]:
    """The risk factors these answers give that raise no flag (each alone is not a red flag), in rule order."""
    return _evaluate(answers, both_legs)[1]


def red_flags(answers: dict[str, Any], both_legs: bool, recorded: list[dict] | None = None) -> list[RedFlag]:
    """The red flags raised by these answers (and by both legs being painted), most urgent first.

    `recorded`: flags saved in the file (e.g. at the kiosk) that these rules do not raise
    again are kept as they were written, so a flag is never lost. The one exception: a
    flag a file recorded as `soon` under one of these rules was a lone risk factor; the
    answers still give it, now as a risk factor (`risk_factors`), not a flag.
    """
    flags, _ = _evaluate(answers, both_legs)
    have = {f.id for f in flags}
    rule_ids = {rule.id for rule in vocabulary.flag_rules()}
    for rec in recorded or []:
        rid = rec.get("id") if isinstance(rec, dict) else None
        if isinstance(rid, str) and rid not in have:
            urg = rec.get("urgency")
            if urg == OLD_SOON and rid in rule_ids:
                continue
            because = rec.get("because")
            flags.append(RedFlag(rid, str(rec.get("text", "red flag recorded at the kiosk")), (),
                                 urg if urg in URGENCIES else SAME_DAY,
                                 tuple(str(b) for b in because) if isinstance(because, list) else ()))
            have.add(rid)
    return by_urgency(flags)


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
