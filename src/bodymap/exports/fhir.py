"""`bodymap export FILE --fhir`: an HL7 FHIR R4 Bundle (type collection) for one pain map.

The Bundle holds:
- one QuestionnaireResponse: the yes/no answers, age and the 0-10 intensities;
- one Observation per painted region (coverage >= 2%, the matcher's threshold):
  bodySite (SNOMED CT body structure from regions/snomed.yaml where verified, the
  region's own name as text always), and components for the sensation(s), the
  patient's side (SNOMED laterality qualifier), the share of the region painted and
  the pain intensity (LOINC 72514-3);
- one Observation for the pain extent (% of body area);
- one Observation for the pattern ranking (when anything is painted): a component per
  (pattern, side) in the top five, its probability in %, and its band ("strongly /
  moderately / weakly consistent", docs/adr/0008) as the component's interpretation.

The visit fields (file format 2), each only when the map holds it:
- a Patient with only an identifier, the map's patient identifier under the system
  `urn:bodymap:patient-id` (or the clinic's own, from BODYMAP_PATIENT_ID_SYSTEM); no
  name, birth date or anything else. Every other resource's subject points at it;
- an Encounter (status finished, class ambulatory) whose period is the visit date;
  the QuestionnaireResponse and Observations point at it;
- who recorded the map as the QuestionnaireResponse's author (a display-only reference);
- the clinical note as an Observation with the note as its text value.
A kiosk map has none of them: the kiosk is anonymous, and the session code is carried as an
identifier so reception can attach the Bundle to the right record. The pattern
ranking is exported as an Observation of what the drawing is consistent with (local codes
`urn:bodymap:pattern` and `urn:bodymap:band`, never a Condition or a diagnosis code): it is
a decision aid, not a diagnosis, and says so in its note. It is not a RiskAssessment
because R4 requires a subject there and the kiosk is anonymous.

Codes: only those verified in regions/snomed.yaml; everything else is text. The
sensation codes use the local system `urn:bodymap:sensation`.
Validated in the tests against fhir.resources' R4B models (fhir.resources 8 ships
R5 by default plus R4B and STU3, no plain R4; R4B leaves Bundle, Observation and
QuestionnaireResponse as they are in R4).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__, vocabulary
from ..yamlio import read_yaml
from ..errors import ConfigError
from ..painting import SENSATION_WORDS, SENSATIONS, UNSURE, PainMap
from ..paths import regions_dir
from .common import PAINTED_MIN

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SENSATION_SYSTEM = "urn:bodymap:sensation"
SESSION_SYSTEM = "urn:bodymap:session-code"
PATIENT_ID_SYSTEM = "urn:bodymap:patient-id"  # the default; BODYMAP_PATIENT_ID_SYSTEM names the clinic's own
PATIENT_ID_SYSTEM_ENV = "BODYMAP_PATIENT_ID_SYSTEM"
ENCOUNTER_CLASS = ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory")
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
PAIN_SENSATIONS = ("aching", "sharp", "burning")

# {answer key: clinician label}, from the one vocabulary (regions/questions.yaml)
QUESTION_TEXT = vocabulary.clinician_words("en")
FLAG_PRIORITY_URL = "http://hl7.org/fhir/StructureDefinition/flag-priority"  # R4 core extension on Flag
FLAG_PRIORITY_SYSTEM = "http://hl7.org/fhir/flag-priority-code"  # PH high, PM medium, PL low, PN no alarm
URGENCY_SYSTEM = "urn:bodymap:red-flag-urgency"
PATHOLOGY_SYSTEM = "urn:bodymap:red-flag-pathology"  # the flag's pathology (issue 18)


@lru_cache(maxsize=2)
def snomed_table(path: str | None = None) -> dict[str, Any]:
    p = Path(path) if path else regions_dir() / "snomed.yaml"
    doc = read_yaml(p, ConfigError, what="the SNOMED table")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.snomed/1":
        raise ConfigError(f"{p}: schema must be 'bodymap.snomed/1'")
    for key in ("stems", "laterality", "concepts", "sensations"):
        if not isinstance(doc.get(key), dict):
            raise ConfigError(f"{p}: '{key}' must be a mapping")
    for stem, e in doc["stems"].items():
        if (not isinstance(e, dict) or not str(e.get("code", "")).isdigit() or not e.get("display")
                or not e.get("source")):
            raise ConfigError(f"{p}: stems.{stem} needs a numeric code, a display and a source")
    return doc


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    c = {"system": system, "code": str(code)}
    if display:
        c["display"] = display
    return c


def _fhir_datetime(s: str | None) -> str | None:
    """A FHIR dateTime from the file's ISO time (which bodymap writes as ...Z); None if unparsable."""
    if not s:
        return None
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat().replace("+00:00", "Z")


def patient_id_system() -> str:
    """The identifier system for the patient identifier: BODYMAP_PATIENT_ID_SYSTEM, or urn:bodymap:patient-id."""
    system = os.environ.get(PATIENT_ID_SYSTEM_ENV, "").strip()
    if not system:
        return PATIENT_ID_SYSTEM
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", system):
        raise ConfigError(f"{PATIENT_ID_SYSTEM_ENV}={system!r} is not a URI (e.g. https://clinic.example.org/mrn "
                          "or urn:oid:1.2.3)")
    return system


def bundle_for(m: PainMap, *, now: datetime | None = None, id_system: str | None = None) -> dict[str, Any]:
    """The FHIR R4 Bundle (as a JSON-ready dict) for one pain map.

    `id_system` is the patient identifier's system (default: `patient_id_system()`).
    """
    tab = snomed_table()
    created = _fhir_datetime(m.meta.get("created"))
    session = m.meta.get("session_code")
    visit = m.visit.as_dict()
    seed = hashlib.sha256()
    for v in ("front", "back"):
        seed.update(m.layers(v).tobytes())
    seed.update(json.dumps([created, session, dict(m.answers), m.intensity] + ([visit] if visit else []),
                           sort_keys=True, default=str).encode())
    base = uuid.UUID(bytes=seed.digest()[:16])

    def new_id(k: int) -> str:
        return str(uuid.uuid5(base, str(k)))

    entries = []
    # the visit: a Patient that is only an identifier, and the Encounter of the visit date
    links: dict[str, Any] = {}  # subject / encounter references for every resource below
    if m.visit.patient_id:
        pid = new_id(2000)
        entries.append(_entry(pid, {"resourceType": "Patient", "identifier": [
            {"system": id_system or patient_id_system(), "value": m.visit.patient_id}]}))
        links["subject"] = {"reference": f"urn:uuid:{pid}"}
    if m.visit.visit_date:
        eid = new_id(2001)
        enc: dict[str, Any] = {"resourceType": "Encounter", "status": "finished",
                               "class": _coding(*ENCOUNTER_CLASS),
                               "period": {"start": m.visit.visit_date, "end": m.visit.visit_date}}
        if "subject" in links:
            enc["subject"] = links["subject"]
        entries.append(_entry(eid, enc))
        links["encounter"] = {"reference": f"urn:uuid:{eid}"}
    # red flags first, most urgent first: a Flag resource each, so no reader of the record can miss them.
    # R4 Flag has no priority element: the urgency goes in the core flag-priority extension (and as our own code).
    from ..triage import assess

    t = assess(m)  # flags even when the matcher fails (issue 18)
    for k, flag in enumerate(t.red_flags):
        fid = new_id(1000 + k)
        entries.append(_entry(fid, {
            "resourceType": "Flag",
            "extension": [{"url": FLAG_PRIORITY_URL, "valueCodeableConcept": {
                "coding": [_coding(FLAG_PRIORITY_SYSTEM, vocabulary.fhir_priority(flag.urgency)),
                           _coding(URGENCY_SYSTEM, flag.urgency, vocabulary.urgency_label(flag.urgency))],
                "text": vocabulary.urgency_label(flag.urgency)}}],
            "status": "active",
            "category": [{"coding": [_coding("http://terminology.hl7.org/CodeSystem/flag-category", "clinical",
                                             "Clinical")], "text": "red flag"}],
            "code": {"coding": [_coding("urn:bodymap:red-flag", flag.id),
                                _coding(PATHOLOGY_SYSTEM, flag.pathology, vocabulary.pathology_label(flag.pathology))],
                     "text": flag.text},
            "subject": links.get("subject") or {"display": f"bodymap session {session}" if session
                                                else "bodymap session"},
            **({"encounter": links["encounter"]} if "encounter" in links else {}),
        }))
    qr_id = new_id(0)
    qr = _questionnaire_response(m, qr_id, created, session)
    entries.append({"fullUrl": f"urn:uuid:{qr_id}", "resource": _linked(qr, links)})
    cov = m.region_coverage(min_fraction=0.0)
    painted = [rid for rid in m.painted_regions() if cov[rid] >= PAINTED_MIN]
    ext = m.extent_percent()
    entries.append(_entry(new_id(1), _linked(_extent_observation(m, ext, created, qr_id), links)))
    for k, rid in enumerate(painted):
        obs = _region_observation(m, rid, cov[rid], created, qr_id, tab)
        entries.append(_entry(new_id(k + 2), _linked(obs, links)))
    ranking = _ranking_observation(t, created, qr_id)
    if ranking:
        entries.append(_entry(new_id(900), _linked(ranking, links)))
    for k, obs in enumerate(research_observations(m, created, qr_id)):  # issue 25: indices, confirmed diagnosis
        entries.append(_entry(new_id(902 + k), _linked(obs, links)))
    if m.visit.note:
        entries.append(_entry(new_id(901), _linked(_note_observation(m.visit.note, created, qr_id), links)))
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "resourceType": "Bundle",
        "id": str(base),
        "meta": {"tag": [_coding("urn:bodymap:app", "bodymap", f"bodymap {__version__}")]},
        "type": "collection",
        "timestamp": stamp,
        "entry": entries,
    }


def _linked(resource: dict, links: dict[str, Any]) -> dict:
    """The resource with its subject (the Patient) and encounter, where the map has them, after its type."""
    if not links:
        return resource
    out = {"resourceType": resource["resourceType"]}
    if "id" in resource:
        out["id"] = resource["id"]
    out.update(resource)
    for k, v in links.items():
        out[k] = v
    return out


def _note_observation(note: str, created: str | None, qr_id: str) -> dict:
    obs = _base_observation(created, qr_id)
    obs["category"] = [{"coding": [_coding(CATEGORY_SYSTEM, "exam", "Exam")]}]
    obs["code"] = {"text": "Clinical note recorded with the pain map"}
    obs["valueString"] = note
    return obs


INDEX_SYSTEM = "urn:bodymap:index"
CONFIRMED_SYSTEM = "urn:bodymap:confirmed-how"


def research_observations(m: PainMap, created: str | None, qr_id: str) -> list[dict]:
    """The standard indices (one Observation, a component each) and, when set, the confirmed diagnosis."""
    from ..indices import indices_for_map

    idx = indices_for_map(m)
    obs = _base_observation(created, qr_id)
    obs["code"] = {"coding": [_coding(INDEX_SYSTEM, "indices")],
                   "text": "Standard pain-extent indices from the body map (ACR 2016 WPI, Michigan Body Map, CHOIR)"}
    obs["component"] = [
        {"code": {"coding": [_coding(INDEX_SYSTEM, "wpi")], "text": "Widespread pain index (ACR 2016), 0-19"},
         "valueInteger": idx.wpi},
        {"code": {"coding": [_coding(INDEX_SYSTEM, "generalised_pain")],
                  "text": "Generalised pain (ACR 2016): pain in at least 4 of 5 regions"},
         "valueBoolean": idx.generalised_pain},
        {"code": {"coding": [_coding(INDEX_SYSTEM, "mbm_count")], "text": "Michigan Body Map areas, 0-35"},
         "valueInteger": idx.mbm_count},
        {"code": {"coding": [_coding(INDEX_SYSTEM, "choir_segment_count")], "text": "CHOIR body map segments, 0-74"},
         "valueInteger": idx.choir_segment_count},
        {"code": {"coding": [_coding(INDEX_SYSTEM, "body_area_percent")], "text": "Painted body area"},
         "valueQuantity": {"value": round(idx.body_area_percent, 2), "unit": "%", "system": UCUM, "code": "%"}},
    ]
    out = [obs]
    c = getattr(m, "confirmed", None)
    if c:
        conf = _base_observation(created, qr_id)
        conf["category"] = [{"coding": [_coding(CATEGORY_SYSTEM, "exam", "Exam")]}]
        conf["code"] = {"text": "Diagnosis confirmed after the pain map (recorded by the clinic)"}
        conf["valueString"] = c["diagnosis"]
        conf["method"] = {"coding": [_coding(CONFIRMED_SYSTEM, c["how"])], "text": f"confirmed by {c['how']}"}
        if c.get("date"):
            conf["component"] = [{"code": {"text": "Date confirmed"}, "valueDateTime": c["date"]}]
        out.append(conf)
    return out


def _entry(rid: str, resource: dict) -> dict:
    resource["id"] = rid
    return {"fullUrl": f"urn:uuid:{rid}", "resource": resource}


def _questionnaire_response(m: PainMap, rid: str, created: str | None, session: str | None) -> dict:
    items = []
    for key in QUESTION_TEXT:
        if key not in m.answers:
            continue
        v = m.answers[key]
        if v == UNSURE:  # neither yes nor no: the patient's own words, as text
            ans = {"valueString": "not sure"}
        else:
            ans = {"valueBoolean": v} if isinstance(v, bool) else {"valueInteger": int(v)}
        items.append({"linkId": key, "text": QUESTION_TEXT[key], "answer": [ans]})
    for key in ("overall",) + SENSATIONS:
        if key in m.intensity:
            what = "Overall pain intensity" if key == "overall" else f"Intensity of {SENSATION_WORDS[key]}"
            items.append({"linkId": f"intensity.{key}", "text": f"{what} (0-10)",
                          "answer": [{"valueInteger": int(m.intensity[key])}]})
    qr: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "id": rid, "status": "completed"}
    if session:
        qr["identifier"] = {"system": SESSION_SYSTEM, "value": session}
    if created:
        qr["authored"] = created
    if m.visit.recorded_by:  # "patient at kiosk" or a clinician's name: who entered the answers
        qr["author"] = {"display": m.visit.recorded_by}
    if items:
        qr["item"] = items
    return qr


def _base_observation(created: str | None, qr_id: str) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [_coding(CATEGORY_SYSTEM, "survey", "Survey")]}],
    }
    if created:
        obs["effectiveDateTime"] = created
    obs["derivedFrom"] = [{"reference": f"urn:uuid:{qr_id}"}]
    return obs


def _extent_observation(m: PainMap, ext: dict, created: str | None, qr_id: str) -> dict:
    obs = _base_observation(created, qr_id)
    obs["code"] = {"text": "Pain extent: painted area as % of body area (front and back views)"}
    obs["valueQuantity"] = {"value": round(ext["total"], 2), "unit": "%", "system": UCUM, "code": "%"}
    obs["component"] = [
        {"code": {"text": f"Painted area, {v} view (% of that view)"},
         "valueQuantity": {"value": round(ext[v], 2), "unit": "%", "system": UCUM, "code": "%"}}
        for v in ("front", "back")
    ]
    return obs


def _region_observation(m: PainMap, rid: str, coverage: float, created: str | None, qr_id: str,
                        tab: dict) -> dict:
    region = m.atlas.region(rid)
    sens_cov = {s: m.region_coverage(s).get(rid, 0.0) for s in SENSATIONS}
    present = [s for s in SENSATIONS if sens_cov[s] > 0]
    obs = _base_observation(created, qr_id)
    pain = tab["concepts"]["pain"]
    if any(s in PAIN_SENSATIONS for s in present):
        obs["code"] = {"coding": [_coding(pain["system"], pain["code"], pain["display"])],
                       "text": "Pain painted on the body map"}
    else:
        obs["code"] = {"text": "Abnormal sensation painted on the body map"}
    site: dict[str, Any] = {"text": f"{region.name}, {region.view} view"}
    entry = tab["stems"].get(region.stem)
    if entry:
        site["coding"] = [_coding(tab.get("system", SNOMED), entry["code"], entry["display"])]
    obs["bodySite"] = site
    comps = []
    for s in present:
        codings = [_coding(SENSATION_SYSTEM, s, SENSATION_WORDS[s])]
        sct = tab["sensations"].get(s)
        if sct:
            codings.append(_coding(SNOMED, sct["code"], sct["display"]))
        comps.append({"code": {"text": "Sensation"},
                      "valueCodeableConcept": {"coding": codings, "text": SENSATION_WORDS[s]}})
    if region.side in ("left", "right"):
        lat = tab["laterality"]
        comps.append({"code": {"coding": [_coding(SNOMED, lat["attribute"]["code"], lat["attribute"]["display"])],
                               "text": "Patient's side"},
                      "valueCodeableConcept": {"coding": [_coding(SNOMED, lat[region.side]["code"],
                                                                  lat[region.side]["display"])],
                                               "text": region.side}})
    comps.append({"code": {"text": "Share of the region painted"},
                  "valueQuantity": {"value": round(100 * coverage, 1), "unit": "%", "system": UCUM, "code": "%"}})
    sev = tab["concepts"]["pain_severity"]
    if "overall" in m.intensity:
        comps.append({"code": {"coding": [_coding(sev["system"], sev["code"], sev["display"])],
                               "text": "Overall pain intensity (0-10)"},
                      "valueInteger": int(m.intensity["overall"])})
    for s in present:
        if s in m.intensity:
            if s in PAIN_SENSATIONS:
                code = {"coding": [_coding(sev["system"], sev["code"], sev["display"])],
                        "text": f"Intensity of {SENSATION_WORDS[s]} pain (0-10)"}
            else:
                code = {"text": f"Intensity of {SENSATION_WORDS[s]} (0-10)"}
            comps.append({"code": code, "valueInteger": int(m.intensity[s])})
    obs["component"] = comps
    return obs


RANKING_TOP = 5
PATTERN_SYSTEM = "urn:bodymap:pattern"
BAND_SYSTEM = "urn:bodymap:band"


def _ranking_observation(t, created: str | None, qr_id: str) -> dict | None:
    """The top (pattern, side) hypotheses of a triage with probability and band, or None when nothing is
    matched (or the matcher failed: the Flags above still stand)."""
    from ..bands import band_text
    from ..matcher import DISCLAIMER
    from ..triage import hypothesis_name

    hyps = t.hypotheses[:RANKING_TOP]
    if not hyps:
        return None
    obs = _base_observation(created, qr_id)
    obs["code"] = {"text": "bodymap pattern ranking: referral patterns the pain map is most consistent with"}
    obs["component"] = [
        {"code": {"coding": [_coding(PATTERN_SYSTEM, h.id, h.name)], "text": hypothesis_name(h)},
         "valueQuantity": {"value": round(100 * h.probability, 1), "unit": "%", "system": UCUM, "code": "%"},
         "interpretation": [{"coding": [_coding(BAND_SYSTEM, h.band, band_text(h.band))],
                             "text": band_text(h.band)}]}
        for h in hyps]
    obs["note"] = [{"text": DISCLAIMER}] + ([{"text": t.caveat}] if t.caveat else [])
    return obs


# FHIR strings may not hold characters below 32 other than tab, newline and carriage return
# (FHIR R4 datatypes, "string"); bodymap.textsafe refuses them on reading, and this is the last guard.
_FHIR_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def dumps(bundle: dict) -> str:
    stack: list[Any] = [bundle]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if _FHIR_FORBIDDEN.search(v):
                raise ConfigError("the map holds control characters, which a FHIR Bundle may not carry")
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
