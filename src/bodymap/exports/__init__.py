"""Clinician exports and research tools (headless).

- `report`: a one-page PDF for the chart (bodymap.exports.report).
- `export --fhir`: an HL7 FHIR R4 Bundle (bodymap.exports.fhir).
- `export --csv`: one row per map for a folder (bodymap.exports.csvexport).
- `export --parquet`: the same columns, typed, as Parquet (bodymap.exports.parquetexport; needs pyarrow).
- CHOIR Body Map codes, read and written (bodymap.exports.choir; the table in choir.yaml).
- `heatmap`, `stats`: frequency maps and region statistics over many maps (bodymap.exports.research).
- `import-regions`: CHOIR- or Michigan-style checkbox data to .bodymap files (bodymap.exports.importer).

Folder commands stream: each file is decoded to its layer bitfields (as bodymap.batch
does) and dropped before the next one is read, so 10,000 maps fit in a few MB.
Nothing here imports pygame except through bodymap.ui.
"""
from __future__ import annotations

__all__ = ["common", "report", "fhir", "csvexport", "parquetexport", "choir", "research", "importer", "cli"]
