"""Words, colours and icons a person reads for tiers, causes, flags and rechecks (one place for the wording).

Every view (the form, charts, the team log, the workshop, handouts, the CLI) takes its wording
from here, so a tier is named the same way everywhere. The ids themselves (tiers ``self_care``
... ``emergency``, flags, recheck reasons, action ids) are the contract's and live in
:mod:`kit.engine.rules` and :mod:`kit.engine.advice`; people read the words, scripts and tests read the ids.
Nothing here holds a clinical number: a sentence that needs one reads it from
:mod:`kit.engine.thresholds` where it is built.

Colours: five tiers that stay distinct for colour-blind readers (the Okabe-Ito palette, with
vermillion for ``urgent`` and a deep red for ``emergency``). ``tests/test_words.py`` simulates
deuteranopia (Machado, Oliveira & Fernandes 2009, severity 1.0, on linear RGB) and requires a CIE76
colour difference ΔE*ab > 20 between every pair (measured minimum 29.5, urgent vs emergency;
ΔE 2.3 is a just-noticeable difference, 20 is the kit's design margin for telling swatches
apart at a glance). Every tier also carries an icon and a word, so colour is never the only cue.
``TIER_TEXT_COLORS`` gives the text colour that keeps at least WCAG AA contrast (4.5:1) on each
banner colour.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kit.engine.fields import FIELDS

__all__ = [
    "DISCLAIMER",
    "TIER_ORDER", "TIER_COLORS", "TIER_TEXT_COLORS", "TIER_TINTS", "TIER_ICONS", "TIER_TITLES", "TIER_SHORT",
    "TIER_HEADLINES", "TIER_MEANINGS", "CAUSE_LABELS", "FLAG_LABELS", "RECHECK_REASON_LABELS", "TREND_LABELS",
    "ACTION_LABELS", "TERMS", "tier_label", "tier_headline", "flag_label", "flags_text", "recheck_reason_label",
    "tier_css", "tiers_markdown", "without_section_refs", "plain_reason", "plain_reasons", "field_words",
    "CAUSE_COLORS", "CAUSE_NAMES", "CAUSE_TIPS", "NO_CAUSE_LABEL", "cause_label",
]

#: The five tiers, lowest first (must equal kit.engine.rules.TIERS; a test checks it).
TIER_ORDER: tuple[str, ...] = ("self_care", "monitor", "see_doctor", "urgent", "emergency")

#: Banner colour of each tier (Okabe-Ito green, yellow, sky blue, vermillion; a deep red).
TIER_COLORS: dict[str, str] = {
    "self_care": "#009E73", "monitor": "#F0E442", "see_doctor": "#56B4E9", "urgent": "#D55E00", "emergency": "#B2182B",
}
#: Text colour on each banner colour (contrast >= 4.5:1; a test checks it).
TIER_TEXT_COLORS: dict[str, str] = {
    "self_care": "#000000", "monitor": "#000000", "see_doctor": "#000000", "urgent": "#000000", "emergency": "#FFFFFF",
}
#: A light background of each tier for boxes with dark text (handouts): the banner colour, 18 % on white.
TIER_TINTS: dict[str, str] = {}
#: An icon per tier, so the tier never rests on colour alone (glyphs that common fonts such as DejaVu Sans carry).
TIER_ICONS: dict[str, str] = {
    "self_care": "✓", "monitor": "◷", "see_doctor": "✚", "urgent": "‼", "emergency": "⚠",
}
#: Title of each tier (tables, legends, pickers).
TIER_TITLES: dict[str, str] = {
    "self_care": "Self-care",
    "monitor": "Treat here and recheck",
    "see_doctor": "See a doctor in the next days",
    "urgent": "Medical assessment today",
    "emergency": "Emergency: call for help now",
}
#: A word or two per tier, for chart axes and compact counts.
TIER_SHORT: dict[str, str] = {
    "self_care": "Self-care",
    "monitor": "Treat and recheck",
    "see_doctor": "See a doctor",
    "urgent": "Assessment today",
    "emergency": "Emergency",
}
#: What a trainer says aloud (``{time}`` is the recheck clock time, e.g. "16:43"; see :func:`tier_headline`).
TIER_HEADLINES: dict[str, str] = {
    "self_care": "Self-care: rest, and get help if anything new appears",
    "monitor": "Treat here, stay with the athlete and recheck at {time}",
    "see_doctor": "Treat here, recheck at {time}, and see a doctor in the next days",
    "urgent": "Get a medical assessment today, within hours (recheck at {time} meanwhile)",
    "emergency": "Call emergency services now",
}
#: One or two sentences on what each tier means (handouts, the workshop's reveal).
TIER_MEANINGS: dict[str, str] = {
    "self_care": "The athlete can manage alone: rest, gently stretch or massage the muscle, eat, and drink to thirst "
                 "unless told otherwise. Get help if new symptoms appear.",
    "monitor": "A trainer treats on site and stays with the athlete; no more running today. It is checked again at a "
               "set time: if it is not improving, or gets worse, get medical help.",
    "see_doctor": "Care on site as for 'treat and recheck', then a non-urgent medical review within days.",
    "urgent": "A medical assessment the same day, within hours (urgent care or an emergency department); no ambulance "
              "unless it gets worse. Stay with the athlete until then.",
    "emergency": "Call emergency services now and start first aid while waiting.",
}
#: Plain-language name of each cause.
CAUSE_LABELS: dict[str, str] = {
    "hypoglycemia": "Low blood sugar (hypoglycaemia)",
    "dehydration_electrolyte": "Dehydration / electrolytes",
    "nerve_irritation": "Nerve irritation",
    "muscle_fatigue": "Muscle fatigue / cramp",
}
#: Plain words for every flag of contract v0.1 and v0.2 (no clinical number in them).
FLAG_LABELS: dict[str, str] = {
    "severe_hypoglycemia": "severe low blood sugar",
    "hypoglycemia": "low blood sugar",
    "hypoglycemia_cannot_swallow": "low blood sugar and cannot swallow safely",
    "falling_glucose": "blood sugar falling",
    "hyperglycemia": "high blood sugar",
    "ketosis": "ketones raised",
    "possible_dka": "possible diabetic ketoacidosis (DKA)",
    "altered_mental_status": "confused, unresponsive or fitting",
    "prolonged_spasm": "very long spasm",
    "severe_pain": "severe pain",
    "exertional_heat_stroke": "heat stroke",
    "suspected_heat_stroke": "suspected heat stroke",
    "heat_exhaustion": "heat exhaustion",
    "hyperthermia": "overheated (raised core temperature)",
    "hyponatremia_risk": "risk of low blood sodium (hyponatraemia)",
    "severe_hyponatremia": "possible severe low blood sodium",
    "overdrinking": "drank more than was lost",
    "rhabdomyolysis_risk": "possible muscle breakdown (rhabdomyolysis)",
    "rhabdomyolysis_red": "likely muscle breakdown (rhabdomyolysis)",
    "dehydration": "dehydration",
    "recurrent_despite_prevention": "keeps coming back despite prevention",
    "frequent_episodes": "frequent episodes",
    "recurrent_tremor": "trembling keeps coming back",
    "compartment_syndrome_risk": "possible compartment syndrome (pressure building in a leg muscle)",
    "dvt_risk": "possible blood clot in a leg vein (DVT)",
    "unilateral_leg_swelling": "one leg swollen",
    "exertional_sickling": "possible exertional sickling (sickle cell trait)",
    "cardiorespiratory_red_flag": "chest pain or breathing difficulty",
    "collapse_during_run": "collapsed while running",
    "post_finish_collapse": "collapsed after the finish",
    "not_breathing_normally": "not breathing normally",
    "heart_rate_red": "heart rate a danger sign",
    "heart_rate_amber": "heart rate raised after rest",
    "hypothermia": "too cold (hypothermia)",
    "severe_hypothermia": "severe hypothermia",
    "cold_stress": "cold stress",
    "nsaid_exposure": "took ibuprofen or another anti-inflammatory",
}
#: Plain words for the recheck rules of one episode (contract ``recheck_reasons``).
RECHECK_REASON_LABELS: dict[str, str] = {
    "glucose_not_recovering": "blood sugar is not recovering after treatment",
    "heat_exhaustion_not_improving": "heat exhaustion is not improving with treatment",
    "not_improving": "not improving since the first check",
    "spasm_unrelieved": "the spasm is not relieved",
    "new_red_flag": "a new danger sign since the last check",
    "core_falling": "core temperature is still falling",
    "red_flag_earlier": "a danger sign earlier in this episode keeps the level up",
    "glucose_not_confirmed": "low blood sugar is not confirmed as recovered until a reading shows it",
}
#: Plain words for the episode's trend (contract ``trend``).
TREND_LABELS: dict[str, str] = {
    "first": "first check of this episode",
    "improving": "improving since the last check",
    "unchanged": "no change since the last check",
    "worsening": "getting worse since the last check",
}
#: Short plain names of action ids (for "what not to do" lists; the full advice texts come from kit.engine.advice).
ACTION_LABELS: dict[str, str] = {
    "rest": "Rest", "stop_running": "Stop running", "stretch": "Stretching", "massage": "Massage",
    "heat": "Heat packs", "ice": "Ice", "drink_water": "Plain water to 'flush'",
    "electrolyte_drink": "Sports / electrolyte drinks", "oral_carbohydrate": "Food, drink or sugar by mouth",
    "recheck_glucose": "Rechecking glucose", "nothing_by_mouth": "Nothing by mouth",
    "recovery_position": "Recovery position", "cold_water_immersion": "Cold-water immersion",
    "call_emergency": "Calling emergency services", "see_doctor": "Seeing a doctor",
    "nsaid": "Ibuprofen or other anti-inflammatories (NSAIDs)", "continue_running": "Carrying on running",
    "cpr_aed": "CPR and a defibrillator (AED)", "urgent_care": "A same-day medical assessment",
    "legs_up": "Lying down with the legs raised", "rewarm": "Rewarming",
    "check_ketones": "Measuring blood ketones", "salty_snack": "A salty snack or broth",
}
#: Terms a student or trainer meets, explained once (the workshop and the docs use these).
TERMS: dict[str, str] = {
    "EAMC": "exercise-associated muscle cramp: a painful, involuntary cramp during or soon after exercise",
    "EAH": "exercise-associated hyponatraemia: low blood sodium during or after exercise, usually from drinking "
           "more than is lost",
    "NSAID": "non-steroidal anti-inflammatory drug, e.g. ibuprofen",
    "rhabdomyolysis": "muscle breakdown that releases muscle proteins into the blood; can damage the kidneys",
    "DKA": "diabetic ketoacidosis: a dangerous lack of insulin with high ketones",
    "DVT": "deep-vein thrombosis: a blood clot in a deep leg vein",
    "tier": "how serious the situation is and who needs to act, from self-care to emergency",
    "leading cause": "the one of the four causes with the most evidence (a weight of evidence, not a probability)",
}

#: The words when no cause leads (``top_cause`` is ``None``).
NO_CAUSE_LABEL = "no leading cause"
#: Bar colour of each cause in the cause chart (distinct from the tier colours: a cause is not a level).
CAUSE_COLORS: dict[str, str] = {
    "hypoglycemia": "#6a1b9a", "dehydration_electrolyte": "#1565c0", "nerve_irritation": "#00838f",
    "muscle_fatigue": "#6d4c41",
}
#: The handout's longer name of each cause (:data:`CAUSE_LABELS` are the short ones, for charts and tables).
CAUSE_NAMES: dict[str, str] = {
    **CAUSE_LABELS,
    "dehydration_electrolyte": "Fluid or salt imbalance (dehydration, heat, or too much water)",
    "muscle_fatigue": "Muscle fatigue / exercise-associated cramp",
}
#: What to do about a cause that keeps coming back (the handout's history section, by the most frequent cause).
CAUSE_TIPS: dict[str, str] = {
    "hypoglycemia": "Most of these episodes point to low blood sugar: eat a carbohydrate meal or snack in the hours "
                    "before running, take carbohydrate on long runs, and carry fast sugar.",
    "dehydration_electrolyte": "Most of these episodes point to a fluid or salt problem: weigh yourself before and "
                               "after long or hot runs to learn your sweat loss, drink to thirst, and eat salty food "
                               "afterwards. Never drink so much that you gain weight.",
    "nerve_irritation": "Numbness or tingling is not typical of a tired muscle: have it checked if it comes back.",
    "muscle_fatigue": "Most of these episodes look like tired muscles: build distance and pace gradually, and ease "
                      "off when your legs are already tired.",
}

#: Said once in the UI and in handouts (safety rule 6).
DISCLAIMER = (
    "postrun-kit supports a trainer's judgement; it does not replace it. It is an educational "
    "decision-support tool, not a diagnostic device: when in doubt, or if the athlete gets worse, "
    "call emergency services."
)


def _mix(color: str, share: float) -> str:
    """``color`` laid over white with opacity ``share`` (sRGB, for tints)."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02X}" for c in rgb)


TIER_TINTS.update({t: _mix(c, 0.18) for t, c in TIER_COLORS.items()})


def tier_label(tier: str) -> str:
    """Icon and title of a tier, e.g. ``"⚠ Emergency: call for help now"``.

    Parameters
    ----------
    tier : str
        A tier id of :data:`TIER_ORDER`.

    Returns
    -------
    str
        The icon and the title, for legends, tables and pickers.
    """
    return f"{TIER_ICONS[tier]} {TIER_TITLES[tier]}"


def tier_headline(tier: str, time: str | None = None) -> str:
    """The sentence a trainer says aloud for a tier, with the recheck clock time when known.

    Parameters
    ----------
    tier : str
        A tier id of :data:`TIER_ORDER`.
    time : str, optional
        The recheck time as the trainer reads it (``"16:43"``). Without it the sentence
        says "recheck at the time shown" instead.

    Returns
    -------
    str

    Examples
    --------
    >>> tier_headline("monitor", "16:43")
    'Treat here, stay with the athlete and recheck at 16:43'
    >>> tier_headline("emergency")
    'Call emergency services now'
    """
    return TIER_HEADLINES[tier].format(time=time or "the time shown")


def cause_label(cause: object) -> str:
    """A leading cause in words (:data:`CAUSE_LABELS`); :data:`NO_CAUSE_LABEL` when none leads (``None``, NaN, ``""``)."""
    return CAUSE_LABELS.get(cause, NO_CAUSE_LABEL) if isinstance(cause, str) else NO_CAUSE_LABEL


def flag_label(flag: str) -> str:
    """Plain words for a flag id (the id with spaces if it is not known here)."""
    return FLAG_LABELS.get(flag, flag.replace("_", " "))


def flags_text(flags: str | Iterable[str] | None) -> str:
    """Flags as plain words: ``"hypoglycemia;dehydration"`` -> ``"low blood sugar; dehydration"``; "" when none."""
    if flags is None or (not isinstance(flags, str) and not isinstance(flags, Iterable)):
        return ""
    items = flags.split(";") if isinstance(flags, str) else list(flags)
    return "; ".join(flag_label(f) for f in items if f)


def recheck_reason_label(reason: str) -> str:
    """Plain words for a recheck reason id (the id with spaces if it is not known here)."""
    return RECHECK_REASON_LABELS.get(reason, reason.replace("_", " "))


def tier_css(prefix: str = ".kit-tier-") -> str:
    """CSS rules that colour a tier box: a border in the tier colour on its light tint.

    Parameters
    ----------
    prefix : str
        Selector prefix; the tier id is appended (``.kit-tier-urgent``).
    """
    return "".join(f"{prefix}{t} {{ border-color: {TIER_COLORS[t]}; background: {TIER_TINTS[t]}; }}\n"
                   for t in TIER_ORDER)


def tiers_markdown() -> str:
    """The five tiers as a Markdown table (the README's tier table is generated from this; a test compares)."""
    lines = ["| level | what the trainer says | what it means | id (scripts) |", "|---|---|---|---|"]
    for t in TIER_ORDER:
        lines.append(f"| {tier_label(t)} | {tier_headline(t, 'the time shown')} | {TIER_MEANINGS[t]} | `{t}` |")
    return "\n".join(lines)


_SECTION_REF = re.compile(r"\s*\([^()]*§[^()]*\)|\s*(?:clinical-reference\s*)?§\s*[\d.]+[a-z]?")
_AMBER = re.compile(r"^\s*\d+\s+amber point")
_NOTHING = re.compile(r"^\s*no red flag\b", re.I)
#: Rule prefixes of reason texts (v0.1 "red flag: ...", v0.2 "amber A3: ...", "urgent rule U4: ...", "pattern P1: ...").
_RULE_PREFIX = re.compile(r"^\s*(red flag|urgent rule\s*U\d+|amber\s*A\d+|pattern\s*P\d+)\s*:\s*", re.I)
_PREFIX_WORDS = {"red": "Danger sign: ", "urgent": "Needs a medical assessment today: ", "amber": "Warning sign: ",
                 "pattern": "See a doctor about it: "}
#: Rule jargon in reason texts -> the words people read.
_JARGON = (("red flags", "danger signs"), ("red flag", "danger sign"), ("amber point(s)", "warning signs"),
           ("amber points", "warning signs"), ("amber point", "warning sign"), ("amber band", "warning range"),
           ("pattern rules", "patterns that need a doctor"), ("pattern rule", "pattern that needs a doctor"),
           ("urgent rules", "signs that need a same-day assessment"), ("urgent rule", "sign that needs a same-day assessment"))
_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def without_section_refs(text: str) -> str:
    """``"stop for today (clinical-reference §9.7)"`` -> ``"stop for today"``: rule sections are for clinicians."""
    return _SECTION_REF.sub("", str(text)).strip()


def plain_reason(text: str, amber_points: int = 0) -> str:
    """One reason for a tier in plain words: no section references, "danger sign" for red flag, "warning sign" for amber.

    Parameters
    ----------
    text : str
        A reason as the rules write it (``"2 amber point(s): hypoglycemia conscious, spasm long"``).
    amber_points : int
        The assessment's amber total, used when the reason is the amber count.

    Examples
    --------
    >>> plain_reason("2 amber point(s): spasm long", 2)
    '2 warning signs together (none of them a danger sign on its own)'
    >>> plain_reason("No red flag, no amber point, no pattern rule")
    'No danger sign and no warning sign was recorded'
    >>> plain_reason("amber A16: heart rate in the amber band")
    'Warning sign: heart rate in the warning range'
    """
    text = str(text)
    if _AMBER.match(text):
        n = int(amber_points or 0)
        text = ("1 warning sign (not a danger sign on its own)" if n == 1
                else f"{n} warning signs together (none of them a danger sign on its own)")
    elif _NOTHING.match(text):
        text = "no danger sign and no warning sign was recorded"
    prefix = ""
    m = _RULE_PREFIX.match(text)
    if m:
        prefix, text = _PREFIX_WORDS[m.group(1).split()[0].lower()], text[m.end():]
    for old, new in _JARGON:
        text = text.replace(old, new)
    text = field_words(without_section_refs(text))
    if prefix:
        return prefix + text
    return text[:1].upper() + text[1:]


def field_words(text: str) -> str:
    """Field names in a text (``record minutes_since_run_end``) replaced by their labels, any other id by words.

    Examples
    --------
    >>> field_words("record blood_glucose_unit, then recheck")
    'record glucose unit, then recheck'
    """
    def label(m: re.Match[str]) -> str:
        spec = FIELDS.get(m.group(0))
        if spec is None:
            return m.group(0).replace("_", " ")
        return spec.label[:1].lower() + spec.label[1:] if spec.label[1:2] != spec.label[1:2].upper() else spec.label

    return _IDENTIFIER.sub(label, str(text))


def plain_reasons(reasons: Iterable[str], amber_points: int = 0, flags: Iterable[str] = ()) -> list[str]:
    """The reasons for a tier in plain words (:func:`plain_reason`), then ``"Signs noted: ..."`` from the flags."""
    out = [plain_reason(r, amber_points) for r in reasons]
    signs = "; ".join(flag_label(f) for f in flags)
    if signs:
        out.append(f"Signs noted: {signs}")
    return out
