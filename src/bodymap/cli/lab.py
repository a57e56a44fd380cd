"""`bodymap lab calibrate|validate`: the offline laboratory (bodymap.lab) from the command line.

- `bodymap lab validate`: score the matcher on the textbook vignettes and the simulated cohorts
  (bodymap.lab.validation, then the second cohort of bodymap.lab.calibration); `--docs` rewrites
  docs/validation.md and its reliability diagram. `make validate` runs the same.
- `bodymap lab calibrate`: refit the temperature on the second cohort into
  regions/calibration.yaml, then report (and with `--docs` rewrite the docs). `make calibrate`.
- `bodymap lab validate FOLDER`: a clinic's own confirmed cases. Not part of this module: it is
  `bodymap.lab.local.validate_folder(folder, args)` when that module exists (issue 25); the
  parser already takes the FOLDER so the command line stays one.
"""
from __future__ import annotations

from ..errors import UsageError
from .status import ExitStatus

COMMANDS = ("lab",)


def add_parsers(subparsers) -> None:
    lab = subparsers.add_parser("lab", help="the offline laboratory: validate or recalibrate the matcher")
    sub = lab.add_subparsers(dest="lab_cmd", parser_class=type(lab))
    v = sub.add_parser("validate", help="score the matcher on the vignettes and simulated cohorts "
                                        "(or, given a FOLDER, on a clinic's confirmed cases)")
    v.add_argument("folder", nargs="?", help="a folder of confirmed cases (when bodymap.lab.local is installed)")
    v.add_argument("--docs", action="store_true", help="rewrite docs/validation.md and its reliability diagram")
    v.add_argument("-n", type=int, default=1500, help="drawings per simulated cohort (default 1500, at least 50)")
    c = sub.add_parser("calibrate", help="refit the temperature on the second cohort into regions/calibration.yaml")
    c.add_argument("--docs", action="store_true", help="then rewrite docs/validation.md and its reliability diagram")
    c.add_argument("-n", type=int, default=1500, help="drawings per seed of the second cohort (default 1500)")


def run(args) -> int:
    if args.lab_cmd is None:
        raise UsageError("lab needs a command: calibrate or validate (see 'bodymap lab --help')")
    if args.n < 50:
        raise UsageError(f"-n must be at least 50, got {args.n}")
    from ..lab import calibration, validation

    if args.lab_cmd == "validate" and args.folder is not None:
        return validate_folder(args)
    if args.lab_cmd == "calibrate":
        _ok(calibration.run(fit=True, docs=False, n=args.n))
    _ok(validation.report(fit=False, docs=args.docs, n=args.n))
    _ok(calibration.run(fit=False, docs=args.docs, n=args.n))
    return ExitStatus.OK


def validate_folder(args) -> int:
    """The hook for `bodymap lab validate FOLDER` (bodymap.lab.local, a clinic's confirmed cases)."""
    import importlib

    try:
        local = importlib.import_module("bodymap.lab.local")
    except ModuleNotFoundError as exc:
        if exc.name != "bodymap.lab.local":
            raise
        raise UsageError("validating a folder of confirmed cases needs bodymap.lab.local, "
                         "which this version does not have") from None
    return ExitStatus(local.validate_folder(args.folder, args))


def _ok(status: int) -> None:
    if status != 0:
        raise UsageError("the laboratory run failed (see the lines above)")
