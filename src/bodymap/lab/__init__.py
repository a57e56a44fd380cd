"""The laboratory: offline work on the matcher, never imported by the runtime.

- `lab.validation`: scores the matcher on the textbook vignettes and simulated cohorts;
- `lab.cohort`: the second cohort, drawn without the matcher's tables;
- `lab.calibration`: the temperature fit and its measurement;
- `lab.reliability_plot`: the reliability diagram (numpy and zlib, headless).

Run as `bodymap lab validate|calibrate` (or `python -m bodymap.lab.validation` etc.).
The runtime (matcher, windows, exports) imports nothing from here; the lab imports the core.
"""
