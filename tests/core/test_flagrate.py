"""Issue 18: `make validate` reports the share of simulated pain-clinic patients at each urgency."""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from bodymap import flagrate
from bodymap.errors import ConfigError


@pytest.fixture(scope="module")
def prev():
    return flagrate.load_prevalence()


def test_every_share_has_a_source_and_a_label_and_every_question_a_share(prev):
    assert set(prev.labels.values()) <= {"R", "S", "M"}
    assert all(0 <= p <= 1 for p in prev.yes.values())


def test_nothing_yes_and_nothing_unsure_gives_no_flag(prev):
    quiet = dataclasses.replace(prev, yes={k: 0.0 for k in prev.yes}, unsure=0.0, both_legs=0.0)
    by_u, by_p = flagrate.rates(flagrate.simulate(quiet, 200, seed=3))
    assert by_u == {None: 200} and not by_p


def test_a_sure_emergency_answer_puts_everyone_at_emergency(prev):
    loud = dataclasses.replace(prev, yes={k: float(k == "bladder_bowel") for k in prev.yes}, unsure=0.0)
    by_u, by_p = flagrate.rates(flagrate.simulate(loud, 100, seed=3))
    assert by_u == {"emergency": 100} and by_p["cauda_equina"] == 100


def test_more_not_sure_never_lowers_the_flag_rate(prev):
    lo = flagrate.rates(flagrate.simulate(dataclasses.replace(prev, unsure=0.0), 400, seed=5))[0]
    hi = flagrate.rates(flagrate.simulate(dataclasses.replace(prev, unsure=0.2), 400, seed=5))[0]
    assert hi[None] <= lo[None]


def test_the_report_names_the_labels_and_a_day_of_patients(prev):
    lines = flagrate.report_lines(prev, 300, 1, 20)
    assert "team estimates" in lines[1]
    rows = [ln for ln in lines if ln.startswith("| Emergency") or ln.startswith("| Same day") or
            ln.startswith("| no flag")]
    shares = [float(r.split("|")[2].strip().rstrip("%")) for r in rows]
    assert len(rows) == 3 and sum(shares) == pytest.approx(100, abs=0.2)


def test_a_prevalence_file_missing_a_question_is_one_clear_error(tmp_path, prev, capsys):
    doc = yaml.safe_load(prev.path.read_text(encoding="utf-8"))
    del doc["answers"]["saddle_numbness"]
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ConfigError, match="saddle_numbness"):
        flagrate.load_prevalence(p)
    assert flagrate.main(["--prevalence", str(p), "--n", "10"]) == 2
    assert "saddle_numbness" in capsys.readouterr().err
