"""A teaching drill for rechecks (issue 12 item 5): step through scripted episodes, predict, reveal.

Students see one entry of an episode at a time (what the trainer finds, and what was given
since the last check), pick the level they expect the kit to give, then reveal the kit's
answer: the level, the trend and the recheck reasons in plain words (:mod:`kit.words`). The
next entry appears after the reveal. Each answer is :func:`kit.assess` of the entry with the
earlier entries as history (clinical-reference §9.9): nothing is stored in the drill.

The scripts are teaching material (synthetic, no real person). Two come from the public
teaching cases (``data/cases.json``, the episodes with ``history``); the spasm that passes
the hour across three entries is written here.

References
----------
clinical-reference.md §9.9 (rechecks K1-K8), §9.10 (reassessment times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from kit.engine.assessment import assess
from kit.engine.episodes import elapsed_min, parse_time
from kit.engine.fields import FIELDS
from kit.engine.rules import TIERS
from kit.resources import load_cases
from kit.words import ACTION_LABELS, TIER_COLORS, TIER_TEXT_COLORS, TIER_TITLES, TREND_LABELS, recheck_reason_label

__all__ = ["DrillScript", "drill_scripts", "step_answers", "RecheckDrill", "drill_summary"]

#: The public teaching cases used as drill scripts (case id -> drill title).
_FROM_CASES = {
    "pub-29-episode-glucose-still-low": "Low glucose treated twice, not recovering",
    "pub-30-episode-heat-exhaustion-40-min": "Heat exhaustion not improving",
}
#: A spasm that passes the hour across three entries (a script of its own; times in minutes).
_SPASM = [
    {"episode_id": "D3", "observed_at": "2026-06-14T09:00:00+00:00", "spasm": True, "spasm_duration_min": 25,
     "pain_score": 5},
    {"episode_id": "D3", "observed_at": "2026-06-14T09:20:00+00:00", "spasm": True, "pain_score": 5,
     "treatment_given": ["stretch"]},
    {"episode_id": "D3", "observed_at": "2026-06-14T09:40:00+00:00", "spasm": True, "pain_score": 6,
     "treatment_given": ["stretch"]},
]


@dataclass(frozen=True)
class DrillScript:
    """One scripted episode: a title, a story and its entries in order (contract observations)."""

    id: str
    title: str
    story: str
    entries: tuple[Mapping[str, Any], ...]


def drill_scripts(cases: Sequence[Mapping[str, Any]] | None = None) -> list[DrillScript]:
    """The drill's episodes: the two case episodes named in :data:`_FROM_CASES`, then the spasm script."""
    if cases is None:
        cases = load_cases()
    by_id = {c["id"]: c for c in cases}
    out = [DrillScript(cid, title, by_id[cid].get("story", ""), (*by_id[cid]["history"], by_id[cid]["observation"]))
           for cid, title in _FROM_CASES.items() if cid in by_id]
    out.append(DrillScript("spasm-passing-the-hour", "A spasm passing the hour across three entries",
                           "Calf locked for 25 min at the first check; stretched; still locked 20 and 40 min later.",
                           tuple(_SPASM)))
    return out


def step_answers(script: DrillScript) -> list[dict[str, Any]]:
    """The kit's answer at each entry (the entry assessed with the earlier ones as history), as contract dicts."""
    return [assess(e, history=list(script.entries[:k])).to_dict() for k, e in enumerate(script.entries)]


def _minutes(script: DrillScript, k: int) -> str:
    m = elapsed_min(parse_time(script.entries[0].get("observed_at")), parse_time(script.entries[k].get("observed_at")))
    return "first check" if k == 0 else (f"{m:g} min after the first check" if m is not None else "recheck")


def _entry_html(script: DrillScript, k: int) -> str:
    e = script.entries[k]
    facts = []
    for name, value in e.items():
        if name in ("episode_id", "observed_at", "treatment_given") or value is None:
            continue
        spec = FIELDS[name]
        shown = ("yes" if value else "no") if spec.kind == "bool" else f"{value}{' ' + spec.unit if spec.unit else ''}"
        facts.append(f"{spec.label}: {shown}")
    given = ", ".join(ACTION_LABELS.get(a, a) for a in e.get("treatment_given") or ()) or "nothing recorded"
    return (f"<p><b>Entry {k + 1}</b> ({_minutes(script, k)}): {'; '.join(facts)}.<br>"
            f"Given since the last check: {given}.</p>")


def _answer_html(d: Mapping[str, Any], picked: str | None) -> str:
    tier = d["escalation"]
    reasons = "".join(f"<li>{recheck_reason_label(r)}</li>" for r in d.get("recheck_reasons") or ())
    verdict = "" if picked is None else (" (your prediction: right)" if picked == tier else
                                         f" (your prediction: {TIER_TITLES[picked]})")
    trend = TREND_LABELS.get(d.get("trend") or "first", d.get("trend"))
    return (f"<div class='kit-drill-answer' data-tier='{tier}' style='background:{TIER_COLORS[tier]};"
            f"color:{TIER_TEXT_COLORS[tier]};padding:4px 8px;border-radius:4px'><b>{TIER_TITLES[tier]}</b>{verdict}"
            f"<br>Trend: {trend}" + (f"<ul>{reasons}</ul>" if reasons else "") + "</div>")


class RecheckDrill:
    """The drill widget: one card per script; each entry asks for a prediction, then reveals the kit's answer.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Display it.
    scripts : list of DrillScript
    """

    def __init__(self, scripts: Sequence[DrillScript] | None = None) -> None:
        self.scripts = list(scripts) if scripts is not None else drill_scripts()
        self.answers = [step_answers(s) for s in self.scripts]
        self.picked: dict[tuple[int, int], str] = {}
        self.shown = [0] * len(self.scripts)  # entries revealed per script
        self._cards = [widgets.VBox().add_class("kit-drill-card") for _ in self.scripts]
        self.score_html = widgets.HTML().add_class("kit-drill-score")
        self.widget = widgets.VBox([*self._cards, self.score_html]).add_class("kit-drill")
        for i in range(len(self.scripts)):
            self._draw(i)

    def predict(self, script: int, step: int, tier: str) -> bool:
        """Predict the level of entry ``step`` of script ``script`` and reveal it; returns whether it was right."""
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}")
        if step != self.shown[script]:
            raise ValueError(f"entry {step + 1} is not the next one to reveal (that is entry {self.shown[script] + 1})")
        self.picked[(script, step)] = tier
        self.shown[script] += 1
        self._draw(script)
        return bool(tier == self.answers[script][step]["escalation"])

    def score_text(self) -> str:
        """How many revealed predictions were right."""
        right = sum(t == self.answers[i][k]["escalation"] for (i, k), t in self.picked.items())
        return f"{right} of {len(self.picked)} predictions right ({sum(map(len, self.answers))} entries in all)"

    def _draw(self, i: int) -> None:
        s = self.scripts[i]
        parts: list[Any] = [widgets.HTML(f"<h3>{i + 1}. {s.title}</h3><p>{s.story}</p>")]
        for k in range(self.shown[i]):
            parts.append(widgets.HTML(_entry_html(s, k) + _answer_html(self.answers[i][k], self.picked.get((i, k)))))
        k = self.shown[i]
        if k < len(s.entries):
            pick = widgets.Dropdown(options=[(TIER_TITLES[t], t) for t in TIERS], value=None,
                                    description="Your prediction", style={"description_width": "initial"}
                                    ).add_class("kit-drill-pick")
            button = widgets.Button(description="Reveal the kit's level", button_style="info").add_class("kit-drill-reveal")
            button.on_click(lambda _b, i=i, k=k, pick=pick: pick.value is not None and self.predict(i, k, pick.value))
            parts += [widgets.HTML(_entry_html(s, k)), widgets.HBox([pick, button])]
        else:
            parts.append(widgets.HTML("<p><i>End of this episode.</i></p>"))
        self._cards[i].children = tuple(parts)
        self.score_html.value = f"<p><b>{self.score_text()}</b></p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def drill_summary(scripts: Sequence[DrillScript] | None = None) -> str:
    """A line that gives no answer away: episodes, entries, and how many entries end above the first level
    (nbval compares it, so a change in the recheck rules shows)."""
    scripts = list(scripts) if scripts is not None else drill_scripts()
    answers = [step_answers(s) for s in scripts]
    rose = sum(TIERS.index(a[-1]["escalation"]) > TIERS.index(a[0]["escalation"]) for a in answers)
    return (f"{len(scripts)} scripted episodes, {sum(map(len, answers))} entries; "
            f"{rose} end at a higher level than they started")
