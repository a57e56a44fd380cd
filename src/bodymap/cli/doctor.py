"""`bodymap doctor [FOLDER ...] [--clean]`: what a killed save or a clinic's setup left in the maps folders.

It names, for the maps folder (BODYMAP_MAPS or the documents folder's "bodymap") and
every FOLDER given:

- temp files left by a save that was killed part-way (each holds a whole map; the
  painting window removes them at its next start, `--clean` removes them now);
- a folder whose mode is looser than docs/security.md documents (never changed:
  a clinic's share keeps its mode, ADR 0018);
- entries named `*.bodymap` that are not regular files (a FIFO, device or socket, or a
  symbolic link to one or to nothing: every reader refuses them by name).

Exit status 0 when nothing needs attention, 2 when something was named.
"""
from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from ..errors import UsageError

COMMANDS = ("doctor",)


def add_parsers(subparsers) -> None:
    sd = subparsers.add_parser("doctor", help="name leftover temp files, loose folder modes and odd files")
    sd.add_argument("folders", nargs="*", help="folders to check (default: the maps folder)")
    sd.add_argument("--clean", action="store_true", help="remove the leftover temp files found")


def run(args) -> int:
    from ..atomicio import file_kind, folder_looseness, leftover_temp_files
    from ..paths import default_maps_dir, maps_sharing

    folders = [Path(f) for f in args.folders] or [default_maps_dir(create=False)]
    found = 0
    for folder in folders:
        if not folder.is_dir():
            if not args.folders and folder.exists():  # BODYMAP_MAPS naming a file: it said "does not exist yet"
                raise UsageError(f"{folder}: the maps folder (BODYMAP_MAPS) is a file, not a folder; the painting "
                                 "window cannot save there: set BODYMAP_MAPS to a folder")
            if not args.folders:
                raise UsageError(f"{folder}: the maps folder does not exist yet (nothing has been saved there); "
                                 "give the folder to check")
            if folder.exists():  # `doctor visit.bodymap` said "no such folder" of a file that is there
                raise UsageError(f"{folder}: is a file, not a folder; give the folder that holds it")
            raise UsageError(f"{folder}: no such folder")
        loose = folder_looseness(folder, maps_sharing())  # only the maps folder may be shared
        if loose:
            print(f"loose folder: {loose}")
            found += 1
        for tmp in leftover_temp_files(folder):
            age_h = (time.time() - tmp.stat().st_mtime) / 3600
            if args.clean:
                try:
                    tmp.unlink()
                    print(f"removed leftover temp file: {tmp} ({age_h:.1f} h old)")
                except OSError as exc:
                    print(f"leftover temp file: {tmp} (cannot remove: {exc.strerror or exc})")
                    found += 1
            else:
                print(f"leftover temp file: {tmp} ({age_h:.1f} h old; a save killed part-way; "
                      "--clean removes it)")
                found += 1
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise UsageError(f"{folder}: cannot list ({exc.strerror or exc})") from None
        for e in entries:
            if e.name.lower().endswith(".bodymap"):
                odd = _odd_entry(e, file_kind)
                if odd:
                    print(f"not a map: {e.path} is {odd}")
                    found += 1
    if not found:
        print(f"nothing to report in {', '.join(str(f) for f in folders)}")
    return 2 if found else 0


def _odd_entry(e, file_kind) -> str | None:
    """What a `*.bodymap` entry is when no reader can open it as a map, or None: a folder, FIFO, device or socket,
    or a symbolic link to one of them or to nothing (a link to a regular file is read as that file)."""
    try:
        st = e.stat(follow_symlinks=False)
    except OSError:
        return None  # gone since the listing
    if stat.S_ISREG(st.st_mode):
        return None
    if not stat.S_ISLNK(st.st_mode):
        return file_kind(st.st_mode)
    try:
        target = os.stat(e.path)
    except OSError:
        return "a symbolic link to nothing"
    return None if stat.S_ISREG(target.st_mode) else f"a symbolic link to {file_kind(target.st_mode)}"
