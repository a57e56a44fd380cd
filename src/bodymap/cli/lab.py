"""`bodymap lab calibrate|validate`: the offline laboratory (bodymap.lab) from the command line.

- `bodymap lab validate`: score the matcher on the textbook vignettes and the simulated cohorts
  (bodymap.lab.validation, then the second cohort of bodymap.lab.calibration); `--docs` rewrites
  docs/validation.md and its reliability diagram. `make validate` runs the same.
- `bodymap lab calibrate`: refit the temperature on the second cohort into
  regions/calibration.yaml, then report (and with `--docs` rewrite the docs). `make calibrate`.
- `bodymap lab validate FOLDER`: a clinic's own confirmed cases (bodymap.lab.local, issue 25);
  the one `lab` parser lives in cli/research.py, which hands the other forms to `run` here.
"""
from __future__ import annotations

from ..errors import UsageError
from .status import ExitStatus

def add_lab_parsers(lab_sub, validate) -> None:
    """Add to `bodymap lab` (its parser lives in cli/research.py with `lab validate FOLDER`): the package
    validation's options on `validate` and the `calibrate` command."""
    validate.add_argument("--docs", action="store_true",
                          help="without a FOLDER: rewrite docs/validation.md and its reliability diagram")
    validate.add_argument("-n", type=int, default=1500,
                          help="without a FOLDER: drawings per simulated cohort (default 1500, at least 50)")
    c = lab_sub.add_parser("calibrate", help="refit the temperature on the second cohort into regions/calibration.yaml")
    c.add_argument("--docs", action="store_true", help="then rewrite docs/validation.md and its reliability diagram")
    c.add_argument("-n", type=int, default=1500, help="drawings per seed of the second cohort (default 1500)")


def run(args) -> int:
    if getattr(args, "lab_cmd", None) is None:
        raise UsageError("lab needs a command: calibrate or validate (see 'bodymap lab --help')")
    if args.n < 50:
        raise UsageError(f"-n must be at least 50, got {args.n}")
    from ..lab import calibration, validation

    if args.lab_cmd == "calibrate":
        _ok(calibration.run(fit=True, docs=False, n=args.n))
    _ok(validation.report(fit=False, docs=args.docs, n=args.n))
    _ok(calibration.run(fit=False, docs=args.docs, n=args.n))
    return ExitStatus.OK


def _ok(status: int) -> None:
    if status != 0:
        raise UsageError("the laboratory run failed (see the lines above)")
