"""Workshop quiz for physiotherapy students: read a case, pick a tier and a leading cause, reveal the kit's answer.

Used by ``notebooks/03-workshop-cases.ipynb`` with the public teaching cases
(``data/cases.json``). The kit's answer is :func:`kit.assess` of the case's observation,
shown with its evidence and the case author's explanation; the score counts right tiers
and right leading causes.

The student notebook never shows the answers before a card is revealed: its checked cell
prints only :func:`answer_key_summary` (case count, agreement with the case authors and a
fingerprint of the key, so a change in scoring still fails nbval). Instructors get the full
key from :func:`answer_key` / :func:`answer_key_frame`, or the instructor-only notebook
``notebooks/instructor/03-workshop-answer-key.ipynb`` (keep it out of what students get).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.engine.assessment import assess
from kit.engine.fields import FIELDS
from kit.engine.rules import CAUSES, TIERS
from kit.words import ACTION_LABELS, CAUSE_LABELS, TERMS, TIER_COLORS, TIER_MEANINGS, flags_text, plain_reasons, tier_label

__all__ = ["WorkshopQuiz", "answer_key", "answer_key_frame", "answer_key_fingerprint", "answer_key_summary", "case_facts",
           "case_title", "glossary_html"]

_PICK = "pick"
_NONE = "none"
_NOT_FACTS = ("athlete_id", "observed_at", "blood_glucose_unit", "episode_id", "notes")


def _assess_case(case: Mapping[str, Any]) -> Any:
    """The kit's assessment of a case: its observation, with the earlier checks of the episode when it has them."""
    history = case.get("history")
    if history:
        return assess(case["observation"], history=history)
    return assess(case["observation"])


def _clock(value: Any) -> str:
    """``2025-06-14T09:15:00+00:00`` -> ``09:15`` (the time of a check, as a trainer reads it)."""
    text = str(value or "")
    return text[11:16] if len(text) >= 16 and text[10] == "T" else text


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=False)


def case_facts(observation: Mapping[str, Any]) -> list[str]:
    """The observation in words, one fact per line, in form order (what a student is given)."""
    out = []
    for name, spec in FIELDS.items():
        if name not in observation or observation[name] is None or name in _NOT_FACTS:
            continue
        v = observation[name]
        if isinstance(v, list | tuple):
            text = "; ".join(ACTION_LABELS.get(str(x), str(x).replace("_", " ")).lower() for x in v) or "none"
        elif spec.kind == "bool":
            text = "yes" if v else "no"
        elif name == "blood_glucose":
            text = f"{v:g} {observation.get('blood_glucose_unit', '')}".strip()
        else:
            text = f"{v:g} {spec.unit}".strip() if isinstance(v, int | float) else str(v)
        out.append(f"{spec.label}: {text}")
    return out


def case_title(case: Mapping[str, Any], number: int) -> str:
    """A neutral title for a case card: its number and the run, never the case id (which names the answer).

    Examples
    --------
    >>> case_title({"id": "pub-02-low-glucose", "observation": {"intensity": "moderate", "run_distance_km": 22,
    ...             "ambient_temp_c": 11}}, 2)
    'Case 2: moderate run, 22 km, air 11 °C'
    """
    o = case.get("observation", {})
    parts = []
    if o.get("intensity"):
        parts.append(f"{o['intensity']} run")
    if isinstance(o.get("run_distance_km"), int | float):
        parts.append(f"{o['run_distance_km']:g} km")
    elif isinstance(o.get("run_duration_min"), int | float):
        parts.append(f"{o['run_duration_min']:g} min")
    if isinstance(o.get("ambient_temp_c"), int | float):
        parts.append(f"air {o['ambient_temp_c']:g} °C")
    if case.get("history"):
        parts.append("with earlier checks")
    return f"Case {number}: {', '.join(parts)}" if parts else f"Case {number}"


def glossary_html(terms: Mapping[str, str] | None = None) -> str:
    """The terms of the case notes explained once (EAMC, EAH, ...), as a collapsible list."""
    items = "".join(f"<li><b>{_esc(k)}</b>: {_esc(v)}</li>" for k, v in (terms or TERMS).items())
    return f"<details class='kit-quiz-terms'><summary>Terms used in the case notes</summary><ul>{items}</ul></details>"


def answer_key(cases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The kit's answer for every case: ``id``, ``escalation``, ``top_cause``, ``flags``."""
    out = []
    for c in cases:
        a = _assess_case(c)
        out.append({"id": c["id"], "escalation": a.escalation, "top_cause": a.top_cause, "flags": list(a.flags)})
    return out


def answer_key_frame(cases: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The answer key as a pandas DataFrame (instructors), one row per case, with the case authors' expected answer.

    Columns: ``id``, ``escalation``, ``top_cause``, ``flags`` (the kit's answer; "none" when no
    cause leads or no flag is raised) and ``expected_escalation``, ``expected_top_cause`` (from
    the case file).
    """
    rows = []
    for c, k in zip(cases, answer_key(cases), strict=True):
        exp = c.get("expected", {})
        rows.append({**k, "top_cause": k["top_cause"] or "none", "flags": ", ".join(k["flags"]) or "none",
                     "expected_escalation": exp.get("escalation"), "expected_top_cause": exp.get("top_cause") or "none"})
    return pd.DataFrame(rows)


def answer_key_fingerprint(cases: Sequence[Mapping[str, Any]]) -> str:
    """A short hash of the answer key (every case's id, tier, leading cause and flags).

    It changes whenever the kit's answer to any case changes, and reveals none of them.
    """
    text = json.dumps(answer_key(cases), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def answer_key_summary(cases: Sequence[Mapping[str, Any]]) -> str:
    """One line that checks the answer key without showing it (for the student notebook).

    Gives the number of cases, on how many the kit's tier and leading cause match the
    case authors' expected answer, and :func:`answer_key_fingerprint`.
    """
    key = answer_key(cases)
    agree = sum(k["escalation"] == c.get("expected", {}).get("escalation")
                and k["top_cause"] == c.get("expected", {}).get("top_cause") for c, k in zip(cases, key, strict=True))
    return (f"{len(key)} cases; the kit's answer matches the case authors' on {agree} of {len(key)}; "
            f"answer key fingerprint {answer_key_fingerprint(cases)}")


class _Card:
    def __init__(self, quiz: WorkshopQuiz, number: int, case: Mapping[str, Any]) -> None:
        self.case = case
        self.quiz = quiz
        self.assessment = _assess_case(case)
        facts = "".join(f"<li>{_esc(f)}</li>" for f in case_facts(case["observation"]))
        earlier = "".join(
            f"<li>check {i} ({_esc(_clock(h.get('observed_at')) or 'time not recorded')}): "
            + _esc("; ".join(case_facts(h))) + "</li>" for i, h in enumerate(case.get("history") or (), 1))
        earlier = f"<details><summary>Earlier checks in this episode</summary><ul>{earlier}</ul></details>" if earlier else ""
        now = f" (now, {_esc(_clock(case['observation'].get('observed_at')))})" if case.get("history") else ""
        head = widgets.HTML(f"<h4 style='margin:4px 0'>{_esc(case_title(case, number))}</h4>"
                            f"<p>{_esc(case.get('story', ''))}</p>{earlier}"
                            f"<details><summary>Findings{now}</summary><ul>{facts}</ul></details>")
        self.tier = widgets.Dropdown(options=[("pick a tier", _PICK), *((tier_label(t), t) for t in TIERS)],
                                     value=_PICK, description="Tier", layout=widgets.Layout(width="26em")).add_class("kit-quiz-tier")
        self.cause = widgets.Dropdown(options=[("pick a cause", _PICK), *((CAUSE_LABELS[c], c) for c in CAUSES),
                                               ("none of the four leads", _NONE)],
                                      value=_PICK, description="Cause", layout=widgets.Layout(width="26em")).add_class("kit-quiz-cause")
        self.reveal_button = widgets.Button(description="Reveal the kit's answer", icon="eye", tooltip="Reveal the kit's answer",
                                            layout=widgets.Layout(width="auto", min_width="16em")).add_class("kit-quiz-reveal")
        self.result = widgets.HTML().add_class("kit-quiz-answer")
        self.reveal_button.on_click(lambda _b: self.reveal())
        self.revealed = False
        self.widget = widgets.VBox([head, widgets.HBox([self.tier, self.cause], layout=widgets.Layout(flex_flow="row wrap")),
                                    self.reveal_button, self.result],
                                   layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="6px 0"))

    def right(self) -> tuple[bool, bool]:
        a = self.assessment
        return self.tier.value == a.escalation, self.cause.value == (a.top_cause or _NONE)

    def picks(self) -> tuple[str, str]:
        """The student's picks in words (tier, cause), as shown beside the kit's answer."""
        tier = tier_label(self.tier.value) if self.tier.value in TIERS else "no tier picked"
        cause = (CAUSE_LABELS[self.cause.value] if self.cause.value in CAUSE_LABELS
                 else "none of the four leads" if self.cause.value == _NONE else "no cause picked")
        return tier, cause

    def reveal(self) -> None:
        a = self.assessment.to_dict()
        tier_ok, cause_ok = self.right()
        self.revealed = True
        self.tier.disabled = self.cause.disabled = self.reveal_button.disabled = True

        def mark(ok: bool) -> str:
            return "<b style='color:#1b5e20'>✓ right</b>" if ok else "<b style='color:#b71c1c'>✗ not quite</b>"

        pick_tier, pick_cause = self.picks()
        lead = CAUSE_LABELS[a["top_cause"]] if a["top_cause"] else "none of the four causes leads"
        evidence = "".join(
            f"<li><b>{_esc(CAUSE_LABELS[c['cause']])}</b> ({c['score']}): "
            + "; ".join(f"{_esc(e['finding'])} +{e['points']} <i>({_esc(e['source'])})</i>" for e in c["evidence"])
            + "</li>" for c in a["causes"] if c["evidence"])
        reasons = "".join(f"<li>{_esc(r)}</li>" for r in plain_reasons([r["reason"] for r in a.get("reasons", [])],
                                                                         a.get("amber_points", 0)))
        rules = "".join(f"<li>{_esc(r['reason'])} <i>({_esc(r['source'])})</i></li>" for r in a.get("reasons", []))
        rules += f"<li>amber points: {_esc(a.get('amber_points', 0))}; flags: {_esc(', '.join(a['flags']) or 'none')}</li>"
        signs = flags_text(a["flags"])
        color = TIER_COLORS[a["escalation"]]
        cell = "style='padding:2px 10px 2px 0;text-align:left;vertical-align:top'"
        self.result.value = (
            f"<div style='border-left:8px solid {color};padding-left:8px'>"
            f"<table style='border-collapse:collapse'><thead><tr><th {cell}></th><th {cell}>Your pick</th>"
            f"<th {cell}>The kit's answer</th><th {cell}></th></tr></thead><tbody>"
            f"<tr><th {cell}>Tier</th><td {cell}>{_esc(pick_tier)}</td><td {cell}><b>{_esc(tier_label(a['escalation']))}</b>"
            f"</td><td {cell}>{mark(tier_ok)}</td></tr>"
            f"<tr><th {cell}>Leading cause</th><td {cell}>{_esc(pick_cause)}</td><td {cell}><b>{_esc(lead)}</b></td>"
            f"<td {cell}>{mark(cause_ok)}</td></tr></tbody></table>"
            f"<p>{_esc(TIER_MEANINGS[a['escalation']])}</p>"
            + (f"<p><b>Signs the kit noted</b>: {_esc(signs)}</p>" if signs else "")
            + f"<p><b>Why this tier</b></p><ul>{reasons or '<li>no danger or warning sign recorded</li>'}</ul>"
            f"<p><b>Evidence</b> (points and sources)</p><ul>{evidence or '<li>none</li>'}</ul>"
            f"<details><summary>The rules behind it (ids, amber points, rule sources)</summary><ul>{rules}</ul></details>"
            f"<p><b>Case notes</b>: {_esc(self.case.get('why', ''))}</p></div>")
        self.quiz.update_score()


class WorkshopQuiz:
    """The quiz: one card per case, a running score at the end.

    Parameters
    ----------
    cases : sequence of Mapping
        Teaching cases (``id``, ``story``, ``observation``, optional ``why``).

    Attributes
    ----------
    widget : ipywidgets.VBox
        Display it.
    cards : list
        One per case: ``.tier`` and ``.cause`` dropdowns, ``.reveal()``.
    """

    def __init__(self, cases: Sequence[Mapping[str, Any]]) -> None:
        self.cards = [_Card(self, i + 1, c) for i, c in enumerate(cases)]
        self.score_html = widgets.HTML().add_class("kit-quiz-score")
        self.terms = widgets.HTML(glossary_html())
        self.widget = widgets.VBox([self.terms, *(c.widget for c in self.cards), self.score_html])
        self.update_score()

    def answer(self, case_id: str, tier: str, cause: str | None) -> tuple[bool, bool]:
        """Pick answers for one case and reveal it (for scripting and tests); returns (tier right, cause right)."""
        card = next(c for c in self.cards if c.case["id"] == case_id)
        card.tier.value = tier
        card.cause.value = cause or _NONE
        card.reveal()
        return card.right()

    def score(self) -> dict[str, int]:
        """``revealed``, ``tiers_right``, ``causes_right`` and ``cases``."""
        done = [c for c in self.cards if c.revealed]
        rights = [c.right() for c in done]
        return {"revealed": len(done), "tiers_right": sum(t for t, _ in rights),
                "causes_right": sum(c for _, c in rights), "cases": len(self.cards)}

    def score_text(self) -> str:
        """The score in words."""
        s = self.score()
        return (f"{s['revealed']} of {s['cases']} cases revealed: {s['tiers_right']} tiers right, "
                f"{s['causes_right']} leading causes right.")

    def update_score(self) -> None:
        """Redraw the score line."""
        self.score_html.value = f"<h4>Score</h4><p>{_esc(self.score_text())}</p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
