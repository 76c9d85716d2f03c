"""Every clinical number the kit uses, with its unit, meaning and source.

This is the kit's one source of truth for thresholds. The rules
(:mod:`kit.engine.rules`), the advice texts (:mod:`kit.engine.advice`), the thresholds notebook
and the README table all read :data:`THRESHOLDS`; nothing else hard-codes a clinical
number. Each entry carries the status tag of ``docs/reference/clinical-reference.md``:
``confirmed`` (primary source), ``secondary`` (secondary summary of the named source),
``design`` (the kit's own engineering choice, not a clinical standard; needs clinical
sign-off), ``unconfirmed`` (a number the reference could not verify). Where two rules
share a number, each has its own row, so changing one rule never silently moves another.

References
----------
.. [1] American Diabetes Association. Standards of Care in Diabetes-2024, section 6.
       Diabetes Care 2024;47(Suppl 1):S111-S125.
.. [2] Cryer PE et al. Evaluation and management of adult hypoglycemic disorders:
       an Endocrine Society clinical practice guideline. J Clin Endocrinol Metab 2009;94(3):709-728.
.. [3] Sawka MN et al. ACSM position stand: exercise and fluid replacement.
       Med Sci Sports Exerc 2007;39(2):377-390.
.. [4] Hew-Butler T et al. Statement of the Third International Exercise-Associated
       Hyponatremia Consensus Development Conference, Carlsbad 2015. Clin J Sport Med 2015;25(4):303-320.
.. [5] Casa DJ et al. NATA position statement: exertional heat illnesses. J Athl Train 2015;50(9):986-1000.
.. [6] Armstrong LE et al. ACSM position stand: exertional heat illness during training
       and competition. Med Sci Sports Exerc 2007;39(3):556-572.
.. [7] Royal College of Physicians. National Early Warning Score (NEWS) 2. London, 2017.
.. [8] Armstrong LE et al. Urinary indices of hydration status. Int J Sport Nutr 1994 (8-shade chart).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Threshold", "THRESHOLDS", "Values", "T", "thresholds_table", "thresholds_markdown", "cite"]


@dataclass(frozen=True, slots=True)
class Threshold:
    """One clinical number.

    Attributes
    ----------
    key : str
        Identifier used by the rules.
    value : float
        The number.
    unit : str
        Its unit.
    comparison : str
        How the rules compare against it (``<``, ``>=``, ``factor``, ...).
    meaning : str
        What crossing it means, in words.
    source : str
        Short citation shown in evidence and tables.
    status : str
        ``confirmed``, ``secondary``, ``unconfirmed`` or ``design`` (see module docstring).
    section : str
        Section of ``docs/reference/clinical-reference.md``.
    """

    key: str
    value: float
    unit: str
    comparison: str
    meaning: str
    source: str
    status: str
    section: str


_ROWS: tuple[Threshold, ...] = (
    Threshold('glucose_mmol_to_mg_dl', 18.016, 'mg/dL per mmol/L', 'factor',
              'convert a glucose reading from mmol/L to mg/dL',
              'glucose molar mass 180.16 g/mol', 'confirmed', '0'),
    Threshold('glucose_meter_mg_dl_lo', 20, 'mg/dL', '>=',
              'lowest reading of a typical meter in mg/dL (below: LO)',
              'meter manuals (OneTouch, Accu-Chek, Dario)', 'secondary', '9.1 D1'),
    Threshold('glucose_meter_mg_dl_hi', 600, 'mg/dL', '<=',
              'highest reading of a typical meter in mg/dL (above: HI)',
              'meter manuals (OneTouch, Accu-Chek, Dario)', 'secondary', '9.1 D1'),
    Threshold('glucose_meter_mmol_l_lo', 1.1, 'mmol/L', '>=',
              'lowest reading of a typical meter in mmol/L (below: LO)',
              'meter manuals (OneTouch, Accu-Chek, Dario)', 'secondary', '9.1 D1'),
    Threshold('glucose_meter_mmol_l_hi', 33.3, 'mmol/L', '<=',
              'highest reading of a typical meter in mmol/L (above: read in mg/dL or HI)',
              'meter manuals (OneTouch, Accu-Chek, Dario)', 'secondary', '9.1 D1'),
    Threshold('glucose_reinterpret_max', 600, 'mmol/L as typed', '<=',
              "a 'mmol/L' value above the meter range up to this fits the mg/dL range: read as mg/dL (uncertain)",
              'clinical-reference §9.1 D1(b)', 'design', '9.1 D1'),
    Threshold('glucose_lo_mg_dl', 19, 'mg/dL', 'value',
              'glucose used for a LO reading (below the meter range: treat as low)',
              'clinical-reference §9.1 D1(c)', 'design', '9.1 D1'),
    Threshold('glucose_hi_mg_dl', 601, 'mg/dL', 'value',
              'glucose used for a HI reading (above the meter range)',
              'clinical-reference §9.1 D1(d)', 'design', '9.1 D1'),
    Threshold('glucose_warn_mg_dl_below', 35, 'mg/dL', '<',
              'a reading this low labelled mg/dL is probably mmol/L (warning glucose_unit_suspicious)',
              'contract (plausibility check)', 'design', '9.11'),
    Threshold('glucose_warn_mmol_l_above', 35, 'mmol/L', '>',
              'a reading this high labelled mmol/L is probably mg/dL (warning glucose_unit_suspicious)',
              'contract (plausibility check)', 'design', '9.11'),
    Threshold('mass_change_step_pct', 0.1, '% body mass', 'round to',
              'body-mass change is rounded to 0.1 % (half away from zero) before any comparison',
              'clinical-reference §0 / §9.1 D4', 'design', '9.1 D4'),
    Threshold('rate_min_run_min', 60, 'min', '>=',
              'fluid intake rate (mL/h) is computed only for runs of 60 min or more',
              'clinical-reference §0 / §9.1 D5', 'design', '9.1 D5'),
    Threshold('cold_context_ambient_c', 10, '°C', '<',
              "air below 10 °C: cold context (warm rest, no ice, cooling text 'measure first')",
              'clinical-reference §9.1 D15', 'design', '9.1 D15'),
    Threshold('cold_context_core_c', 35.0, '°C', '<',
              'core below 35.0 °C: cold context',
              'clinical-reference §9.1 D15', 'design', '9.1 D15'),
    Threshold('heat_context_core_c', 38.5, '°C', '>=',
              'raised core temperature: heat context',
              'clinical-reference §9.1 D16', 'design', '9.1 D16'),
    Threshold('heat_context_ambient_c', 27, '°C', '>=',
              'hot air temperature: heat context (a weak proxy for WBGT)',
              'clinical-reference §9.1 D16; ACSM 2007 WBGT bands', 'design', '9.1 D16'),
    Threshold('presumptive_reinterpreted_mg_dl', 70, 'mg/dL', '>=',
              'a reinterpreted (uncertain) reading of 70 mg/dL or more does not rule out presumptive hypoglycaemia',
              'clinical-reference §9.1 D20', 'design', '9.1 D20'),
    Threshold('hypo_level1_mg_dl', 70, 'mg/dL', '<',
              'hypoglycaemia alert value (level 1): treat with fast carbohydrate',
              'ADA 2024, level 1', 'confirmed', '1'),
    Threshold('hypo_level2_mg_dl', 54, 'mg/dL', '<',
              'clinically significant hypoglycaemia (level 2); with diabetes: regimen review (P4)',
              'ADA 2024, level 2', 'confirmed', '9.6 P4'),
    Threshold('whipple_mg_dl', 55, 'mg/dL', '<',
              "without diabetes: low enough to warrant a hypoglycaemia work-up (Whipple's triad, P4)",
              'Endocrine Society 2009 (Cryer)', 'confirmed', '9.6 P4'),
    Threshold('falling_glucose_lo_mg_dl', 70, 'mg/dL', '>=',
              'falling glucose: medicated athlete with symptoms at 70 mg/dL or more (below: hypoglycaemia)',
              'clinical-reference §9.2 falling_glucose', 'design', '9.2'),
    Threshold('falling_glucose_mg_dl', 90, 'mg/dL', '<',
              'falling glucose: medicated athlete with symptoms below 90 mg/dL (5.0 mmol/L; a pre-exercise figure applied after the run)',
              'ADA 2016 (Colberg) exercise table; ISPAD 2020', 'design', '9.2'),
    Threshold('hyperglycemia_mg_dl', 250, 'mg/dL', '>=',
              'hyperglycaemia: test ketones, no more exercise',
              'ADA 2016 (Colberg) exercise table (250-350 mg/dL)', 'confirmed', '9.2'),
    Threshold('hypo_score_zero_mg_dl', 250, 'mg/dL', '>=',
              'a measured reliable glucose of 250 mg/dL or more sets the hypoglycaemia cause score to 0',
              'clinical-reference §9.7', 'design', '9.7'),
    Threshold('dka_glucose_mg_dl', 200, 'mg/dL', '>=',
              'DKA criterion without known diabetes: glucose of 200 mg/dL or more',
              'Umpierrez 2024 (ADA/EASD/JBDS/AACE/DTS)', 'confirmed', '9.2'),
    Threshold('dka_ketones_mmol_l', 3.0, 'mmol/L', '>=',
              'DKA criterion: beta-hydroxybutyrate of 3.0 mmol/L or more',
              'Umpierrez 2024 (ADA/EASD/JBDS/AACE/DTS)', 'confirmed', '9.2'),
    Threshold('dka_glucose_symptoms_mg_dl', 250, 'mg/dL', '>=',
              'glucose of 250 mg/dL or more with vomiting, CNS signs or breathing difficulty: possible DKA',
              'clinical-reference §8F / §9.2 possible_dka', 'design', '9.2'),
    Threshold('ketosis_mmol_l', 1.5, 'mmol/L', '>=',
              'ketones of 1.5 mmol/L or more in diabetes: stop exercise, same-day assessment (U3)',
              'Riddell 2017 via Colberg summary', 'secondary', '9.2'),
    Threshold('ehs_core_c', 40.5, '°C', '>=',
              'exertional heat stroke: core temperature of 40.5 °C or more',
              'NATA 2015', 'confirmed', '9.2'),
    Threshold('ehs_cns_core_c', 39.0, '°C', '>=',
              'CNS signs with core of 39.0 °C or more: treat as exertional heat stroke',
              'clinical-reference §5 (CNS + rectal <= 40 °C = EHS)', 'design', '9.2'),
    Threshold('hyperthermia_core_c', 40.0, '°C', '>',
              'core over 40.0 °C without heat stroke criteria: hyperthermia, red flag',
              'ACSM 2007 heat illness; clinical-reference §9.2', 'design', '9.2'),
    Threshold('hypothermia_core_c', 35.0, '°C', '<',
              'hypothermia: core below 35.0 °C',
              'WMS 2019 (via AFP 2020)', 'secondary', '9.2'),
    Threshold('hypothermia_severe_core_c', 32.0, '°C', '<',
              'severe hypothermia: core below 32.0 °C',
              'WMS 2019 (via AFP 2020) staging', 'secondary', '9.2'),
    Threshold('hypothermia_severe_cns_core_c', 35.0, '°C', '<',
              'severe hypothermia: core below 35.0 °C with CNS signs',
              'clinical-reference §8C', 'design', '9.2'),
    Threshold('cold_stress_lo_c', 35.0, '°C', '>=',
              'cold stress: core from 35.0 °C',
              'NEWS2 2017 temperature band 35.1-36.0; clinical-reference §8C', 'design', '9.2'),
    Threshold('cold_stress_hi_c', 36.0, '°C', '<',
              'cold stress: core below 36.0 °C',
              'NEWS2 2017 temperature band 35.1-36.0', 'confirmed', '9.2'),
    Threshold('cold_stress_ambient_c', 10, '°C', '<',
              'presumptive cold stress: tremor, core unknown, air below 10 °C (tremor read as shivering)',
              'clinical-reference §8C', 'design', '9.2'),
    Threshold('overdrinking_rate_ml_h', 1500, 'mL/h', '>',
              'over-drinking: intake over 1.5 L/h (EAH risk table)',
              'EAH consensus 2008 risk table (via CJASN review)', 'secondary', '9.2'),
    Threshold('overdrinking_long_rate_ml_h', 800, 'mL/h', '>',
              'over-drinking in a long run: intake over 800 mL/h (upper end of IMMDA 400-800 mL/h)',
              'IMMDA 2006 (number not seen); clinical-reference §3', 'design', '9.2'),
    Threshold('overdrinking_long_run_min', 240, 'min', '>=',
              'over-drinking at 800 mL/h counts in runs of 4 h or more',
              'EAH risk table (> 4 h); clinical-reference §3', 'design', '9.2'),
    Threshold('overdrinking_loss_pct', 0.5, '% body mass', 'loss >=',
              'a measured mass loss of 0.5 % or more rules over-drinking out',
              'clinical-reference §0 scale tolerance', 'design', '9.2'),
    Threshold('eah_sodium_mmol_l', 135, 'mmol/L', '<',
              'exercise-associated hyponatraemia: serum sodium below 135 mmol/L within 24 h of exercise',
              'EAH consensus 2015; WMS 2019', 'confirmed', '9.2'),
    Threshold('eah_gain_pct', 0.5, '% body mass', 'gain >=',
              'body-mass gain of 0.5 % or more (beyond scale error): over-drinking, hyponatraemia risk',
              'ACSM 2007 (no gain); clinical-reference §0 scale tolerance', 'design', '9.2'),
    Threshold('eah_long_run_min', 240, 'min', '>=',
              'runs of 4 h or more: weight maintained counts as over-drinking',
              'EAH risk table (> 4 h); clinical-reference §3', 'design', '9.2'),
    Threshold('eah_maintained_loss_pct', 0.5, '% body mass', 'loss <',
              'weight maintained: less than 0.5 % lost over a run of 4 h or more',
              "clinical-reference §3 ('maintained' wording unconfirmed)", 'design', '9.2'),
    Threshold('eah_vomit_run_min', 240, 'min', '>=',
              'repeated vomiting after a run of 4 h or more: hyponatraemia risk (severe)',
              'clinical-reference §9.2 (review 2, R06)', 'design', '9.2'),
    Threshold('eah_severe_sodium_mmol_l', 130, 'mmol/L', '<',
              'measured sodium below 130 mmol/L with hyponatraemia: severe (emergency)',
              'clinical-reference §3 (design cut-off)', 'design', '9.2'),
    Threshold('mass_loss_pct', 2, '% body mass', 'loss >',
              'water deficit (dehydration flag): rounded loss over 2 % of body mass',
              'ACSM 2007 (Sawka)', 'confirmed', '9.2'),
    Threshold('urine_color_dehydrated', 7, 'chart shade', '>=',
              'urine shade 7-8: likely dehydrated (dehydration flag)',
              'Armstrong urine colour chart (practitioner bands)', 'secondary', '9.2'),
    Threshold('urine_color_hydrated_max', 3, 'chart shade', '<=',
              'urine shade 1-3: likely hydrated (dark urine recorded with such a shade is warned about)',
              'Armstrong urine colour chart (practitioner bands); clinical-reference §9.11', 'secondary', '9.11'),
    Threshold('urine_color_possibly_under', 4, 'chart shade', '>=',
              'urine shade 4-6: possibly under-hydrated (evidence only)',
              'Armstrong urine colour chart (practitioner bands)', 'secondary', '2'),
    Threshold('rhabdo_pain_with_dark_urine', 5, '/10', '>=',
              'dark urine with pain of 5/10 or more: rhabdomyolysis red flag',
              "O'Connor 2008; Nye 2021; clinical-reference §6", 'design', '9.2'),
    Threshold('rhabdo_risk_pain_triad', 6, '/10', '>=',
              'swelling and weakness with pain of 6/10 or more: rhabdomyolysis risk',
              "O'Connor 2008; Nye 2021; clinical-reference §6", 'design', '9.2'),
    Threshold('rhabdo_red_pain_triad', 6, '/10', '>=',
              'swelling and weakness with pain of 6/10 or more: rhabdomyolysis red flag',
              "O'Connor 2008; Nye 2021; clinical-reference §6", 'design', '9.2'),
    Threshold('compartment_pain', 6, '/10', '>=',
              'swelling with pain of 6/10 or more and numbness or weakness: compartment syndrome risk',
              'clinical-reference §8D', 'design', '9.2'),
    Threshold('dvt_pain', 3, '/10', '>=',
              'one swollen leg with pain of 3/10 or more: DVT risk',
              'clinical-reference §8D', 'design', '9.2'),
    Threshold('sickling_pain', 4, '/10', '>=',
              'sickle cell trait with pain of 4/10 or more: exertional sickling',
              'clinical-reference §8E', 'design', '9.2'),
    Threshold('prolonged_spasm_min', 60, 'min', '>=',
              'a spasm lasting an hour or more (counted across rechecks) needs immediate medical attention',
              "source article; Miller 2022 'serious EAMC'", 'design', '9.2'),
    Threshold('severe_pain', 8, '/10', '>=',
              "pain of 8/10 or more after stretching: 'extremely painful'",
              'source article; clinical-reference §7 (design mapping)', 'design', '9.2'),
    Threshold('severe_pain_spasm_min', 15, 'min', '>=',
              'severe pain with a spasm of 15 min or more: red flag (tissue damage)',
              'clinical-reference §9.3 (review 2, R19)', 'design', '9.3'),
    Threshold('hr_max_bpm', 220, 'bpm', '>=',
              'heart rate of 220 or more at any time: red (above the age-predicted maximum)',
              'clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_red_bpm', 130, 'bpm', '>',
              'heart rate over 130 after 10 min rest: red',
              'NEWS2 2017 pulse band >= 131; clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_red_rest_min', 10, 'min', '>=',
              'a heart rate over 130 counts as red only after 10 min rest',
              'clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_amber_bpm', 110, 'bpm', '>',
              'heart rate over 110 to 130 after 10 min rest: amber',
              'NEWS2 2017 pulse band 111-130; clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_amber_max_bpm', 130, 'bpm', '<=',
              'heart rate up to 130 after 10 min rest: amber (over 130: red)',
              'NEWS2 2017 pulse band 111-130; clinical-reference §9.2 heart_rate_amber', 'design', '9.2'),
    Threshold('hr_amber_rest_min', 10, 'min', '>=',
              'a heart rate over 110 counts as amber only after 10 min rest',
              'clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_low_bpm', 40, 'bpm', '<=',
              'heart rate of 40 or less with symptoms or within 10 min of stopping: red',
              'NEWS2 2017 pulse band <= 40; clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_low_early_min', 10, 'min', '<',
              'a heart rate of 40 or less within 10 min of stopping: red',
              'clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_low_amber_bpm', 40, 'bpm', '<=',
              'heart rate of 40 or less without symptoms (timing unknown or after 10 min): amber',
              'NEWS2 2017 pulse band <= 40; clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_low_amber_rest_min', 10, 'min', '>=',
              'a heart rate of 40 or less after 10 min rest without symptoms: amber',
              'clinical-reference §8B', 'design', '9.2'),
    Threshold('hr_not_scored_lo_bpm', 40, 'bpm', '>',
              'heart rates above 40 and below 220 are not scored before 10 min rest (warning)',
              'clinical-reference §9.11', 'design', '9.11'),
    Threshold('hr_not_scored_hi_bpm', 220, 'bpm', '<',
              'heart rates above 40 and below 220 are not scored before 10 min rest (warning)',
              'clinical-reference §9.11', 'design', '9.11'),
    Threshold('hr_not_scored_rest_min', 10, 'min', '<',
              'heart rate not scored when the run ended less than 10 min ago (or timing unknown)',
              'clinical-reference §9.11', 'design', '9.11'),
    Threshold('hr_confirm_bpm', 220, 'bpm', '>=',
              'heart rate of 220 or more: confirm by counting the pulse (wrist sensors can double-count)',
              'clinical-reference §9.11 (review 2)', 'design', '9.11'),
    Threshold('hr_rest_min', 10, 'min', 'interval',
              'heart rate is scored after 10 min rest: reassess at the 10-minute mark',
              'clinical-reference §8B / §9.10', 'design', '9.10'),
    Threshold('nsaid_exposure_run_min', 240, 'min', '>=',
              'NSAID taken with a run of 4 h or more: nsaid_exposure (amber)',
              'Wharam 2006; Lipman 2017; EAH risk table', 'design', '9.2'),
    Threshold('nsaid_long_run_min', 240, 'min', '>=',
              'NSAIDs contraindicated after a run of 4 h or more',
              'Wharam 2006; Lipman 2017; EAH risk table', 'design', '9.8'),
    Threshold('core_emergency_c', 40.0, '°C', '>',
              'core over 40.0 °C: NSAIDs contraindicated (antipyretics do not help heat illness)',
              'ACSM 2007; clinical-reference §9.8', 'design', '9.8'),
    Threshold('recurrent_episodes', 2, 'episodes / 30 d', '>=',
              'spasms recurring despite prevention (2 or more earlier episodes): see a doctor (P1)',
              'source article; clinical-reference §7 (design count)', 'design', '9.2'),
    Threshold('frequent_episodes', 3, 'episodes / 30 d', '>=',
              '3 or more earlier episodes (4 in 30 days incl. this one): see a doctor (P2)',
              'clinical-reference §9.2 (design count)', 'design', '9.2'),
    Threshold('recurrent_tremor_episodes', 2, 'episodes / 30 d', '>=',
              'tremor with 2 or more earlier episodes: possible recurrent hypoglycaemia (P3)',
              'clinical-reference §9.2 (design count)', 'design', '9.2'),
    Threshold('nerve_prior_episodes', 1, 'episodes / 30 d', '>=',
              'tingling with an earlier episode: possible nerve irritation (P5)',
              'clinical-reference §9.6 (design)', 'design', '9.6 P5'),
    Threshold('fatigue_prior_episodes', 1, 'episodes / 30 d', '>=',
              'an earlier episode adds evidence for muscle fatigue (previous cramps are a risk)',
              'Shang 2011 (risk factor); clinical-reference §4', 'design', '9.7'),
    Threshold('core_amber_lo_c', 38.5, '°C', '>=',
              'core from 38.5 °C: amber point (A4)',
              'clinical-reference §9.5 A4', 'design', '9.5'),
    Threshold('core_amber_hi_c', 40.0, '°C', '<=',
              'core up to 40.0 °C: amber point (A4; above: red)',
              'clinical-reference §9.5 A4', 'design', '9.5'),
    Threshold('mass_loss_amber_pct', 2, '% body mass', 'loss >',
              'rounded body-mass loss over 2 %: amber point (A1)',
              'ACSM 2007 (Sawka); clinical-reference §9.5 A1', 'design', '9.5'),
    Threshold('urine_color_amber', 7, 'chart shade', '>=',
              'urine shade 7 or darker: amber point (A2)',
              'Armstrong urine colour chart; clinical-reference §9.5 A2', 'design', '9.5'),
    Threshold('pain_amber', 5, '/10', '>=',
              'pain from 5/10: amber point (A8)',
              'clinical-reference §9.5 A8', 'design', '9.5'),
    Threshold('pain_amber_max', 8, '/10', '<',
              'pain below 8/10: amber point (A8; from 8: severe pain)',
              'clinical-reference §9.5 A8', 'design', '9.5'),
    Threshold('spasm_amber_min', 15, 'min', '>=',
              'a spasm from 15 min: amber point (A9)',
              'clinical-reference §9.5 A9', 'design', '9.5'),
    Threshold('spasm_amber_max_min', 60, 'min', '<',
              'a spasm below 60 min: amber point (A9; from 60: prolonged)',
              'clinical-reference §9.5 A9', 'design', '9.5'),
    Threshold('ketones_amber_lo_mmol_l', 0.6, 'mmol/L', '>=',
              'diabetes with ketones from 0.6 mmol/L: amber point (A18)',
              'Riddell 2017 via Colberg summary (0.6-1.4: address first)', 'secondary', '9.5'),
    Threshold('ketones_amber_hi_mmol_l', 1.5, 'mmol/L', '<',
              'diabetes with ketones below 1.5 mmol/L: amber point (A18; from 1.5: ketosis)',
              'Riddell 2017 via Colberg summary', 'secondary', '9.5'),
    Threshold('ketones_no_diabetes_mmol_l', 1.5, 'mmol/L', '>=',
              'ketones of 1.5 mmol/L or more without known diabetes: amber point (A18)',
              'clinical-reference §9.5 A18', 'design', '9.5'),
    Threshold('new_diabetes_lo_mg_dl', 250, 'mg/dL', '>=',
              'glucose of 250 mg/dL or more without known diabetes: same-day assessment (U15)',
              'NICE NG18 (timing unconfirmed); clinical-reference §8F', 'design', '9.4'),
    Threshold('new_diabetes_hi_mg_dl', 600, 'mg/dL', '<=',
              'U15 applies up to 600 mg/dL (above: HI reading, U5)',
              'clinical-reference §9.4 U15', 'design', '9.4'),
    Threshold('amber_monitor', 1, 'points', '>=',
              'amber total 1-4: monitor on site',
              'NEWS2 2017 structure; clinical-reference §9.5', 'design', '9.5'),
    Threshold('amber_urgent', 5, 'points', '>=',
              'amber total 5-6: urgent (same-day assessment; NEWS2 medium band)',
              'NEWS2 2017 (5-6 urgent response); clinical-reference §9.5', 'design', '9.5'),
    Threshold('amber_emergency', 7, 'points', '>=',
              'amber total of 7 or more: emergency (NEWS2 high band)',
              'NEWS2 2017 (>= 7 emergency response); clinical-reference §9.5', 'design', '9.5'),
    Threshold('missing_pain_muscle', 5, '/10', '>=',
              'pain of 5/10 or more: ask about dark urine (what would change the tier)',
              'clinical-reference §9.2 rhabdomyolysis_red (design use in missing)', 'design', '9.2'),
    Threshold('carb_treatment_min_g', 15, 'g', 'dose',
              'fast-acting carbohydrate for a conscious low (15-15 rule), lower end',
              'ADA 15-15 rule', 'confirmed', '1'),
    Threshold('carb_treatment_max_g', 20, 'g', 'dose',
              'fast-acting carbohydrate for a conscious low (15-15 rule), upper end',
              'ADA 15-15 rule', 'confirmed', '1'),
    Threshold('glucose_recheck_min', 15, 'min', 'interval',
              'recheck glucose this long after carbohydrate; repeat while still low',
              'ADA 15-15 rule', 'confirmed', '1'),
    Threshold('cwi_water_max_c', 15, '°C', '<',
              'cold-water immersion water temperature for heat stroke',
              'NATA 2015, table 4', 'confirmed', '5'),
    Threshold('cwi_stop_core_c', 38.9, '°C', '<=',
              'stop cold-water immersion when core temperature is about 38.6-38.9 °C (upper end)',
              'NATA 2015; Gagnon 2010', 'confirmed', '5'),
    Threshold('cwi_stop_core_low_c', 38.6, '°C', '>=',
              'stop cold-water immersion at about 38.6-38.9 °C (lower end)',
              'NATA 2015; Gagnon 2010', 'confirmed', '5'),
    Threshold('cwi_variant_c_cool_above_c', 40, '°C', '>',
              'cooling text on a cold day: above 40 °C cool now',
              'clinical-reference §9.8 (cold_water_immersion variant C)', 'design', '9.8'),
    Threshold('cwi_variant_c_rewarm_below_c', 35, '°C', '<',
              'cooling text on a cold day: below 35 °C rewarm',
              'clinical-reference §9.8 (cold_water_immersion variant C)', 'design', '9.8'),
    Threshold('cwi_block_core_c', 38.6, '°C', '<',
              'no cold-water immersion with a measured core below 38.6 °C (already cool)',
              'clinical-reference §9.8; NATA 2015 removal temperature', 'design', '9.8'),
    Threshold('rewarm_block_core_c', 37.5, '°C', '>=',
              'no active rewarming with a core of 37.5 °C or more (not cold)',
              'clinical-reference §9.8', 'design', '9.8'),
    Threshold('severe_hypothermia_core_c', 32.0, '°C', '<',
              'CPR cold variant: check breathing and pulse for up to 60 s below 32.0 °C',
              'WMS 2019; ERC 2021', 'secondary', '9.8'),
    Threshold('cpr_breath_check_s', 10, 's', 'interval',
              'check breathing for no more than 10 s',
              'AHA/ERC lay-rescuer wording (via training pages)', 'secondary', '9.8'),
    Threshold('cpr_cold_check_s', 60, 's', 'interval',
              'severe hypothermia: check breathing and pulse for up to 60 s',
              'WMS 2019; ERC 2021', 'secondary', '9.8'),
    Threshold('pulse_count_s', 30, 's', 'interval',
              'confirm a red heart rate by counting the pulse for 30 s',
              'clinical-reference §8B', 'design', '9.8'),
    Threshold('ice_pain_min', 3, '/10', '>=',
              'pain of 3/10 or more without a spasm: wrapped ice pack for soreness',
              'source article (ice for soreness); clinical-reference §9.8', 'design', '9.8'),
    Threshold('ice_minutes', 15, 'min', 'interval',
              'wrapped ice pack for soreness, 15 min',
              'clinical-reference §9.8', 'design', '9.8'),
    Threshold('reassess_monitor_min', 30, 'min', 'interval',
              'reassess a monitor-tier athlete within 30 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_see_doctor_min', 30, 'min', 'interval',
              'reassess a see_doctor-tier athlete within 30 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_urgent_min', 15, 'min', 'interval',
              'reassess an urgent-tier athlete within 15 min while arranging care',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_emergency_min', 5, 'min', 'interval',
              'emergency: recheck responsiveness and breathing (during cooling: rectal temperature) at least every 5 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_hypo_min', 15, 'min', 'interval',
              'any hypoglycaemia flag: reassess in 15 min (15-15 rule)',
              'ADA 15-15 rule', 'confirmed', '9.10'),
    Threshold('reassess_heat_min', 15, 'min', 'interval',
              'heat context or any heat flag: reassess in 15 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_spasm_min', 15, 'min', 'interval',
              'an ongoing spasm: reassess in 15 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_dehydration_min', 15, 'min', 'interval',
              'dehydration: reassess in 15 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_post_finish_collapse_min', 15, 'min', 'interval',
              'collapse after the finish: reassess in 15 min (most recover in 15-30 min)',
              'Asplund 2011; clinical-reference §8A', 'unconfirmed', '9.10'),
    Threshold('reassess_cold_min', 15, 'min', 'interval',
              'cold stress or hypothermia: reassess in 15 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_hyponatremia_min', 30, 'min', 'interval',
              'hyponatraemia risk: reassess in 30 min and until urinating freely',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_hyper_min', 30, 'min', 'interval',
              'hyperglycaemia or ketosis: reassess in 30 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_no_findings_min', 15, 'min', 'interval',
              'nothing recorded: reassess in 15 min',
              'clinical-reference §9.10', 'design', '9.10'),
    Threshold('reassess_k8_min', 15, 'min', 'interval',
              'low glucose not yet confirmed over by a reading (K8): reassess in 15 min',
              'clinical-reference §9.9 K8', 'design', '9.10'),
    Threshold('k_glucose_treatments', 2, 'observations', '>=',
              'oral carbohydrate given at 2 or more observations with a low still present: emergency (K1)',
              'clinical-reference §9.9 K1', 'design', '9.9'),
    Threshold('k_heat_exhaustion_min', 30, 'min', '>=',
              'heat exhaustion not improving 30 min after an earlier heat sign: urgent (K2)',
              'NATA 2015 (30-min improvement, secondary)', 'secondary', '9.9'),
    Threshold('k_not_improving_min', 30, 'min', '>=',
              'monitor not improving at 30 min: urgent (K3)',
              'clinical-reference §9.9 K3', 'design', '9.9'),
    Threshold('k8_glucose_over_mg_dl', 70, 'mg/dL', '>=',
              'a reliable reading of 70 mg/dL or more shows low glucose is over (K8; a reinterpreted reading does not count)',
              'clinical-reference §9.9 K8', 'design', '9.9'),
)

THRESHOLDS: dict[str, Threshold] = {t.key: t for t in _ROWS}


@dataclass(frozen=True, slots=True)
class Values:
    """The threshold values as declared, typed attributes: ``T.hypo_level1_mg_dl`` -> 70.0.

    One attribute per row of :data:`THRESHOLDS`, in the table's order. The attributes carry no
    values of their own: :data:`T` is built from the table (``tests/test_thresholds.py`` checks
    that the attribute names are exactly the table's keys and every value equals the table's).
    """

    glucose_mmol_to_mg_dl: float
    glucose_meter_mg_dl_lo: float
    glucose_meter_mg_dl_hi: float
    glucose_meter_mmol_l_lo: float
    glucose_meter_mmol_l_hi: float
    glucose_reinterpret_max: float
    glucose_lo_mg_dl: float
    glucose_hi_mg_dl: float
    glucose_warn_mg_dl_below: float
    glucose_warn_mmol_l_above: float
    mass_change_step_pct: float
    rate_min_run_min: float
    cold_context_ambient_c: float
    cold_context_core_c: float
    heat_context_core_c: float
    heat_context_ambient_c: float
    presumptive_reinterpreted_mg_dl: float
    hypo_level1_mg_dl: float
    hypo_level2_mg_dl: float
    whipple_mg_dl: float
    falling_glucose_lo_mg_dl: float
    falling_glucose_mg_dl: float
    hyperglycemia_mg_dl: float
    hypo_score_zero_mg_dl: float
    dka_glucose_mg_dl: float
    dka_ketones_mmol_l: float
    dka_glucose_symptoms_mg_dl: float
    ketosis_mmol_l: float
    ehs_core_c: float
    ehs_cns_core_c: float
    hyperthermia_core_c: float
    hypothermia_core_c: float
    hypothermia_severe_core_c: float
    hypothermia_severe_cns_core_c: float
    cold_stress_lo_c: float
    cold_stress_hi_c: float
    cold_stress_ambient_c: float
    overdrinking_rate_ml_h: float
    overdrinking_long_rate_ml_h: float
    overdrinking_long_run_min: float
    overdrinking_loss_pct: float
    eah_sodium_mmol_l: float
    eah_gain_pct: float
    eah_long_run_min: float
    eah_maintained_loss_pct: float
    eah_vomit_run_min: float
    eah_severe_sodium_mmol_l: float
    mass_loss_pct: float
    urine_color_dehydrated: float
    urine_color_hydrated_max: float
    urine_color_possibly_under: float
    rhabdo_pain_with_dark_urine: float
    rhabdo_risk_pain_triad: float
    rhabdo_red_pain_triad: float
    compartment_pain: float
    dvt_pain: float
    sickling_pain: float
    prolonged_spasm_min: float
    severe_pain: float
    severe_pain_spasm_min: float
    hr_max_bpm: float
    hr_red_bpm: float
    hr_red_rest_min: float
    hr_amber_bpm: float
    hr_amber_max_bpm: float
    hr_amber_rest_min: float
    hr_low_bpm: float
    hr_low_early_min: float
    hr_low_amber_bpm: float
    hr_low_amber_rest_min: float
    hr_not_scored_lo_bpm: float
    hr_not_scored_hi_bpm: float
    hr_not_scored_rest_min: float
    hr_confirm_bpm: float
    hr_rest_min: float
    nsaid_exposure_run_min: float
    nsaid_long_run_min: float
    core_emergency_c: float
    recurrent_episodes: float
    frequent_episodes: float
    recurrent_tremor_episodes: float
    nerve_prior_episodes: float
    fatigue_prior_episodes: float
    core_amber_lo_c: float
    core_amber_hi_c: float
    mass_loss_amber_pct: float
    urine_color_amber: float
    pain_amber: float
    pain_amber_max: float
    spasm_amber_min: float
    spasm_amber_max_min: float
    ketones_amber_lo_mmol_l: float
    ketones_amber_hi_mmol_l: float
    ketones_no_diabetes_mmol_l: float
    new_diabetes_lo_mg_dl: float
    new_diabetes_hi_mg_dl: float
    amber_monitor: float
    amber_urgent: float
    amber_emergency: float
    missing_pain_muscle: float
    carb_treatment_min_g: float
    carb_treatment_max_g: float
    glucose_recheck_min: float
    cwi_water_max_c: float
    cwi_stop_core_c: float
    cwi_stop_core_low_c: float
    cwi_variant_c_cool_above_c: float
    cwi_variant_c_rewarm_below_c: float
    cwi_block_core_c: float
    rewarm_block_core_c: float
    severe_hypothermia_core_c: float
    cpr_breath_check_s: float
    cpr_cold_check_s: float
    pulse_count_s: float
    ice_pain_min: float
    ice_minutes: float
    reassess_monitor_min: float
    reassess_see_doctor_min: float
    reassess_urgent_min: float
    reassess_emergency_min: float
    reassess_hypo_min: float
    reassess_heat_min: float
    reassess_spasm_min: float
    reassess_dehydration_min: float
    reassess_post_finish_collapse_min: float
    reassess_cold_min: float
    reassess_hyponatremia_min: float
    reassess_hyper_min: float
    reassess_no_findings_min: float
    reassess_k8_min: float
    k_glucose_treatments: float
    k_heat_exhaustion_min: float
    k_not_improving_min: float
    k8_glucose_over_mg_dl: float


T = Values(**{k: float(t.value) for k, t in THRESHOLDS.items()})


def thresholds_table() -> pd.DataFrame:
    """Return the thresholds as a pandas DataFrame (one row per threshold).

    Returns
    -------
    pandas.DataFrame
        Columns ``key, value, unit, comparison, meaning, source, status, section``.
    """
    # Imported here, not at the top (measured): pandas would take ``import kit`` from 0.37 s to 1.1 s
    # (``python -X importtime -c "import kit"``), and the scalar path (kit.assess, the CLI) never needs it.
    import pandas as pd

    return pd.DataFrame([asdict(t) for t in _ROWS])


def cite(key: str) -> str:
    """Return the short citation of a threshold (for evidence entries)."""
    return THRESHOLDS[key].source


def thresholds_markdown() -> str:
    """The thresholds as a Markdown table (the README's table is generated from this)."""
    lines = ["| key | rule | unit | meaning | source | status |", "|---|---|---|---|---|---|"]
    for t in _ROWS:
        lines.append(f"| `{t.key}` | {t.comparison} {t.value:g} | {t.unit} | {t.meaning} | {t.source} | {t.status} |")
    return "\n".join(lines)
