"""Write ``data/sample-team-log.csv``: a synthetic season of post-run observations.

The log is invented (no real person): 15 athletes ``ATH-01`` .. ``ATH-15`` observed
after runs from 2026-03-01 to 2026-10-31, 300 single rows plus 22 entries of 8 multi-entry episodes (322 rows). It is generated with a fixed
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
  with commas and quotes so that escaping downstream is exercised;
* multi-entry episodes (issue 12): a first assessment and its rechecks share an
  ``episode_id`` (``EP-01`` ..), each entry with the actions given since the previous one
  (``treatment_given``): low glucose treated and recovering, low glucose treated twice and
  not recovering, heat exhaustion settling and not improving, a cramp settling with rest,
  a spasm passing the hour across three entries, a trembling hungry athlete treated with
  sugar but never measured. Their dates and athletes' run context are drawn with their own
  seeded generator, so the single rows above do not change.

Values are plausible illustrations for testing the software; they are not clinical data,
and the clinical thresholds they cross are defined in :mod:`kit.engine.thresholds`, not here.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kit.store.csvio import write_log_csv  # noqa: E402

SEED = 20260301
START = dt.datetime(2026, 3, 1, 6, 0)
END = dt.datetime(2026, 10, 31, 20, 0)
N_ATHLETES = 15
N_ROWS = 300
OUT = ROOT / "data" / "sample-team-log.csv"
#: Hot-day episodes (air temperature at least HOT_C, an illustration, not a clinical number) fall in
#: SUMMER_DAYS days from SUMMER.
HOT_C = 25.0
SUMMER = dt.datetime(2026, 6, 15, 6, 0)
SUMMER_DAYS = 75

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


#: Episode scripts: (athlete, first entry, [(minutes after the first entry, fields of that entry), ...]).
#: Each entry repeats what is still true (a recheck records the findings then, not only the changes).
_GLUCOSE = {"has_diabetes": True, "glucose_lowering_medication": True}
EPISODES: list[tuple[str, dict, list[tuple[int, dict]]]] = [
    (DIABETIC, {"intensity": "moderate", "hours_since_meal": 4.0, "carbs_during_run_g": 0.0}, [
        (0, {**_GLUCOSE, "tremor": True, "sweating": True, "hunger": True, "blood_glucose": 3.5,
             "blood_glucose_unit": "mmol/L", "treatment_given": ["oral_carbohydrate"]}),
        (15, {**_GLUCOSE, "tremor": True, "blood_glucose": 4.2, "blood_glucose_unit": "mmol/L"}),
        (30, {**_GLUCOSE, "tremor": False, "sweating": False, "blood_glucose": 5.6, "blood_glucose_unit": "mmol/L",
              "notes": "ate a sandwich, back to normal"}),
    ]),
    (DIABETIC, {"intensity": "hard", "hours_since_meal": 5.0}, [
        (0, {**_GLUCOSE, "tremor": True, "hunger": True, "blood_glucose": 58.0, "blood_glucose_unit": "mg/dL",
             "treatment_given": ["oral_carbohydrate"]}),
        (15, {**_GLUCOSE, "tremor": True, "blood_glucose": 61.0, "blood_glucose_unit": "mg/dL",
              "treatment_given": ["oral_carbohydrate"]}),
        (30, {**_GLUCOSE, "tremor": True, "sweating": True, "blood_glucose": 63.0, "blood_glucose_unit": "mg/dL",
              "notes": "glucose tablets twice, still low: ambulance called"}),
    ]),
    ("ATH-04", {"intensity": "race", "ambient_temp_c": 30.5}, [
        (0, {"nausea_vomiting": True, "dizziness": True, "confusion": False, "thirst": True,
             "treatment_given": ["rest", "legs_up"]}),
        (20, {"nausea_vomiting": True, "dizziness": True, "confusion": False, "treatment_given": ["drink_water"]}),
        (40, {"nausea_vomiting": True, "dizziness": True, "confusion": False,
              "notes": "still dizzy in the shade, driven to the clinic"}),
    ]),
    ("ATH-10", {"intensity": "hard", "ambient_temp_c": 28.0}, [
        (0, {"headache": True, "dizziness": True, "treatment_given": ["rest", "legs_up"]}),
        (15, {"headache": True, "dizziness": False, "treatment_given": ["drink_water"]}),
        (30, {"headache": False, "dizziness": False}),
    ]),
    ("ATH-03", {"intensity": "hard", "prevention_followed": True, "prior_episodes_30d": 3}, [
        (0, {"spasm": True, "spasm_duration_min": 25.0, "pain_score": 5.0, "treatment_given": ["stretch"]}),
        (20, {"spasm": True, "pain_score": 6.0, "treatment_given": ["stretch"]}),
        (40, {"spasm": True, "pain_score": 6.0, "notes": "calf still locked, over an hour since it began"}),
    ]),
    ("ATH-11", {"intensity": "moderate", "prevention_followed": True, "prior_episodes_30d": 2}, [
        (0, {"spasm": True, "spasm_duration_min": 6.0, "pain_score": 3.0, "treatment_given": ["rest"]}),
        (10, {"spasm": False, "pain_score": 1.0}),
    ]),
    ("ATH-13", {"intensity": "race", "hours_since_meal": 4.5}, [
        (0, {"tremor": True, "hunger": True, "sweating": True, "treatment_given": ["oral_carbohydrate"]}),
        (15, {"tremor": False, "hunger": False, "notes": "no meter at the finish"}),
    ]),
    ("ATH-07", {"intensity": "hard"}, [
        (0, {"spasm": True, "spasm_duration_min": 3.0, "pain_score": 4.0, "treatment_given": ["rest"]}),
        (10, {"spasm": True, "pain_score": 3.0, "treatment_given": ["rest"]}),
        (20, {"spasm": False, "pain_score": 1.0}),
    ]),
]


def _episodes(seed: int) -> list[dict]:
    """The multi-entry episodes (:data:`EPISODES`) on seeded days of the season (their own generator)."""
    rng = random.Random(seed + 1)
    span_days = (END - START).days
    rows: list[dict] = []
    for k, (athlete, context, entries) in enumerate(EPISODES, start=1):
        hot = context.get("ambient_temp_c", 0.0) >= HOT_C  # a hot-day episode falls in the summer months
        day = (SUMMER + dt.timedelta(days=rng.randrange(SUMMER_DAYS)) if hot
               else START + dt.timedelta(days=rng.randrange(span_days)))
        first = day.replace(hour=rng.choice([8, 9, 10, 17, 18]), minute=rng.choice([0, 5, 10, 20, 30, 40]))
        for minutes, fields in entries:
            row = {"athlete_id": athlete, "episode_id": f"EP-{k:02d}",
                   "observed_at": (first + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")}
            if minutes == 0:
                row.update(context)
            row.update(fields)
            rows.append(row)
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
    episodes = _episodes(seed)
    # Hostile / tricky notes, on fixed rows so the file always contains them.
    for i, note in enumerate(NOTES_HOSTILE[1:], start=1):
        rows[i * 37]["notes"] = note
    rows[100]["notes"] = NOTES_HOSTILE[0]
    rows.extend(episodes)
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
