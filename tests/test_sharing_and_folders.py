"""Where maps go and who may read them: the default maps folder, the kiosk's anonymous visit fields,
and the shared-folder option (group-readable spool and recovery; private stays the default)."""
from __future__ import annotations

import grp
import json
import os
import stat
from pathlib import Path

import pytest

import bodymap
from bodymap import fileformat
from bodymap.atomicio import PRIVATE, Sharing, prepare_folder, write_atomic
from bodymap.errors import ConfigError, FileWriteError
from bodymap.kiosk.config import KioskConfig, load_config
from bodymap.kiosk.flow import Kiosk
from bodymap.painting import RECORDED_AT_KIOSK, VISIT_FIELDS
from bodymap.paths import default_maps_dir

SRC = Path(__file__).resolve().parents[1] / "src" / "bodymap"
MY_GROUP = grp.getgrgid(os.getgid()).gr_name  # a group this account may always give its own folders


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


@pytest.fixture(autouse=True)
def _no_share_env(monkeypatch):
    monkeypatch.delenv("BODYMAP_SHARE_GROUP", raising=False)


def cfg_for(tmp_path, **kw) -> KioskConfig:
    return KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts",
                       recovery_dir=tmp_path / "recovery", idle_timeout_s=60, idle_warning_s=10,
                       autosave_interval_s=5, **kw)


def finish(k: Kiosk) -> str:
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.5, "sharp")
    k.to_questions()
    while k.screen == "question":
        key, kind = k.current_question
        k.answer({"scale": 4, "number": 50, "decade": "50s", "redflags": "none"}.get(kind, False))
    k.confirm()
    return s.code


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# ---------------------------------------------------------------------------
# The kiosk is anonymous


def test_a_kiosk_map_is_recorded_by_the_patient_and_has_no_identifier(tmp_path, atlas):
    k = Kiosk(cfg_for(tmp_path), atlas, clock=Clock())
    s = k.start()
    assert s.pain_map.visit.recorded_by == RECORDED_AT_KIOSK == "patient at kiosk"
    assert s.pain_map.visit.patient_id is None
    k.reset()
    code = finish(k)
    doc = json.loads((tmp_path / "spool" / f"{code}.bodymap").read_text())
    assert doc["recorded_by"] == "patient at kiosk"
    assert doc["patient_id"] is None and doc["note"] is None and doc["visit_date"] is None


def test_no_kiosk_code_touches_an_identifying_field():
    # the kiosk screens show only what the kiosk code reads: none of it reads or writes an identifier or note
    files = (sorted((SRC / "kiosk").rglob("*.py")) + sorted((SRC / "ui").glob("kiosk*.py"))
             + sorted((SRC / "ui" / "kiosk").rglob("*.py")))  # the kiosk screens, as one file or a package
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        for word in ("patient_id", "visit.note", ".note =", "visit_date"):
            assert word not in text, f"{f.name} mentions {word}"


# ---------------------------------------------------------------------------
# The default maps folder


def test_default_maps_dir_is_in_the_documents_folder(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.delenv("BODYMAP_MAPS", raising=False)
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(tmp_path / "Documents"))
    folder = default_maps_dir()
    assert folder == tmp_path / "Documents" / "bodymap"
    assert folder.is_dir() and mode(folder) == 0o700  # created on first use, private
    assert default_maps_dir() == folder  # and found again


def test_default_maps_dir_never_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("BODYMAP_MAPS", raising=False)
    monkeypatch.chdir(tmp_path)
    folder = default_maps_dir(create=False)
    assert folder.is_absolute() and folder != Path.cwd()
    assert Path(__file__).resolve().parents[1] not in folder.parents  # not the source checkout either


def test_bodymap_maps_overrides_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_MAPS", str(tmp_path / "clinic" / "maps"))
    assert default_maps_dir() == tmp_path / "clinic" / "maps"
    assert (tmp_path / "clinic" / "maps").is_dir()


def test_a_maps_folder_that_cannot_be_created_is_one_clear_error(tmp_path, monkeypatch):
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("BODYMAP_MAPS", str(tmp_path / "afile"))
    with pytest.raises(FileWriteError) as ei:
        default_maps_dir()
    assert "afile" in str(ei.value) and "BODYMAP_MAPS" in str(ei.value)
    monkeypatch.setenv("BODYMAP_MAPS", str(tmp_path / "afile" / "below"))
    with pytest.raises(FileWriteError) as ei:
        default_maps_dir()
    assert "cannot create" in str(ei.value) and "\n" not in str(ei.value)


# ---------------------------------------------------------------------------
# Private by default, group-readable on request


def test_the_kiosk_is_private_by_default(tmp_path, atlas):
    k = Kiosk(cfg_for(tmp_path), atlas, clock=Clock())
    code = finish(k)
    spool = tmp_path / "spool"
    assert mode(spool) == 0o700 and mode(spool / f"{code}.bodymap") == 0o600
    assert not (spool.stat().st_mode & stat.S_ISGID)


@pytest.mark.parametrize("how", ["config-group", "config-true", "env-group", "env-true"])
def test_the_shared_folder_option_makes_spool_and_recovery_group_readable(tmp_path, atlas, monkeypatch, how):
    value = MY_GROUP if how.endswith("group") else True
    if how.startswith("env"):
        monkeypatch.setenv("BODYMAP_SHARE_GROUP", value if isinstance(value, str) else "true")
        cfg = cfg_for(tmp_path)
    else:
        cfg = cfg_for(tmp_path, shared_folder_group=value)
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    code = finish(k)
    s = k.start()  # an unfinished session: its draft stays private
    s.pain_map.paint_region("left_calf", 0.5, "aching")
    clock.t += 10
    k.tick()
    spool, drafts = tmp_path / "spool", tmp_path / "drafts"
    assert mode(spool) == 0o2750 and mode(spool / f"{code}.bodymap") == 0o640
    assert (spool / f"{code}.bodymap").stat().st_gid == spool.stat().st_gid  # the setgid folder's group
    if isinstance(value, str):
        assert spool.stat().st_gid == grp.getgrnam(MY_GROUP).gr_gid
    assert mode(drafts) == 0o700 and mode(k.drafts.path_for(s.code)) == 0o600
    # a crash leaves the draft; at the next start it moves to the recovery folder, readable by the group
    k2 = Kiosk(cfg, atlas, clock=Clock())
    (moved,) = k2.recovered
    assert mode(tmp_path / "recovery") == 0o2750 and mode(moved) == 0o640
    assert moved.stat().st_gid == (tmp_path / "recovery").stat().st_gid


def test_turning_sharing_off_tightens_the_folders_again(tmp_path, atlas):
    finish(Kiosk(cfg_for(tmp_path, shared_folder_group=True), atlas, clock=Clock()))
    assert mode(tmp_path / "spool") == 0o2750
    code = finish(Kiosk(cfg_for(tmp_path, shared_folder_group=False), atlas, clock=Clock()))
    assert mode(tmp_path / "spool") == 0o700 and mode(tmp_path / "spool" / f"{code}.bodymap") == 0o600


@pytest.mark.parametrize("text, words", [
    ("shared_folder_group: no_such_group_xyz\n", "does not exist"),
    ("shared_folder_group: [a, b]\n", "group name"),
    ("shared_folder_group: 'bad name'\n", "group name"),
    ("shared_folder_group: 3\n", "group name"),
])
def test_a_bad_shared_folder_group_is_one_config_error(tmp_path, text, words):
    p = tmp_path / "kiosk.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as ei:
        load_config(p)
    assert words in str(ei.value) and str(p) in str(ei.value) and "\n" not in str(ei.value)


def test_an_unknown_group_in_the_environment_is_refused_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_SHARE_GROUP", "no_such_group_xyz")
    with pytest.raises(ConfigError) as ei:
        load_config(tmp_path / "missing.yaml")
    assert "BODYMAP_SHARE_GROUP" in str(ei.value)


def test_the_config_key_round_trips(tmp_path):
    from bodymap.kiosk.config import save_config

    cfg = cfg_for(tmp_path, shared_folder_group=MY_GROUP)
    p = save_config(cfg, tmp_path / "k.yaml")
    assert load_config(p).shared_folder_group == MY_GROUP
    assert load_config(save_config(cfg_for(tmp_path), tmp_path / "d.yaml")).shared_folder_group is None


def test_the_one_writer_takes_the_mode(tmp_path):
    shared = Sharing.parse(True, [tmp_path / "shared"])
    for folder, sharing, fmode, dmode in [(tmp_path / "shared", shared, 0o640, 0o2750),
                                          (tmp_path / "private", shared, 0o600, 0o700),
                                          (tmp_path / "plain", PRIVATE, 0o600, 0o700)]:
        prepare_folder(folder, sharing)
        f = write_atomic(folder / "m.bodymap", b"{}", sharing.file_mode(folder))
        assert (mode(folder), mode(f)) == (dmode, fmode), folder.name
    # a file that was wider is made private again when rewritten
    loose = tmp_path / "plain" / "loose.bodymap"
    loose.write_text("{}")
    os.chmod(loose, 0o644)
    fileformat.save(bodymap.PainMap(), loose)
    assert mode(loose) == 0o600


def test_the_maps_folder_is_shared_only_with_the_option(tmp_path, monkeypatch):
    maps = tmp_path / "maps"
    monkeypatch.setenv("BODYMAP_MAPS", str(maps))
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "aching")
    folder = default_maps_dir()
    private = fileformat.save(m, folder / "a.bodymap")
    assert (mode(folder), mode(private)) == (0o700, 0o600)
    monkeypatch.setenv("BODYMAP_SHARE_GROUP", MY_GROUP)
    assert default_maps_dir() == folder
    shared = fileformat.save(m, folder / "b.bodymap")
    assert (mode(folder), mode(shared)) == (0o2750, 0o640)
    assert shared.stat().st_gid == grp.getgrnam(MY_GROUP).gr_gid
    monkeypatch.chdir(folder)  # the same folder by a relative name is the same folder
    assert mode(fileformat.save(m, "c.bodymap")) == 0o640
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert mode(fileformat.save(m, elsewhere / "d.bodymap")) == 0o600  # only the maps folder is shared


def test_a_new_map_gets_a_safe_name_that_never_replaces_an_earlier_one(tmp_path):
    from datetime import date

    from bodymap.paths import map_file_stem, unused_map_path

    assert map_file_stem("MRN 004217", "2026-03-14") == "MRN-004217_2026-03-14"
    assert map_file_stem(None, None, today=date(2026, 3, 15)) == "map_2026-03-15"
    for hostile in ("../../etc/passwd", "/abs", "a\x00b", "..", "C:\\x", "-rf"):
        stem = map_file_stem(hostile, "2026-03-14")
        assert "/" not in stem and "\\" not in stem and "\x00" not in stem and not stem.startswith(("-", "."))
        assert unused_map_path(tmp_path, stem).parent == tmp_path
    first = unused_map_path(tmp_path, "MRN-1_2026-03-14")
    assert first == tmp_path / "MRN-1_2026-03-14.bodymap"
    first.write_text("{}")
    second = unused_map_path(tmp_path, "MRN-1_2026-03-14")
    assert second == tmp_path / "MRN-1_2026-03-14-2.bodymap"
    second.write_text("{}")
    assert unused_map_path(tmp_path, "MRN-1_2026-03-14").name == "MRN-1_2026-03-14-3.bodymap"


def test_unsetting_the_option_makes_the_maps_folder_private_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_MAPS", str(tmp_path / "maps"))
    monkeypatch.setenv("BODYMAP_SHARE_GROUP", "true")
    folder = default_maps_dir()
    m = fileformat.save(bodymap.PainMap(), folder / "a.bodymap")
    assert (mode(folder), mode(m)) == (0o2750, 0o640)
    monkeypatch.delenv("BODYMAP_SHARE_GROUP")
    assert mode(default_maps_dir()) == 0o700
    fileformat.save(bodymap.PainMap(), m)
    assert mode(m) == 0o600
