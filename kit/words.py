"""Words, colours and icons a person reads for tiers and causes (one place for the wording).

Every view (the form, charts, the team log, the workshop, handouts, the CLI) takes tier and
cause wording from here, so a tier is named the same way everywhere. The tier ids themselves
(``self_care`` ... ``emergency``) are the contract's and live in :mod:`kit.rules`; people read
the words, scripts and tests read the ids.

Colours: five tiers that stay distinct for colour-blind readers (Okabe-Ito based palette,
checked under a deuteranopia simulation in the tests), and every tier also carries an icon and
a word, so colour is never the only cue. ``TIER_TEXT_COLORS`` gives the text colour that keeps
at least WCAG AA contrast (4.5:1) on each banner colour.
"""

from __future__ import annotations

__all__ = ["TIER_ORDER", "TIER_COLORS", "TIER_TEXT_COLORS", "TIER_ICONS", "TIER_TITLES", "TIER_HEADLINES",
           "TIER_MEANINGS", "CAUSE_LABELS", "tier_label"]

#: The five tiers, lowest first (must equal kit.rules.TIERS; a test checks it).
TIER_ORDER: tuple[str, ...] = ("self_care", "monitor", "see_doctor", "urgent", "emergency")

#: Banner colour of each tier.
TIER_COLORS: dict[str, str] = {
    "self_care": "#009E73", "monitor": "#F0E442", "see_doctor": "#56B4E9", "urgent": "#E69F00", "emergency": "#B2182B",
}
#: Text colour on each banner colour (contrast >= 4.5:1).
TIER_TEXT_COLORS: dict[str, str] = {
    "self_care": "#000000", "monitor": "#000000", "see_doctor": "#000000", "urgent": "#000000", "emergency": "#FFFFFF",
}
#: An icon per tier, so the tier never rests on colour alone.
TIER_ICONS: dict[str, str] = {
    "self_care": "✓", "monitor": "◷", "see_doctor": "✚", "urgent": "❗", "emergency": "⚠",
}
#: Short title of each tier (tables, legends, pickers).
TIER_TITLES: dict[str, str] = {
    "self_care": "Self-care",
    "monitor": "Treat here and recheck",
    "see_doctor": "See a doctor in the next days",
    "urgent": "Medical assessment today",
    "emergency": "Emergency: call for help now",
}
#: What a trainer says aloud (``{time}`` is the recheck clock time where one applies).
TIER_HEADLINES: dict[str, str] = {
    "self_care": "Self-care: rest, stretch gently, eat and drink to thirst",
    "monitor": "Treat here, stay with the athlete and recheck at {time}",
    "see_doctor": "Treat here, recheck at {time}, and see a doctor in the next days",
    "urgent": "Get a medical assessment today, within hours (recheck at {time} meanwhile)",
    "emergency": "Call emergency services now",
}
#: One sentence on what each tier means.
TIER_MEANINGS: dict[str, str] = {
    "self_care": "The athlete can manage alone; seek help if new symptoms appear.",
    "monitor": "A trainer treats on site and stays with the athlete; no more running today.",
    "see_doctor": "On-site care as for monitor, then a non-urgent medical review within days.",
    "urgent": "Medical assessment the same day (urgent care or emergency department); no ambulance unless it gets worse.",
    "emergency": "Call emergency services now and start first aid while waiting.",
}
#: Plain-language name of each cause.
CAUSE_LABELS: dict[str, str] = {
    "hypoglycemia": "Low blood sugar (hypoglycaemia)",
    "dehydration_electrolyte": "Dehydration / electrolytes",
    "nerve_irritation": "Nerve irritation",
    "muscle_fatigue": "Muscle fatigue / cramp",
}


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
