"""Issue 25: a clinic's fitted local prior reaches the live matcher only when asked for (opt-in),
can be switched off, and says where it came from."""
from __future__ import annotations

import json

import pytest

import bodymap
from bodymap import fileformat, matcher
from bodymap.painting import PainMap

SIDES = ("right", "left")


def _l5_or_s1(atlas, side):
    """Buttock, back of thigh and calf: a drawing that fits L5 and S1 alike (Albert 2019)."""
    m = PainMap(atlas)
    for st in ("buttock", "posterior_thigh", "calf"):
        m.paint_region(f"{side}_{st}", 0.6, "sharp")
    m.answers.update({"numbness": True, "age": 45})
    return m


def _prior_file(tmp_path, favour: str, name="prior.json"):
    ids = [p.id for p in matcher.get_model(local_prior=False).lib.patterns] + ["none"]
    prev = {k: (0.6 if k == favour else 0.4 / (len(ids) - 1)) for k in ids}
    doc = {"schema": matcher.LOCAL_PRIOR_SCHEMA, "cases": 120, "fitted": "2026-12-01T10:00:00Z",
           "fitted_by": "Dr Okafor", "folder": "/clinic/confirmed", "prevalence": prev}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _belief(r, pid):
    return next((h.probability for h in r.hypotheses if h.id == pid), 0.0)


@pytest.mark.parametrize("side", SIDES)
def test_a_fitted_local_prior_changes_the_ranking_and_switching_it_off_restores_it(atlas, tmp_path, monkeypatch,
                                                                                    side):
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
    m = _l5_or_s1(atlas, side)
    plain = bodymap.match(m, top_n=60)
    assert "local_prior" not in plain.summary  # off by default
    favour = next(h.id for h in plain.hypotheses[1:] if h.id in ("root_S1", "root_L5"))  # the runner-up root
    monkeypatch.setenv(matcher.LOCAL_PRIOR_ENV, str(_prior_file(tmp_path, favour)))
    local = bodymap.match(m, top_n=60)
    assert _belief(local, favour) > _belief(plain, favour)
    assert local.top.id == favour and local.top.side == side
    assert local.summary["local_prior"]["cases"] == 120 and local.summary["local_prior"]["fitted_by"] == "Dr Okafor"
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV)
    again = bodymap.match(m, top_n=60)
    assert again.to_json() == plain.to_json()
    # the model can also be asked for without it whatever the environment says
    monkeypatch.setenv(matcher.LOCAL_PRIOR_ENV, str(tmp_path / "prior.json"))
    assert matcher.get_model(atlas, local_prior=False).local_prior is None
    assert matcher.get_model(atlas).local_prior is not None


def test_match_on_the_command_line_uses_the_prior_shows_its_provenance_and_the_plain_top(atlas, tmp_path, cli,
                                                                                       monkeypatch):
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
    f = tmp_path / "m.bodymap"
    m = _l5_or_s1(atlas, "right")
    fileformat.save(m, f)
    plain = bodymap.match(m, top_n=60)
    favour = next(h.id for h in plain.hypotheses[1:] if h.id in ("root_S1", "root_L5"))
    prior = _prior_file(tmp_path, favour)
    r = cli("match", f, "--local-prior", prior)
    assert r.status == 0
    assert "Dr Okafor" in r.out and "120 confirmed cases" in r.out
    assert f"without it: {plain.top.name}" in r.out
    j = cli("match", f, "--local-prior", prior, "--json")
    assert json.loads(j.out)["summary"]["local_prior"]["file"] == str(prior)
    monkeypatch.setenv(matcher.LOCAL_PRIOR_ENV, str(prior))
    off = cli("match", f, "--no-local-prior", "--json")
    assert "local_prior" not in json.loads(off.out)["summary"]
    assert matcher.local_prior_path() == str(prior)  # the flag held for that command only
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV)
    folder = cli("match", tmp_path, "--local-prior", prior)
    favour_name = favour.replace("root_", "") + " nerve root"  # the folder lines are in words (ADR 0043)
    assert folder.status == 0 and "Dr Okafor" in folder.err and favour_name in folder.out


def test_a_bad_local_prior_file_is_one_clear_message(atlas, tmp_path, cli, monkeypatch):
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
    f = tmp_path / "m.bodymap"
    fileformat.save(_l5_or_s1(atlas, "left"), f)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something else"}')
    for p in (bad, tmp_path / "missing.json"):
        r = cli("match", f, "--local-prior", p)
        assert r.status == 2 and len(r.err_lines) == 1 and "local prior" in r.err and "Traceback" not in r.err


def test_lab_validate_measures_the_library_alone_whatever_the_environment_names(atlas, tmp_path, monkeypatch):
    from bodymap.lab.local import validate_folder

    m = _l5_or_s1(atlas, "right")
    plain = bodymap.match(m, top_n=60, local_prior=False)
    m.confirmed = {"diagnosis": plain.top.id, "how": "imaging", "date": "2026-11-30"}
    f = tmp_path / "maps" / "c.bodymap"
    f.parent.mkdir()
    fileformat.save(m, f)
    favour = next(h.id for h in plain.hypotheses[1:] if h.id in ("root_S1", "root_L5"))
    monkeypatch.setenv(matcher.LOCAL_PRIOR_ENV, str(_prior_file(tmp_path, favour)))
    assert bodymap.match(m, top_n=60).top.id == favour  # the live matcher follows the variable
    rep = validate_folder([f])
    assert rep.n == 1 and rep.cases[0].ranked[0] == plain.top.id


def test_a_local_prior_that_is_not_text_json_or_a_file_is_named_in_words_not_error_classes(atlas, tmp_path, cli,
                                                                                          monkeypatch):
    monkeypatch.delenv(matcher.LOCAL_PRIOR_ENV, raising=False)
    f = tmp_path / "m.bodymap"
    fileformat.save(_l5_or_s1(atlas, "left"), f)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": ')
    cases = {binary: "not UTF-8", broken: "not JSON", "/dev/null": "not a regular file"}
    for p, words in cases.items():
        r = cli("match", f, "--local-prior", p)
        assert r.status == 2 and len(r.err_lines) == 1 and words in r.err, (p, r.err)
        assert "Error" not in r.err and "Traceback" not in r.err  # no UnicodeDecodeError, JSONDecodeError
