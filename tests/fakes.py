"""Stand-ins for the matcher's result types, shared by the window tests (so snapshots don't move with the patterns)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Ev:
    text: str
    direction: str
    source: str = "test source"


@dataclass
class Hyp:
    id: str
    side: str
    probability: float
    name: str
    evidence: list = field(default_factory=list)


@dataclass
class Flag:
    id: str
    text: str


@dataclass
class FakeRanking:
    red_flags: list
    hypotheses: list
    prompts: list
