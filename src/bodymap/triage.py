"""Triage: the one function every window and export asks for red flags, prompts and the ranking.

`assess(pain_map or document)` gives a `Triage`:

- `red_flags`: every flag (rules by pathology, "not sure" answers, flags recorded in
  the file that no rule raises again), most urgent first, each with `urgency`,
  `pathology`, `because` and `source` (`bodymap.redflags`);
- `prompts`: what the clinician should ask or weigh (saddle or both legs painted,
  red-flag questions left open, a follow-up not asked, lone risk factors, the
  prompt rules such as inflammatory back pain);
- `hypotheses` (`ranking`): the matcher's ranking, or `ranking_error`, the reason it
  failed. A matcher that raises never takes the flags or prompts with it.
- `caveat`: whenever a flag or a prompt is present, the line saying that the
  percentages assume no serious cause.

`hypothesis_words(h)` is the one wording of a hypothesis ("L5 nerve root (both
sides)") for every window and export. Headless: no pygame. See docs/adr/0012-triage.md.

>>> import bodymap
>>> m = bodymap.PainMap(bodymap.load_atlas())
>>> m.answers["saddle_numbness"] = "unsure"
>>> [(f.id, f.urgency, f.pathology) for f in assess(m, rank=False).red_flags]
[('cauda_equina_unsure', 'same_day', 'cauda_equina')]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import vocabulary
from .redflags import EMERGENCY, SAME_DAY, RedFlag, RiskFactor, by_urgency, evaluate, most_urgent  # noqa: F401

CAVEAT = ("These percentages assume no serious cause: the red flags and prompts come first, "
          "and a pattern that fits never rules out a serious cause.")
SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "both sides", "midline": "midline"}
DISTAL = ("back", "buttock", "thigh", "knee", "leg", "foot")
MAX_LISTED = 8  # open red-flag questions named one by one; more are counted (the answers list names them)
NOT_ASKED_LEAD = "Not asked at the kiosk, ask at the visit: "  # ADR 0042: the line under the red flags


def not_asked_at_kiosk(answers: dict[str, Any], both_legs: bool) -> tuple[str, ...]:
    """The red-flag questions a kiosk map leaves for the visit (ADR 0042): yes/no questions not answered (a
    "not sure" was asked), that may apply (a follow-up whose stem was not asked either may) and whose answer
    could still change a flag (`redflags.can_change_triage`; e.g. tummy pain under 50 cannot), in the
    vocabulary's order."""
    from .redflags import can_change_triage, follow_up_may_apply

    feats = {"both_legs_painted": bool(both_legs)}
    return tuple(k for k in vocabulary.red_flag_keys()
                 if vocabulary.question(k).kind == "yesno" and k not in answers and follow_up_may_apply(k, answers)
                 and can_change_triage(k, answers, feats))


def not_asked_line(keys, lang: str = "en") -> str | None:
    """"Not asked at the kiosk, ask at the visit: fever or chills, ...": the vocabulary's short words."""
    keys = list(keys)
    if not keys:
        return None
    return NOT_ASKED_LEAD + ", ".join(vocabulary.words(k, "short", lang) for k in keys) + "."


def side_words(side: str) -> str:
    """'both sides' for 'bilateral': the one wording of a hypothesis side."""
    return SIDE_WORDS.get(side, side)


# lines that are not a pattern with a side (matcher.NONE_ID, matcher.WIDESPREAD_ID): their shown name has no
# side, though the JSON keeps the painted side in `side` and the per-side numbers in `sides`
SIDELESS_IDS = ("none", "widespread_pain")


def shown_side(h: Any) -> str:
    """The side a hypothesis shows beside its name: '' for "no pattern fits well" and widespread pain."""
    if str(getattr(h, "id", "")) in SIDELESS_IDS:
        return ""
    return str(getattr(h, "side", "") or "")


def hypothesis_name(h: Any) -> str:
    """'L5 nerve root (both sides)': a hypothesis's name with its side, the same in every window
    ("No pattern fits well" alone: it is not a pattern with a side)."""
    name = str(getattr(h, "name", None) or getattr(h, "id", "?"))
    side = shown_side(h)
    if side and side.lower() not in name.lower() and side_words(side).lower() not in name.lower():
        name = f"{name} ({side_words(side)})"
    return name


def hypothesis_words(h: Any) -> str:
    """'62%  L5 nerve root (left), moderately consistent': percentage, name and side, band (ADR 0008)."""
    from .bands import band_text, hypothesis_band

    p = float(getattr(h, "probability", 0.0) or 0.0)
    return f"{100 * p:.0f}%  {hypothesis_name(h)}, {band_text(hypothesis_band(h))}"


def no_pattern_text(painted: bool) -> str:
    """Why there is no ranking, in the words of every report: an empty map, or paint only where no pattern
    scores (the saddle area prompts the cauda equina questions instead). "Nothing is painted below the neck"
    was printed for a drawing of saddle numbness."""
    if not painted:
        return "nothing is painted yet"
    return ("nothing is painted where a referral pattern is scored (the saddle area is not scored: it prompts "
            "the red-flag questions)")


def signed_points(x: float) -> str:
    """A change in percentage points with its sign, "+2.5" or "-0.7"; a change that rounds to nothing is "0.0",
    never "-0.0" (a slightly smaller drawing printed "(-0.0 points)")."""
    r = round(float(x), 1)
    return "0.0" if r == 0 else f"{r:+.1f}"


HAND_WORDS = ("hand", "palm", "finger", "thumb")


def both_hands_painted(regions: list[str]) -> bool:
    """Paint on both hands (region ids naming a hand, palm, finger or thumb on each side)."""
    sides = {r.split("_", 1)[0] for r in regions if any(w in r for w in HAND_WORDS)}
    return {"left", "right"} <= sides


def clinician_prompts(answers: dict[str, Any], most_distal: str | None, saddle: bool, both_legs: bool,
                      risks: list[RiskFactor] = (), regions: list[str] = (), not_asked=None) -> list[str]:
    """What the clinician should ask or weigh, from what is painted and answered (never a flag).

    `not_asked`: for a kiosk map, the questions it left for the visit (`not_asked_at_kiosk`): on their own
    line; the questions not answered then name only the "not sure" ones (a question left open that can no
    longer change a flag is not named)."""
    out = []
    if both_hands_painted(list(regions)) and answers.get("clumsy_hands_or_walking") is not True:
        out.append("Both hands are painted: ask about clumsy or numb hands and unsteady walking "
                   "(cervical myelopathy; Davies 2018).")
    unanswered = list(vocabulary.unanswered_red_flag_keys(answers))  # a follow-up that does not apply is not open
    if not_asked is not None:  # a kiosk map (ADR 0042)
        unanswered = [k for k in unanswered if answers.get(k) == "unsure"]
    if saddle:
        out.append("The saddle area (perineum) is painted: ask about bladder or bowel changes and saddle numbness "
                   "(cauda equina screen).")
    if both_legs:
        out.append("Both legs are painted: ask the cauda equina questions (bladder, bowel, saddle numbness, "
                   "new or worsening leg weakness, new sexual dysfunction).")
    follow = [k for k in unanswered if vocabulary.question(k).ask_if]
    for k in follow:
        out.append(f"Ask: {vocabulary.words(k, 'clinician')}? (a follow-up not yet answered)")
    rest = [k for k in unanswered if k not in follow]
    if rest and most_distal in DISTAL:
        unsure = [vocabulary.words(q, "short") + " (answered not sure)" for q in rest if answers.get(q) == "unsure"]
        if len(rest) > MAX_LISTED:  # most of them: a count, not a list that pushes the rest off the page
            asked = [k for k in vocabulary.red_flag_keys() if vocabulary.applies(k, answers)]
            out.append(f"Red-flag questions not answered: {len(rest)} of {len(asked)}; ask them"
                       + (f"; {', '.join(unsure)}" if unsure else "") + ".")
        else:
            said = [vocabulary.words(q, "short") + (" (answered not sure)" if answers.get(q) == "unsure" else "")
                    for q in rest]
            out.append(f"Red-flag questions not answered: {', '.join(said)}.")
    out += [x.prompt for x in risks]
    from .redflags import _holds

    feats = {"both_legs_painted": bool(both_legs)}
    out += [p.text for p in vocabulary.prompt_rules() if _holds(p, answers, feats)]
    return out


@dataclass(frozen=True)
class Case:
    """What triage reads of one map: the answers, two painted features, the summary and the recorded flags."""
    answers: dict[str, Any]
    both_legs: bool = False
    saddle: bool = False
    summary: dict[str, Any] = field(default_factory=dict)
    recorded: list[dict] = field(default_factory=list)
    at_kiosk: bool = False  # recorded at the kiosk: its unanswered red-flag questions were not asked (ADR 0042)

    @classmethod
    def of(cls, source: Any) -> "Case":
        """A Case from a PainMap (or a Case)."""
        if isinstance(source, Case):
            return source
        return cls(dict(source.answers), bool(source.both_legs_painted), bool(source.saddle_painted),
                   source.summary(), list(source.red_flags_recorded or []), recorded_at_kiosk(source))


def recorded_at_kiosk(pain_map: Any) -> bool:
    """The map was made at the kiosk (its visit's recorded_by)."""
    from .painting import RECORDED_AT_KIOSK

    return getattr(getattr(pain_map, "visit", None), "recorded_by", None) == RECORDED_AT_KIOSK


def _atlas():
    from .atlas import load_atlas

    return load_atlas()


@dataclass
class Triage:
    """Flags first, prompts, then the ranking (or why there is none). Quacks like a matcher Ranking."""
    red_flags: list[RedFlag]
    risk_factors: list[RiskFactor]
    prompts: list[str]
    ranking: Any = None  # a matcher.Ranking, or None
    ranking_error: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    not_asked_at_kiosk: list[str] = field(default_factory=list)  # ADR 0042: question keys left for the visit

    @property
    def not_asked_line(self) -> str | None:
        """The line right under the red flags: "Not asked at the kiosk, ask at the visit: ..." (None: none)."""
        return not_asked_line(self.not_asked_at_kiosk)

    @property
    def hypotheses(self) -> list[Any]:
        return list(getattr(self.ranking, "hypotheses", None) or [])

    @property
    def top(self) -> Any:
        hyps = self.hypotheses
        return hyps[0] if hyps else None

    @property
    def all_probabilities(self) -> dict:
        return dict(getattr(self.ranking, "all_probabilities", None) or {})

    @property
    def urgency(self) -> str | None:
        """The most urgent urgency of the flags, None without flags."""
        return most_urgent(self.red_flags)

    @property
    def caveat(self) -> str | None:
        """The line saying the percentages assume no serious cause, whenever a flag or prompt is present."""
        return CAVEAT if (self.red_flags or self.prompts or self.not_asked_at_kiosk) else None

    def to_json(self) -> dict[str, Any]:
        from .matcher import DISCLAIMER

        return {
            "red_flags": [f.to_json() for f in self.red_flags],
            "not_asked_at_kiosk": list(self.not_asked_at_kiosk),
            "urgency": self.urgency,
            "hypotheses": [h.to_json() for h in self.hypotheses],
            "prompts": list(self.prompts),
            "risk_factors": [x.to_json() for x in self.risk_factors],
            "summary": self.summary,
            "caveat": self.caveat,
            "ranking_error": self.ranking_error,
            "disclaimer": DISCLAIMER,
        }


def assess_case(case: Case, ranker: Callable[[], Any] | None = None) -> Triage:
    """Triage from a Case; `ranker()` gives the ranking (anything it raises becomes `ranking_error`)."""
    flags, risks = evaluate(case.answers, case.both_legs, case.recorded)
    not_asked = list(not_asked_at_kiosk(case.answers, case.both_legs)) if case.at_kiosk else []
    prompts = clinician_prompts(case.answers, case.summary.get("most_distal"), case.saddle, case.both_legs, risks,
                                list(case.summary.get("regions", [])), not_asked if case.at_kiosk else None)
    summary = {"extent_percent": round(float(case.summary.get("extent_percent", 0.0) or 0.0), 3),
               "regions": list(case.summary.get("regions", []))}
    ranking, error = None, None
    if ranker is not None:
        try:
            ranking = ranker()
        except Exception as exc:  # noqa: BLE001 - a failing matcher never hides a flag
            ranking, error = None, f"ranking failed ({type(exc).__name__}: {exc})"
    if ranking is not None:
        # one truth: the ranking carries the triage's flags and prompts, whatever the matcher computed
        ranking.red_flags, ranking.risk_factors = list(flags), list(risks)
        ranking.not_asked_at_kiosk = list(not_asked)
        extra = [p for p in getattr(ranking, "prompts", []) if p.startswith("No painted area")]
        ranking.prompts = prompts + extra
        prompts = ranking.prompts
        summary = dict(getattr(ranking, "summary", None) or summary)
    return Triage(flags, risks, prompts, ranking, error, summary, not_asked)


def assess(source: Any, *, rank: bool = True, top_n: int | None = None, patterns_path=None) -> Triage:
    """Triage a PainMap (or a `fileformat.Document`, or a `Case` with no ranking): flags, prompts, ranking.

    rank=False: flags and prompts only (the kiosk's check between screens)."""
    from .fileformat import Document, to_pain_map

    if isinstance(source, Document):
        source = to_pain_map(source, _atlas())
    case = Case.of(source)
    ranker = None
    if rank and not isinstance(source, Case):
        pain_map = source

        def ranker():
            from . import matcher

            kw = {"patterns_path": patterns_path}
            if top_n is not None:
                kw["top_n"] = top_n
            return matcher.match(pain_map, **kw)
    return assess_case(case, ranker)
