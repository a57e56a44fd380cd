"""Red flags: rules on the patient's answers, kept apart from the matcher.

Cauda equina screening (NICE CKS / GIRFT; ../shared/clinical-evidence.md) and
serious-pathology signs. Nothing here depends on the referral patterns, so a
broken or missing pattern library can never hide a red flag: the windows fall
back to these rules when the matcher fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RedFlag:
    id: str
    text: str
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "reasons": list(self.reasons)}


RED_FLAG_QUESTIONS = ("bladder_bowel", "saddle_numbness", "fever_or_weight_loss", "recent_trauma", "cancer_history")
RED_FLAG_TEXT = {
    "cauda_equina": "Possible cauda equina warning signs: {reasons}. Needs same-day medical assessment; "
                    "do not wait for the pattern match.",
    "serious_pathology": "Possible serious-pathology warning signs: {reasons}. Needs prompt medical review.",
}


def red_flags(answers: dict[str, Any], both_legs: bool, recorded: list[dict] | None = None) -> list[RedFlag]:
    flags: list[RedFlag] = []
    ce = []
    if answers.get("bladder_bowel") is True:
        ce.append("new bladder or bowel problems")
    if answers.get("saddle_numbness") is True:
        ce.append("numbness in the saddle area")
    if answers.get("weakness") is True and both_legs:
        ce.append("weakness with pain in both legs")
    if ce:
        flags.append(RedFlag("cauda_equina", RED_FLAG_TEXT["cauda_equina"].format(reasons="; ".join(ce)), tuple(ce)))
    sp = []
    if answers.get("fever_or_weight_loss") is True:
        sp.append("fever, chills or unexplained weight loss")
    if answers.get("cancer_history") is True:
        sp.append("a history of cancer")
    if answers.get("recent_trauma") is True:
        sp.append("a recent fall or injury")
    if sp:
        flags.append(RedFlag("serious_pathology", RED_FLAG_TEXT["serious_pathology"].format(reasons="; ".join(sp)),
                             tuple(sp)))
    have = {f.id for f in flags}
    for rec in recorded or []:
        rid = rec.get("id")
        if isinstance(rid, str) and rid not in have:
            flags.append(RedFlag(rid, str(rec.get("text", "red flag recorded at the kiosk")), ()))
            have.add(rid)
    return flags




def flags_for_map(pain_map) -> list[RedFlag]:
    """The red flags of a pain map: from its answers, what it paints, and any recorded at the kiosk."""
    return red_flags(dict(pain_map.answers), pain_map.both_legs_painted, pain_map.red_flags_recorded)
