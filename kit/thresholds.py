"""Every clinical number the kit uses, with its unit, meaning and source.

This is the kit's one source of truth for thresholds. The rules
(:mod:`kit.rules`), the advice texts (:mod:`kit.advice`), the thresholds notebook
and the README table all read :data:`THRESHOLDS`; nothing else hard-codes a clinical
number. Each entry carries the status tag of ``docs/reference/clinical-reference.md``:
``confirmed`` (primary source), ``secondary`` (secondary summary of the named source),
``design`` (the kit's own engineering choice, not a clinical standard; needs clinical
sign-off).

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

from dataclasses import dataclass

__all__ = ["Threshold", "THRESHOLDS", "T", "thresholds_table", "thresholds_markdown", "cite"]


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
        ``confirmed``, ``secondary`` or ``design`` (see module docstring).
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
    Threshold("glucose_mmol_to_mg_dl", 18.016, "mg/dL per mmol/L", "factor",
              "convert a glucose reading from mmol/L to mg/dL", "glucose molar mass 180.16 g/mol",
              "confirmed", "0"),
    Threshold("hypo_level1_mg_dl", 70, "mg/dL", "<",
              "hypoglycaemia alert value (level 1): treat with fast carbohydrate",
              "ADA 2024, level 1", "confirmed", "1"),
    Threshold("hypo_level2_mg_dl", 54, "mg/dL", "<",
              "clinically significant hypoglycaemia (level 2); with diabetes: regimen review",
              "ADA 2024, level 2", "confirmed", "1"),
    Threshold("whipple_mg_dl", 55, "mg/dL", "<",
              "without diabetes: low enough to warrant a hypoglycaemia work-up (Whipple's triad)",
              "Endocrine Society 2009 (Cryer)", "confirmed", "1"),
    Threshold("carb_treatment_min_g", 15, "g", "dose",
              "fast-acting carbohydrate for a conscious low (15-15 rule), lower end",
              "ADA 15-15 rule", "secondary", "1"),
    Threshold("carb_treatment_max_g", 20, "g", "dose",
              "fast-acting carbohydrate for a conscious low (15-15 rule), upper end",
              "ADA 15-15 rule", "secondary", "1"),
    Threshold("glucose_recheck_min", 15, "min", "interval",
              "recheck glucose this long after carbohydrate; repeat while still low",
              "ADA 15-15 rule", "secondary", "1"),
    Threshold("mass_loss_pct", 2, "% body mass", "loss >",
              "water deficit: body-mass loss over 2 % of body mass",
              "ACSM 2007 (Sawka)", "confirmed", "2"),
    Threshold("mass_gain_pct", 0, "% body mass", "change >",
              "any body-mass gain during the run: over-drinking, hyponatraemia risk",
              "ACSM 2007; EAH consensus 2015", "confirmed", "3"),
    Threshold("urine_color_possibly_under", 4, "chart shade", ">=",
              "urine shade 4-6: possibly under-hydrated",
              "Armstrong urine colour chart (practitioner bands)", "secondary", "2"),
    Threshold("urine_color_dehydrated", 7, "chart shade", ">=",
              "urine shade 7-8: likely dehydrated",
              "Armstrong urine colour chart (practitioner bands)", "secondary", "2"),
    Threshold("eah_sodium_mmol_l", 135, "mmol/L", "<",
              "exercise-associated hyponatraemia: serum sodium below 135 mmol/L within 24 h of exercise",
              "EAH consensus 2015; WMS 2019", "confirmed", "3"),
    Threshold("eah_severe_sodium_mmol_l", 130, "mmol/L", "<",
              "measured sodium below 130 mmol/L: emergency even with mild symptoms",
              "clinical-reference §3 (design: safer cut-off)", "design", "3"),
    Threshold("ehs_core_c", 40.5, "°C", ">=",
              "exertional heat stroke: core temperature of 40.5 °C or more",
              "NATA 2015", "confirmed", "5"),
    Threshold("core_emergency_c", 40.0, "°C", ">",
              "core temperature over 40 °C: emergency, start cooling (with CNS signs: heat stroke)",
              "ACSM 2007 heat illness; clinical-reference §9.3 (design)", "design", "5"),
    Threshold("heat_context_core_c", 38.5, "°C", ">=",
              "raised core temperature: heat-illness context, amber point",
              "clinical-reference §9.2 (design)", "design", "9"),
    Threshold("heat_context_ambient_c", 27, "°C", ">=",
              "hot air temperature: heat-illness context (a weak proxy for WBGT)",
              "clinical-reference §9.2 (design)", "design", "9"),
    Threshold("cwi_water_max_c", 15, "°C", "<",
              "cold-water immersion water temperature for heat stroke",
              "NATA 2015, table 4", "confirmed", "5"),
    Threshold("cwi_stop_core_c", 38.9, "°C", "<=",
              "stop cold-water immersion when core temperature is about 38.6-38.9 °C",
              "NATA 2015; Gagnon 2010", "confirmed", "5"),
    Threshold("cwi_stop_core_low_c", 38.6, "°C", ">=",
              "lower end of the cold-water immersion removal temperature",
              "NATA 2015; Gagnon 2010", "confirmed", "5"),
    Threshold("heat_exhaustion_improve_min", 30, "min", "interval",
              "heat exhaustion should improve within about 30 min of treatment, else transport",
              "NATA 2015 (secondary)", "secondary", "5"),
    Threshold("rhabdo_pain_with_dark_urine", 5, "/10", ">=",
              "dark urine with pain of 5/10 or more: possible rhabdomyolysis",
              "O'Connor 2008; Nye 2021; clinical-reference §9.2", "design", "6"),
    Threshold("rhabdo_pain_triad", 7, "/10", ">=",
              "swelling and weakness with pain of 7/10 or more: possible rhabdomyolysis",
              "O'Connor 2008; Nye 2021; clinical-reference §9.2", "design", "6"),
    Threshold("prolonged_spasm_min", 60, "min", ">=",
              "a spasm lasting an hour or more needs immediate medical attention",
              "source article; Miller 2022 'serious EAMC'", "design", "7"),
    Threshold("spasm_amber_min", 15, "min", ">=",
              "a spasm of 15-59 min: amber point",
              "clinical-reference §9.4 (design)", "design", "9"),
    Threshold("severe_pain", 8, "/10", ">=",
              "pain of 8/10 or more: 'extremely painful', immediate medical attention",
              "source article; clinical-reference §7 (design mapping)", "design", "7"),
    Threshold("pain_amber", 5, "/10", ">=",
              "pain of 5-7/10: amber point",
              "clinical-reference §9.4 (design)", "design", "9"),
    Threshold("recurrent_episodes", 2, "episodes / 30 d", ">=",
              "recurrent spasms despite prevention: see a doctor",
              "source article; clinical-reference §7 (design count)", "design", "7"),
    Threshold("nerve_prior_episodes", 1, "episodes / 30 d", ">=",
              "tingling with an earlier episode: possible nerve irritation",
              "clinical-reference §9.5 (design)", "design", "9"),
    Threshold("amber_monitor", 1, "points", ">=",
              "amber total 1-4: monitor on site",
              "NEWS2 2017 structure; clinical-reference §9.4 (design)", "design", "9"),
    Threshold("amber_emergency", 5, "points", ">=",
              "amber total of 5 or more: emergency (mirrors NEWS2's urgent band)",
              "NEWS2 2017 structure; clinical-reference §9.4 (design)", "design", "9"),
    Threshold("reassess_monitor_min", 30, "min", "interval",
              "reassess cramps, heat exhaustion or dehydration within 15-30 min (upper end used)",
              "clinical-reference §9 (monitor tier)", "design", "9"),
    Threshold("reassess_cramp_min", 15, "min", "interval",
              "reassess a cramp that needs monitoring within 15-30 min (lower end used)",
              "clinical-reference §9 (monitor tier)", "design", "9"),
    Threshold("glucose_warn_mg_dl_below", 35, "mg/dL", "<",
              "a reading this low labelled mg/dL is probably mmol/L",
              "contract (plausibility check)", "design", "0"),
    Threshold("glucose_warn_mmol_l_above", 35, "mmol/L", ">",
              "a reading this high labelled mmol/L is probably mg/dL",
              "contract (plausibility check)", "design", "0"),
    # ---- v0.2 rows used by kit.advice (engine-interface §5; names fixed there) ----
    Threshold("reassess_see_doctor_min", 30, "min", "interval",
              "tier see_doctor: reassess on site within 30 min (tier default)",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_urgent_min", 15, "min", "interval",
              "tier urgent: reassess within 15 min while medical assessment is arranged (tier default)",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_emergency_min", 5, "min", "interval",
              "tier emergency: recheck responsiveness and breathing at least every 5 min; during cooling, rectal temperature every 5 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_hypo_min", 15, "min", "interval",
              "any hypoglycaemia flag: reassess in 15 min (15-15 rule)",
              "ADA 15-15 rule; clinical-reference §9.10", "confirmed", "9.10"),
    Threshold("reassess_heat_min", 15, "min", "interval",
              "heat context or any heat flag: reassess in 15 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_spasm_min", 15, "min", "interval",
              "a spasm now: reassess in 15 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_dehydration_min", 15, "min", "interval",
              "dehydration: reassess in 15 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_post_finish_collapse_min", 15, "min", "interval",
              "collapse after the finish: reassess in 15 min (most recover within 15-30 min)",
              "Asplund 2011; clinical-reference §8A, §9.10", "design", "9.10"),
    Threshold("reassess_cold_min", 15, "min", "interval",
              "cold stress or hypothermia: reassess in 15 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_hyponatremia_min", 30, "min", "interval",
              "hyponatraemia risk: reassess in 30 min, and until urinating freely",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_hyper_min", 30, "min", "interval",
              "hyperglycaemia or ketosis: reassess in 30 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_no_findings_min", 15, "min", "interval",
              "nothing recorded (no-findings floor): reassess in 15 min",
              "clinical-reference §9.10", "design", "9.10"),
    Threshold("reassess_k8_min", 15, "min", "interval",
              "low glucose earlier in the episode not yet confirmed over by a reading (K8): reassess in 15 min",
              "clinical-reference §9.9 K8, §9.10", "design", "9.10"),
    Threshold("hr_rest_min", 10, "min", ">=",
              "a heart rate above 40 and below 220 bpm is scored only after 10 min of rest; unscored, the recheck is at the 10-minute mark",
              "clinical-reference §8B (NEWS2 bands applied after rest)", "design", "8B"),
    Threshold("cwi_variant_c_cool_above_c", 40, "°C", ">",
              "cold day, no core reading (cooling text C): measure rectal temperature first; above 40 °C cool now",
              "clinical-reference §9.8 (review 2, R04)", "design", "9.8"),
    Threshold("cwi_variant_c_rewarm_below_c", 35, "°C", "<",
              "cold day, no core reading (cooling text C): below 35 °C rewarm instead",
              "clinical-reference §8C, §9.8 (review 2, R04)", "design", "9.8"),
    Threshold("cpr_breath_check_s", 10, "s", "<=",
              "check breathing for no more than 10 s before starting CPR",
              "AHA/ERC lay-rescuer wording (via training pages)", "secondary", "8B"),
    Threshold("cpr_cold_check_s", 60, "s", "<=",
              "severe hypothermia: check breathing and pulse for up to 60 s before CPR",
              "WMS 2019; ERC 2021 (clinical-reference §9.8)", "secondary", "9.8"),
    Threshold("pulse_count_s", 30, "s", "count",
              "confirm a red heart rate by counting the pulse for 30 s (wrist sensors can double-count)",
              "clinical-reference §8B, §9.8 (review 2, R26)", "design", "8B"),
    Threshold("ice_minutes", 15, "min", "duration",
              "wrapped ice pack for soreness, 15 min",
              "clinical-reference §9.8", "design", "9.8"),
    Threshold("ice_pain_min", 3, "/10", ">=",
              "pain of 3/10 or more without a spasm: wrapped ice pack for soreness",
              "source article (ice for soreness); clinical-reference §9.8", "design", "9.8"),
    Threshold("cwi_block_core_c", 38.6, "°C", "<",
              "no cold-water immersion below a core of 38.6 °C (already cool: the immersion stop point)",
              "NATA 2015; Gagnon 2010; clinical-reference §9.8", "design", "9.8"),
    Threshold("rewarm_block_core_c", 37.5, "°C", ">=",
              "no active rewarming at a core of 37.5 °C or more (the athlete is not cold)",
              "clinical-reference §9.8", "design", "9.8"),
    Threshold("nsaid_long_run_min", 240, "min", ">=",
              "no NSAIDs after a run of 4 h or more (hyponatraemia and kidney risk)",
              "EAH consensus risk table (> 4 h); Wharam 2006; Lipman 2017", "secondary", "9.8"),
    Threshold("severe_hypothermia_core_c", 32.0, "°C", "<",
              "severe hypothermia: core below 32 °C (CPR cold variant: 60-s breathing and pulse check, gentle handling)",
              "WMS 2019 staging (via AFP 2020)", "secondary", "8C"),
)

THRESHOLDS: dict[str, Threshold] = {t.key: t for t in _ROWS}


class _Values:
    """Attribute access to threshold values: ``T.hypo_level1_mg_dl`` -> 70."""

    __slots__ = tuple(THRESHOLDS)

    def __init__(self) -> None:
        for k, t in THRESHOLDS.items():
            object.__setattr__(self, k, float(t.value))

    def __setattr__(self, name: str, value: object) -> None:  # pragma: no cover - guard
        raise AttributeError("thresholds are read-only; edit kit/thresholds.py")


T = _Values()


def thresholds_table():
    """Return the thresholds as a pandas DataFrame (one row per threshold).

    Returns
    -------
    pandas.DataFrame
        Columns ``key, value, unit, comparison, meaning, source, status, section``.
    """
    import pandas as pd

    return pd.DataFrame([_asdict(t) for t in _ROWS])


def _asdict(t: Threshold) -> dict:
    return {f: getattr(t, f) for f in Threshold.__slots__}


def cite(key: str) -> str:
    """Return the short citation of a threshold (for evidence entries)."""
    return THRESHOLDS[key].source


def thresholds_markdown() -> str:
    """The thresholds as a Markdown table (the README's table is generated from this)."""
    lines = ["| key | rule | unit | meaning | source | status |", "|---|---|---|---|---|---|"]
    for t in _ROWS:
        lines.append(f"| `{t.key}` | {t.comparison} {t.value:g} | {t.unit} | {t.meaning} | {t.source} | {t.status} |")
    return "\n".join(lines)
