"""Write ``data/sample-team-log.csv``: a synthetic season of post-run observations.

The log is invented (no real person): 15 athletes ``ATH-01`` .. ``ATH-15`` observed
after runs from 2026-03-01 to 2026-10-31, about 300 rows. It is generated with a fixed
seed, so running this script again gives a byte-identical file::

    .venv/bin/python data/make_sample_log.py

What it contains, so the notebooks and the store have something realistic to show:

* most rows are ordinary post-run trembling or cramps (self care / monitor), and many
  rows have only some fields filled (the rest unknown), as in real sideline notes;
* ATH-03, ATH-07 and ATH-11 have recurrent spasms despite following prevention
  (``prevention_followed`` true, ``prior_episodes_30d`` >= 2);
* ATH-05 has diabetes and takes insulin, with some low glucose readings (in mg/dL and
  mmol/L);
* hot summer days bring dehydration (body-mass loss, dark urine shade, thirst);
* ATH-09 over-drinks (body-mass gain, sometimes a low point-of-care sodium);
* a handful of see-doctor and emergency rows (heat stroke, prolonged spasm, severe low);
* a ``notes`` column, sometimes filled, including hostile text (``<script>``) and text
  with commas and quotes so that escaping downstream is exercised.

Values are plausible illustrations for testing the software; they are not clinical data,
and the clinical thresholds they cross are defined in :mod:`kit.thresholds`, not here.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kit.io import write_log_csv  # noqa: E402

SEED = 20260301
START = dt.datetime(2026, 3, 1, 6, 0)
END = dt.datetime(2026, 10, 31, 20, 0)
N_ATHLETES = 15
N_ROWS = 300
OUT = ROOT / "data" / "sample-team-log.csv"

RECURRENT = {"ATH-03", "ATH-07", "ATH-11"}
DIABETIC = "ATH-05"
OVERDRINKER = "ATH-09"

NOTES_PLAIN = [
    "felt fine at the start, calves tight after 8 km",
    "cramp eased after stretching",
    "new shoes",
    "ran the hill repeats",
    "skipped breakfast",
    "says legs felt heavy all week",
    "shaky for a few minutes, then ok",
    "coach: \"watch the pace\", she went out too fast",
    "left calf, then right calf, then hamstring",
    "windy; long sleeves",
]
NOTES_HOSTILE = [
    "<script>alert(1)</script>",
    'said "it\'s nothing, really", then sat down, hands on knees',
    "café stop at 12 km; résumé of the week: 3 runs, 1 rest",
    "line one\nline two (multi-line note)",
]


def _season_temp(when: dt.datetime, rng: random.Random) -> float:
    """Air temperature: cool in March/October, hot peaks in July/August."""
    day = when.timetuple().tm_yday
    base = 8 + 21 * max(0.0, 1 - abs(day - 205) / 130)  # peak around late July
    return round(base + rng.gauss(0, 4), 1)


def _row(rng: random.Random, athlete: str, when: dt.datetime, mass: float) -> dict:
    """One observation: a base of run context, then a scenario on top."""
    temp = max(-5.0, min(40.0, _season_temp(when, rng)))
    intensity = rng.choices(["easy", "moderate", "hard", "race"], [4, 4, 2, 1])[0]
    duration = round(rng.uniform(25, 75) * {"easy": 1.0, "moderate": 1.1, "hard": 1.0, "race": 1.6}[intensity])
    pace = {"easy": 6.2, "moderate": 5.5, "hard": 4.9, "race": 4.6}[intensity] + rng.uniform(-0.4, 0.4)
    r: dict = {
        "athlete_id": athlete,
        "observed_at": when.strftime("%Y-%m-%dT%H:%M:%S"),
        "run_duration_min": float(duration),
        "run_distance_km": round(duration / pace, 1),
        "intensity": intensity,
        "ambient_temp_c": temp,
    }
    # Ordinary post-run state: trembling and/or a cramp, a little pain.
    r["tremor"] = rng.random() < 0.6
    r["spasm"] = rng.random() < 0.55
    if r["spasm"]:
        r["spasm_duration_min"] = float(rng.choice([1, 2, 3, 5, 5, 8, 10]))
    r["pain_score"] = float(rng.choice([0, 1, 2, 2, 3, 3, 4]))
    r["prevention_followed"] = rng.random() < 0.7
    r["prior_episodes_30d"] = rng.choice([0, 0, 0, 1])
    if rng.random() < 0.5:
        r["fluid_intake_ml"] = float(rng.choice([0, 150, 250, 400, 500, 750]))
    if rng.random() < 0.4:
        r["hours_since_meal"] = float(rng.choice([1, 2, 2.5, 3, 4]))
    if rng.random() < 0.35:
        r["body_mass_pre_kg"] = mass
        r["body_mass_post_kg"] = round(mass * (1 - rng.uniform(0.002, 0.015)), 1)
    if rng.random() < 0.3:
        r["urine_color"] = rng.choice([1, 2, 2, 3, 3, 4])
    if rng.random() < 0.3:
        r["heart_rate_bpm"] = float(rng.randint(80, 120))

    if athlete in RECURRENT and rng.random() < 0.6:
        r.update(spasm=True, prevention_followed=True, prior_episodes_30d=rng.randint(2, 5),
                 spasm_duration_min=float(rng.choice([3, 5, 8, 12, 20])), pain_score=float(rng.choice([3, 4, 5, 6])))
    if athlete == DIABETIC:
        r.update(has_diabetes=True, glucose_lowering_medication=True)
        if rng.random() < 0.8:
            low = rng.random() < 0.6
            if rng.random() < 0.5:
                r.update(blood_glucose=float(rng.choice([48, 58, 62, 66]) if low else rng.choice([95, 110, 140])),
                         blood_glucose_unit="mg/dL")
            else:
                r.update(blood_glucose=rng.choice([2.9, 3.3, 3.6]) if low else rng.choice([5.4, 6.8, 8.1]),
                         blood_glucose_unit="mmol/L")
            if low:
                r.update(tremor=True, sweating=True, hunger=rng.random() < 0.7, hours_since_meal=float(rng.choice([3, 4, 5])),
                         carbs_during_run_g=0.0)
    if temp >= 27 and rng.random() < 0.6 and athlete != OVERDRINKER:
        loss = rng.uniform(0.021, 0.045)
        r.update(body_mass_pre_kg=mass, body_mass_post_kg=round(mass * (1 - loss), 1), urine_color=rng.choice([5, 6, 7, 7, 8]),
                 thirst=True, fluid_intake_ml=float(rng.choice([0, 100, 200, 300])), electrolyte_drink=False)
    if athlete == OVERDRINKER and rng.random() < 0.55:
        r.update(fluid_intake_ml=float(rng.choice([2500, 3000, 3500, 4000])), body_mass_pre_kg=mass,
                 body_mass_post_kg=round(mass * (1 + rng.uniform(0.004, 0.02)), 1), thirst=False,
                 headache=rng.random() < 0.5, nausea_vomiting=rng.random() < 0.3)
        if rng.random() < 0.35:
            r["serum_sodium_mmol_l"] = float(rng.choice([131, 133, 134, 128]))
    if rng.random() < 0.25:
        r["notes"] = rng.choice(NOTES_PLAIN)

    # Partial records: drop a random share of the fields (unknown), never the athlete or time.
    keep = rng.choice([1.0, 1.0, 0.8, 0.6, 0.4])
    for k in list(r):
        if k not in ("athlete_id", "observed_at", "notes") and rng.random() > keep:
            del r[k]
    if r.get("body_mass_post_kg") is not None and r.get("body_mass_pre_kg") is None:
        del r["body_mass_post_kg"]
    if (r.get("blood_glucose") is None) != (r.get("blood_glucose_unit") is None):
        r.pop("blood_glucose", None)
        r.pop("blood_glucose_unit", None)
    if not r.get("spasm", True):
        r.pop("spasm_duration_min", None)
    return r


def _emergencies(rng: random.Random, athletes: list[str]) -> list[dict]:
    """A few rare serious presentations (see-doctor and emergency tiers)."""
    rows = [
        # exertional heat stroke on a hot race day
        {"athlete_id": "ATH-12", "observed_at": "2026-07-19T11:42:00", "intensity": "race", "run_duration_min": 95.0,
         "run_distance_km": 21.1, "ambient_temp_c": 33.5, "confusion": True, "core_temp_c": 40.9, "sweating": True,
         "heart_rate_bpm": 168.0, "notes": "collapsed near the finish, disoriented"},
        # prolonged spasm
        {"athlete_id": "ATH-07", "observed_at": "2026-05-23T09:15:00", "intensity": "hard", "spasm": True,
         "spasm_duration_min": 70.0, "pain_score": 8.0, "prevention_followed": True, "prior_episodes_30d": 4},
        # severe low in the diabetic athlete
        {"athlete_id": DIABETIC, "observed_at": "2026-08-30T18:05:00", "has_diabetes": True, "glucose_lowering_medication": True,
         "tremor": True, "sweating": True, "confusion": True, "blood_glucose": 2.6, "blood_glucose_unit": "mmol/L",
         "hours_since_meal": 5.0, "notes": 'partner said: "he skipped lunch, again"'},
        # dark urine with severe pain after a hard downhill session
        {"athlete_id": "ATH-14", "observed_at": "2026-06-11T19:30:00", "intensity": "hard", "run_duration_min": 80.0,
         "dark_urine": True, "pain_score": 7.0, "muscle_weakness": True, "muscle_swelling": True},
        # over-drinker with low sodium and confusion
        {"athlete_id": OVERDRINKER, "observed_at": "2026-09-13T14:20:00", "intensity": "race", "run_duration_min": 260.0,
         "run_distance_km": 42.2, "fluid_intake_ml": 6000.0, "body_mass_pre_kg": 71.0, "body_mass_post_kg": 72.4,
         "headache": True, "nausea_vomiting": True, "confusion": True, "serum_sodium_mmol_l": 127.0},
        # see-doctor tier: a long, painful cramp, prevention not followed
        {"athlete_id": "ATH-02", "observed_at": "2026-04-18T10:05:00", "spasm": True, "spasm_duration_min": 25.0,
         "pain_score": 7.0, "numbness_tingling": True, "notes": NOTES_HOSTILE[0]},
    ]
    return rows


def make_records(seed: int = SEED) -> list[dict]:
    """Build the sample log (deterministic for a given seed), sorted by time then athlete."""
    rng = random.Random(seed)
    athletes = [f"ATH-{i:02d}" for i in range(1, N_ATHLETES + 1)]
    masses = {a: round(rng.uniform(50, 85), 1) for a in athletes}
    masses[OVERDRINKER] = 71.0
    span = (END - START).total_seconds()
    rows: list[dict] = []
    for _ in range(N_ROWS - 6):
        a = rng.choice(athletes)
        when = START + dt.timedelta(seconds=rng.uniform(0, span))
        when = when.replace(minute=when.minute - when.minute % 5, second=0, microsecond=0)
        rows.append(_row(rng, a, when, masses[a]))
    rows.extend(_emergencies(rng, athletes))
    # Hostile / tricky notes, on fixed rows so the file always contains them.
    for i, note in enumerate(NOTES_HOSTILE[1:], start=1):
        rows[i * 37]["notes"] = note
    rows[100]["notes"] = NOTES_HOSTILE[0]
    rows.sort(key=lambda r: (r["observed_at"], r["athlete_id"]))
    return rows


def main() -> int:
    """Write the CSV and report its size."""
    rows = make_records()
    write_log_csv(rows, OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} observations of {len({r['athlete_id'] for r in rows})} athletes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
