"""Handouts: one athlete's episode on one self-contained HTML page, and notebooks to HTML.

Two commands (registered in :data:`kit.cli.SUBCOMMANDS`):

* ``python -m kit handout --athlete ID [--log PATH] [--out DIR] [--all] [--pseudonymise]``
  runs ``notebooks/handout-template.ipynb`` with papermill for the athlete's latest
  observation and history (only that athlete's rows are passed as parameters), converts
  the result with nbconvert to HTML without code cells and prints the path written.
* ``python -m kit export NOTEBOOK [--out DIR]`` turns a worked notebook into an HTML file
  whose plotly charts stay interactive and whose widgets show their last saved state.

Both write pages that make **no network request** when opened from ``file://``: plotly.js's
*basic* partial bundle (scatter, bar, pie; ~1.2 MB, vendored in ``kit/vendor``) is inlined
once per page and every chart is drawn from its JSON by a small inline script; the
nbconvert template drops require.js, MathJax, mermaid and the CDN widget manager; widget
state is rendered as static HTML (see :func:`render_widget`); any remaining remote
reference (a student's web image) is neutralised and reported.

Everything a person typed (athlete id, notes) is HTML-escaped where it is written; notes
never go into a chart. The template's own building blocks are the functions of this
module (``prepare``, ``header``, ``observation_section`` ...): the notebook cells only call
them.

References
----------
docs/reference/clinical-reference.md §7 (the article's advice and its safety corrections),
§9 (tiers), §9.3-9.5 (when to get help); docs/reference/contract.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import hmac
import html
import json
import math
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.fields import FIELD_NAMES, FIELDS
from kit.thresholds import T

__all__ = [
    "TEMPLATE", "PLOTLY_JS", "MAX_HANDOUT_BYTES", "PSEUDONYM_ENV",
    "Html", "FigureOutput", "HandoutPage", "example_observations", "prepare", "figure",
    "header", "observation_section", "tier_section", "causes_section", "history_section", "history_figure",
    "prevention_section", "seek_help_section", "sources_section", "footer",
    "pseudonym", "pseudonym_key", "TeamSource", "run_template", "notebook_to_html", "write_handout",
    "export_notebook", "render_widget", "plotly_div", "remote_references", "safe_filename",
    "configure_handout", "run_handout", "configure_export", "run_export",
]

PACKAGE = Path(__file__).resolve().parent
#: The parameterised handout notebook (papermill ``parameters`` cell).
TEMPLATE = PACKAGE.parent / "notebooks" / "handout-template.ipynb"
#: plotly.js basic partial bundle (npm ``plotly.js-basic-dist-min``), inlined once per page.
PLOTLY_JS = PACKAGE / "vendor" / "plotly-basic.min.js"
#: The size a per-athlete handout must stay under.
MAX_HANDOUT_BYTES = 2 * 1024 * 1024
#: Environment variable holding the pseudonym key (else a random key kept in the user data dir).
PSEUDONYM_ENV = "KIT_PSEUDONYM_KEY"

_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def esc(value: Any) -> str:
    """HTML-escape any value (quotes too): the one way typed text enters a page."""
    return html.escape("" if value is None else str(value), quote=True)


class Html:
    """A piece of HTML built by this module (all typed text already escaped).

    Displays as ``text/html`` in a notebook; its plain-text repr is only its title, so
    the data is not duplicated in ``text/plain`` outputs.
    """

    def __init__(self, markup: str, title: str = "section"):
        self.markup = markup
        self.title = title

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<handout {self.title}>"


class FigureOutput:
    """Show a plotly figure as its JSON mimetype only (no plotly.js inlined in the notebook).

    JupyterLab draws the JSON with its plotly extension; :func:`notebook_to_html` turns it
    into a ``div`` drawn by the single inlined plotly.js bundle.
    """

    def __init__(self, fig: Any, text: str = "chart"):
        self.fig = fig
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import plotly.io as pio

        spec = json.loads(pio.to_json(self.fig, validate=False))
        spec["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
        return {_PLOTLY_MIME: spec, "text/plain": self.text}

    def __repr__(self) -> str:
        return f"<figure {self.text}>"


def figure(fig: Any, text: str = "chart") -> FigureOutput:
    """Wrap a plotly figure for display in the handout (see :class:`FigureOutput`)."""
    return FigureOutput(fig, text)


# --------------------------------------------------------------------------------------------
# the page's data
# --------------------------------------------------------------------------------------------

_EXAMPLE_CASES = (
    ("pub-01-easy-calf-cramp", "2026-04-12T09:30:00"),
    ("pub-04-hot-day-dehydration-cramps", "2026-06-21T17:45:00"),
    ("pub-08-recurrent-cramps-despite-prevention", "2026-07-05T08:15:00"),
)
EXAMPLE_ATHLETE = "EXAMPLE-01"


def example_observations() -> list[dict[str, Any]]:
    """A small built-in example athlete: three public teaching cases as one runner's season.

    Used when the template runs with its default parameters (nbval, a first look): the
    cases come from ``data/cases.json``; only the athlete id and the dates are set here.
    """
    from kit.demo import load_cases

    cases = {c["id"]: c for c in load_cases()}
    out = []
    for case_id, when in _EXAMPLE_CASES:
        obs = dict(cases[case_id]["observation"])
        obs.update(athlete_id=EXAMPLE_ATHLETE, observed_at=when)
        out.append(obs)
    return out


@dataclass(frozen=True)
class HandoutPage:
    """Everything one handout shows, computed once by :func:`prepare`.

    Attributes
    ----------
    label : str
        The athlete as shown (id or pseudonym); escaped wherever it is written.
    latest : Observation
        The episode (the latest observation).
    latest_raw : dict
        The same as a contract mapping.
    assessment : Assessment
        The kit's assessment of the episode.
    history : pandas.DataFrame
        :func:`kit.history.history_frame` of all the athlete's observations.
    summary : dict
        :func:`kit.history.history_summary`.
    generated_on : str
        ISO date the handout was made.
    version : str
        The kit's version.
    pseudonymised, example : bool
        Whether the label is a pseudonym; whether this is the built-in example.
    """

    label: str
    latest: Any
    latest_raw: dict[str, Any]
    assessment: Any
    history: Any
    summary: dict[str, Any]
    generated_on: str
    version: str
    pseudonymised: bool = False
    example: bool = False


def _sort_key(obs: Mapping[str, Any], i: int) -> tuple[int, str, int]:
    when = obs.get("observed_at")
    if not when:
        return (0, "", i)
    try:
        t = dt.datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        if t.tzinfo is not None:
            t = t.astimezone(dt.UTC).replace(tzinfo=None)
        return (1, t.isoformat(), i)
    except ValueError:
        return (0, "", i)


def prepare(observations: Sequence[Mapping[str, Any]] | None = None, *, athlete_label: str = "",
            generated_on: str = "", pseudonymised: bool = False) -> HandoutPage:
    """Validate one athlete's observations and compute what the handout shows.

    Parameters
    ----------
    observations : sequence of mappings, optional
        This athlete's observations (contract fields), any order. Empty or ``None``: the
        built-in example (:func:`example_observations`).
    athlete_label : str
        The name shown; default the observations' ``athlete_id``.
    generated_on : str
        ``YYYY-MM-DD``; default today.
    pseudonymised : bool
        Say on the page that the label is a pseudonym.

    Returns
    -------
    HandoutPage

    Raises
    ------
    kit.ObservationError
        If an observation is invalid.
    ValueError
        If the observations belong to more than one athlete (a handout holds one athlete).
    """
    from kit import __version__, assess, parse_observation
    from kit.history import history_frame, history_summary

    example = not observations
    obs_list = [dict(o) for o in (example_observations() if example else observations)]
    ids = {str(o.get("athlete_id") or "").strip() for o in obs_list}
    ids.discard("")
    if len(ids) > 1:
        raise ValueError(f"a handout shows one athlete, got {len(ids)} different athlete ids")
    order = sorted(range(len(obs_list)), key=lambda i: _sort_key(obs_list[i], i))
    obs_list = [obs_list[i] for i in order]
    latest_raw = {k: v for k, v in obs_list[-1].items() if k in FIELD_NAMES}
    label = (athlete_label or (next(iter(ids)) if ids else "") or "(no athlete id)").strip()
    day = generated_on or dt.date.today().isoformat()
    hist = history_frame([{k: v for k, v in o.items() if k in FIELD_NAMES} for o in obs_list])
    return HandoutPage(
        label=label, latest=parse_observation(latest_raw), latest_raw=latest_raw, assessment=assess(latest_raw),
        history=hist, summary=history_summary(hist), generated_on=day, version=__version__,
        pseudonymised=pseudonymised, example=example,
    )


# --------------------------------------------------------------------------------------------
# sections (each returns escaped HTML)
# --------------------------------------------------------------------------------------------

_TIER_WORDS = {
    "self_care": ("Self-care", "You can manage this yourself: rest, gently stretch or massage the muscle, eat, and "
                               "drink to thirst. Go over the prevention steps below, and get help if new symptoms appear."),
    "monitor": ("Monitor on site", "A trainer treats this on site and stays with the athlete; no more running today. "
                                   "It is checked again at a set time: if it is not improving, or gets worse, call "
                                   "emergency services."),
    "see_doctor": ("See a doctor (non-urgent)", "Arrange a medical review within days. Until then, care on site as "
                                                "for 'monitor'."),
    "emergency": ("Emergency", "Call emergency services / get immediate medical attention, and start first aid "
                               "while waiting."),
}
_CAUSE_WORDS = {
    "hypoglycemia": "Low blood sugar (hypoglycaemia)",
    "dehydration_electrolyte": "Fluid or salt imbalance (dehydration, heat, or too much water)",
    "nerve_irritation": "Nerve irritation",
    "muscle_fatigue": "Muscle fatigue / exercise-associated cramp",
}
_CAUSE_TIPS = {
    "hypoglycemia": "Most of these episodes point to low blood sugar: eat a carbohydrate meal or snack in the hours "
                    "before running, take carbohydrate on long runs, and carry fast sugar.",
    "dehydration_electrolyte": "Most of these episodes point to a fluid or salt problem: weigh yourself before and "
                               "after long or hot runs to learn your sweat loss, drink to thirst, and eat salty food "
                               "afterwards. Never drink so much that you gain weight.",
    "nerve_irritation": "Numbness or tingling is not typical of a tired muscle: have it checked if it comes back.",
    "muscle_fatigue": "Most of these episodes look like tired muscles: build distance and pace gradually, and ease "
                      "off when your legs are already tired.",
}


def _label(name: str) -> str:
    return FIELDS[name].label


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def _num(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "?"
    r = round(float(x), digits)
    return str(int(r)) if r == int(r) else f"{r:g}"


def _when(value: Any) -> str:
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    s = t.strftime("%d %b %Y, %H:%M")
    if t.tzinfo is not None:
        off = t.utcoffset() or dt.timedelta(0)
        s += " UTC" if not off else t.strftime(" UTC%z")
    return s


def _ul(items: Iterable[str], cls: str = "") -> str:
    lis = "".join(f"<li>{i}</li>" for i in items)
    return f'<ul class="{cls}">{lis}</ul>' if cls else f"<ul>{lis}</ul>"


def _section(key: str, title: str, body: str) -> Html:
    return Html(f'<section class="kit-section kit-{key}"><h2>{esc(title)}</h2>{body}</section>', title)


def header(page: HandoutPage) -> Html:
    """Title, athlete, episode date and the tier banner."""
    a = page.assessment
    title, meaning = _TIER_WORDS[a.escalation]
    who = esc(page.label) + (' <span class="kit-muted">(pseudonym)</span>' if page.pseudonymised else "")
    when = _when(page.latest.observed_at) or "date not recorded"
    example = ('<p class="kit-example">Teaching example: three public cases from the kit shown as one runner\'s '
               "season.</p>") if page.example else ""
    markup = (
        '<header class="kit-header">'
        '<p class="kit-kicker">postrun-kit &middot; episode handout</p>'
        "<h1>Trembling or cramping legs after a run</h1>"
        f'<p class="kit-who"><span class="kit-athlete">{who}</span> &middot; episode of <span class="kit-date">'
        f"{esc(when)}</span></p>{example}"
        f'<div class="kit-tier kit-tier-{esc(a.escalation)}" role="status"><p class="kit-tier-title">'
        f"{esc(title)}</p><p>{esc(meaning)}</p></div>"
        "</header>"
    )
    return Html(markup, "header")


def _facts(obs: Any, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(row heading, escaped text) pairs describing one observation in plain words."""
    rows: list[tuple[str, str]] = []
    run = []
    if obs.intensity:
        run.append(f"{obs.intensity} run")
    if obs.run_distance_km is not None:
        run.append(f"{_num(obs.run_distance_km)} km")
    if obs.run_duration_min is not None:
        run.append(f"{_num(obs.run_duration_min)} min")
    if obs.ambient_temp_c is not None:
        run.append(f"air temperature {_num(obs.ambient_temp_c)} °C")
    rows.append(("The run", esc(_cap(", ".join(run))) if run else "not recorded"))
    fuel = []
    if obs.fluid_intake_ml is not None:
        fuel.append(f"drank {_num(obs.fluid_intake_ml, 0)} mL during the run")
    if obs.electrolyte_drink is not None:
        fuel.append("took an electrolyte / sports drink" if obs.electrolyte_drink else "no electrolyte / sports drink")
    if obs.carbs_during_run_g is not None:
        fuel.append(f"{_num(obs.carbs_during_run_g, 0)} g of carbohydrate during the run")
    if obs.hours_since_meal is not None:
        fuel.append(f"last meal {_num(obs.hours_since_meal)} h before")
    if fuel:
        rows.append(("Drinks and food", esc(_cap("; ".join(fuel)))))
    present, absent = [], []
    for name, spec in FIELDS.items():
        if spec.kind != "bool" or spec.group not in ("red_flags", "symptoms"):
            continue
        v = getattr(obs, name)
        if v is True:
            extra = ""
            if name == "spasm" and obs.spasm_duration_min is not None:
                extra = f", lasting {_num(obs.spasm_duration_min)} min"
            present.append(_lower_first(spec.label) + extra)
        elif v is False:
            absent.append(_lower_first(spec.label))
    if obs.pain_score is not None:
        present.append(f"pain now {_num(obs.pain_score)}/10")
    if obs.spasm is not True and obs.spasm_duration_min is not None:
        present.append(f"spasm lasting {_num(obs.spasm_duration_min)} min")
    rows.append(("Signs present", esc(_cap("; ".join(present))) if present else "none recorded"))
    if absent:
        rows.append(("Checked and not present", esc(_cap("; ".join(absent)))))
    meas = []
    if obs.blood_glucose is not None:
        g = f"blood glucose {_num(obs.blood_glucose)} {obs.blood_glucose_unit or ''}".strip()
        if obs.blood_glucose_unit == "mmol/L" and obs.glucose_mg_dl is not None:
            g += f" ({_num(obs.glucose_mg_dl, 0)} mg/dL)"
        meas.append(g)
    if obs.body_mass_pre_kg is not None:
        m = f"body mass {_num(obs.body_mass_pre_kg)} kg before"
        if obs.body_mass_post_kg is not None:
            ch = obs.body_mass_change_pct
            m += f" and {_num(obs.body_mass_post_kg)} kg after ({'+' if ch > 0 else ''}{_num(ch)} %)"
        meas.append(m)
    if obs.urine_color is not None:
        meas.append(f"urine colour {obs.urine_color} on the 1-8 chart")
    if obs.core_temp_c is not None:
        meas.append(f"core (rectal) temperature {_num(obs.core_temp_c)} °C")
    if obs.heart_rate_bpm is not None:
        meas.append(f"heart rate {_num(obs.heart_rate_bpm, 0)} bpm")
    if obs.serum_sodium_mmol_l is not None:
        meas.append(f"serum sodium {_num(obs.serum_sodium_mmol_l)} mmol/L")
    if meas:
        rows.append(("Measured", esc(_cap("; ".join(meas)))))
    back = []
    for name in ("has_diabetes", "glucose_lowering_medication", "prevention_followed"):
        v = getattr(obs, name)
        if v is not None:
            back.append(f"{_lower_first(FIELDS[name].label)}: {'yes' if v else 'no'}")
    if obs.prior_episodes_30d is not None:
        back.append(f"earlier episodes in the last 30 days: {obs.prior_episodes_30d}")
    if back:
        rows.append(("Background", esc(_cap("; ".join(back)))))
    note = raw.get("notes")
    if isinstance(note, str) and note.strip():
        rows.append(("Trainer's note", f'<span class="kit-note">{esc(note)}</span>'))
    return rows


def observation_section(page: HandoutPage) -> Html:
    """The episode's observation in plain words (typed notes escaped)."""
    rows = [("Observed", esc(_when(page.latest.observed_at) or "date not recorded"))]
    rows += _facts(page.latest, page.latest_raw)
    missing = [_lower_first(_label(m)) for m in page.assessment.missing if m in FIELDS]
    if missing:
        rows.append(("Would have helped", esc(_cap("; ".join(missing))) + ' <span class="kit-muted">(not '
                     "recorded; unknown is never taken as normal)</span>"))
    table = "".join(f'<tr><th scope="row">{esc(h)}</th><td>{body}</td></tr>' for h, body in rows)
    return _section("observation", "What was observed", f'<table class="kit-facts">{table}</table>')


def tier_section(page: HandoutPage) -> Html:
    """The tier, why, what was done (the advised actions), what not to do, when to recheck."""
    a = page.assessment
    title, _ = _TIER_WORDS[a.escalation]
    why = [f"{esc(r['reason'])} <span class=\"kit-src\">({esc(r['source'])})</span>" for r in a.reasons]
    body = f'<p class="kit-lead">Tier: <strong class="kit-tier-name">{esc(title)}</strong>.</p>'
    if why:
        body += "<p>Why:</p>" + _ul(why)
    else:
        body += "<p>Why: no red flag and no warning sign was recorded.</p>"
    if a.actions:
        body += "<h3>What was advised (in this order)</h3>" + "<ol>" + "".join(
            f"<li>{esc(x['text'])}</li>" for x in a.actions) + "</ol>"
    if a.contraindicated:
        names = {"drink_water": "Plain water to 'flush'", "electrolyte_drink": "Sports / electrolyte drinks",
                 "nsaid": "Ibuprofen or other anti-inflammatories (NSAIDs)", "continue_running": "Carrying on running",
                 "heat": "Heat packs", "oral_carbohydrate": "Food, drink or sugar by mouth"}
        body += "<h3>What not to do</h3>" + _ul(
            f"<strong>{esc(names.get(c['id'], c['id'].replace('_', ' ').capitalize()))}</strong>: {esc(c['why'])}"
            for c in a.contraindicated)
    if a.reassess_in_min:
        body += f'<p class="kit-recheck">Check again after {a.reassess_in_min} min.</p>'
    if a.warnings:
        body += "<p>Check the data:</p>" + _ul(esc(w) for w in a.warnings)
    return _section("tiersec", "How serious, and what was done", body)


def causes_section(page: HandoutPage) -> Html:
    """The four causes ranked, each with its evidence and sources."""
    a = page.assessment
    items = []
    for rank, c in enumerate(a.causes, 1):
        ev = [f"{esc(e['finding'])} <span class=\"kit-src\">(+{int(e['points'])}; {esc(e['source'])})</span>"
              for e in c["evidence"]]
        score = max(0, min(100, int(c["score"])))
        items.append(
            f'<li class="kit-cause"><div class="kit-cause-head"><span class="kit-cause-name">{rank}. '
            f"{esc(_CAUSE_WORDS.get(c['cause'], c['cause']))}</span>"
            f'<span class="kit-bar"><span style="width:{score}%"></span></span><span class="kit-score">{score}</span></div>'
            + (_ul(ev, "kit-evidence") if ev else '<p class="kit-muted">no finding for this cause</p>') + "</li>")
    if a.top_cause is None:
        lead = ("<p>No single one of the four causes leads: either a condition outside them dominates (heat stroke or "
                "muscle breakdown, see the tier above) or too little was recorded to tell.</p>")
    else:
        lead = f"<p>Most likely: <strong>{esc(_CAUSE_WORDS[a.top_cause])}</strong>. Mixed pictures are common.</p>"
    note = ('<p class="kit-muted">Scores are a relative weight of evidence (0-100), not probabilities. Confidence: '
            f"{esc(a.confidence)}.</p>")
    return _section("causes", "Possible causes, ranked", lead + '<ol class="kit-causes">' + "".join(items) + "</ol>" + note)


def history_section(page: HandoutPage) -> Html:
    """The athlete's history in sentences (the chart follows as its own output)."""
    from kit.history import _TIER_WORDS as words

    s = page.summary
    body = "".join(f"<p>{esc(x)}</p>" for x in s["sentences"])
    if s["n_observations"] > 1:
        body += ('<p class="kit-muted">The chart shows the tier of every observation; filled markers are episodes of '
                 "trembling or spasm, open markers checks without symptoms.</p>")
    tip = _CAUSE_TIPS.get(s["common_cause"] or "")
    if tip and s["n_episodes"] > 1:
        body += f'<p class="kit-tip">{esc(tip)}</p>'
    if s.get("highest_tier"):
        body += f'<p class="kit-muted">Highest tier so far: {esc(words[s["highest_tier"]])}.</p>'
    return _section("history", "History", body)


def history_figure(page: HandoutPage) -> FigureOutput:
    """The athlete's history chart (tiers over time) for display."""
    from kit.history import history_chart

    return FigureOutput(history_chart(page.history), "history chart: tier of each observation over time")


def prevention_section(page: HandoutPage) -> Html:
    """Prevention advice from the source article, with the clinical reference's safety corrections.

    References
    ----------
    clinical-reference.md §7; ACSM 2007 (Sawka); WMS 2019; Miller 2015; Lipman 2017; Wharam 2006;
    Richter & Hargreaves 2013; ADA 2024.
    """
    article = [
        "Warm up, then stretch.",
        "Pace yourself: build distance and speed gradually.",
        "Start well hydrated: drink normally the day before.",
        "On long runs sip water; afterwards have water or a sports drink, with food.",
        "Avoid running in the heat of the day.",
        "After a cramp: stretch and massage the muscle; a wrapped ice pack for soreness, warmth for a stiff muscle.",
    ]
    fixes = [
        f"<strong>Drink to thirst, and never finish a run heavier than you started.</strong> Gaining weight means you "
        f"drank more than you sweated and risks dangerously low blood sodium (hyponatraemia). Losing more than "
        f"{_num(T.mass_loss_pct)} % of body mass is a water deficit. <span class=\"kit-src\">(ACSM 2007; WMS 2019)</span>",
        "<strong>A cramp is not a reason to drink lots of water.</strong> Over-drinking for cramps has killed athletes; "
        "drink more only to replace a documented loss. <span class=\"kit-src\">(Miller 2015)</span>",
        "Salt tablets or sports drinks do not protect against hyponatraemia if you keep over-drinking. "
        "<span class=\"kit-src\">(WMS 2019)</span>",
        "<strong>No ibuprofen or other anti-inflammatories (NSAIDs)</strong> before or during long runs, or when "
        "dehydrated, possibly hyponatraemic, overheated, with dark urine or a swollen muscle, or with kidney disease. "
        "<span class=\"kit-src\">(Lipman 2017; Wharam 2006)</span>",
        "Never put heat on an athlete who is hot, or on a swollen limb. <span class=\"kit-src\">(clinical-reference §7)</span>",
        "Working muscles do use blood sugar, and stored glycogen does not turn into fat (the article is wrong "
        "there): eat before long runs and take carbohydrate on them. <span class=\"kit-src\">(Richter &amp; Hargreaves 2013)</span>",
        "Air temperature alone understates heat stress in humid sun: on hot or humid days run early, shorter or slower. "
        "<span class=\"kit-src\">(ACSM 2007)</span>",
    ]
    diabetic = any(bool(page.latest_raw.get(k)) for k in ("has_diabetes", "glucose_lowering_medication"))
    if diabetic:
        fixes.append(
            f"With diabetes treated with insulin or a sulfonylurea: carry {_num(T.carb_treatment_min_g)}-"
            f"{_num(T.carb_treatment_max_g)} g of fast sugar, check glucose before and after running, and agree an "
            "exercise plan with your diabetes team. <span class=\"kit-src\">(ADA 2024)</span>")
    body = ('<div class="kit-two"><div><h3>From the article</h3>' + _ul(esc(x) for x in article) + "</div>"
            '<div><h3>Safety corrections</h3>' + _ul(fixes) + "</div></div>")
    return _section("prevention", "Next time: prevention", body)


def seek_help_section(page: HandoutPage) -> Html:
    """When to call emergency services and when to see a doctor (numbers from :mod:`kit.thresholds`).

    References
    ----------
    clinical-reference.md §9.3 (red flags), §9.5 (see a doctor); source article.
    """
    g_mmol = _num(T.hypo_level2_mg_dl / T.glucose_mmol_to_mg_dl)
    w_mmol = _num(T.whipple_mg_dl / T.glucose_mmol_to_mg_dl)
    now = [
        "confusion, acting oddly, unresponsive, or a seizure (fit);",
        f"a spasm that has lasted {_num(T.prolonged_spasm_min)} minutes or more, or pain of {_num(T.severe_pain)}/10 or worse;",
        "dark, cola- or tea-coloured urine with muscle pain, swelling or weakness (possible muscle breakdown);",
        f"a core (rectal) temperature over {_num(T.core_emergency_c)} °C, or collapse in the heat;",
        "headache with vomiting, or confusion, after drinking a lot (possible low blood sodium);",
        "low blood sugar with confusion or drowsiness: nothing by mouth if they cannot swallow safely.",
    ]
    doctor = [
        f"spasms keep coming back despite prevention ({_num(T.recurrent_episodes)} or more earlier episodes in 30 days);",
        "numbness or tingling with weakness, or that keeps coming back;",
        f"a measured glucose under {_num(T.hypo_level2_mg_dl)} mg/dL ({g_mmol} mmol/L) with diabetes, or under "
        f"{_num(T.whipple_mg_dl)} mg/dL ({w_mmol} mmol/L) without diabetes;",
        "anything that does not settle by the time it is checked again (if it gets worse: call emergency services).",
    ]
    body = ('<div class="kit-helps"><div class="kit-help kit-help-now"><h3>Call emergency services now if</h3>'
            + _ul(esc(x) for x in now) + '</div><div class="kit-help"><h3>See a doctor within days if</h3>'
            + _ul(esc(x) for x in doctor) + "</div></div>")
    return _section("help", "When to get help", body)


_REFERENCES = (
    "Source article: \u201cDo Your Legs Tremble after Running? What are Those Spasms?\u201d (web article; no author, "
    "organisation or date). A lay source: used for its advice, with the corrections above.",
    "American Diabetes Association. Standards of Care in Diabetes, section 6: Glycemic goals and hypoglycemia. "
    "Diabetes Care 2024;47(Suppl 1):S111-S125.",
    "Cryer PE et al. Endocrine Society clinical practice guideline on hypoglycemic disorders. J Clin Endocrinol Metab "
    "2009;94(3):709-728.",
    "Sawka MN et al. ACSM position stand: Exercise and fluid replacement. Med Sci Sports Exerc 2007;39(2):377-390.",
    "Hew-Butler T et al. Third International Exercise-Associated Hyponatremia Consensus (Carlsbad 2015). Clin J Sport "
    "Med 2015;25(4):303-320.",
    "Bennett BL et al. Wilderness Medical Society practice guidelines for exercise-associated hyponatremia, 2019 update.",
    "Schwellnus MP. Br J Sports Med 2009;43:401-408; Miller KC et al. J Athl Train 2022;57(1):5-15; Miller KC. "
    "Curr Sports Med Rep 2015 (exercise-associated muscle cramps).",
    "Casa DJ et al. NATA position statement: Exertional heat illnesses. J Athl Train 2015;50(9):986-1000; "
    "Armstrong LE et al. ACSM position stand: Exertional heat illness. Med Sci Sports Exerc 2007;39(3):556-572.",
    "O'Connor FG et al. Curr Sports Med Rep 2008;7(6):328-331; Nye NS et al. Curr Sports Med Rep 2021;20(3):169-178 "
    "(exertional rhabdomyolysis).",
    "Lipman GS et al. Emerg Med J 2017 (ibuprofen and acute kidney injury in ultramarathon); Wharam PC et al. Med Sci "
    "Sports Exerc 2006;38(4):618-622 (NSAIDs and hyponatraemia).",
    "Richter EA, Hargreaves M. Physiol Rev 2013 (muscle glucose uptake during exercise).",
    "Royal College of Physicians. National Early Warning Score (NEWS) 2, 2017 (model for the escalation tiers).",
)


def sources_section(page: HandoutPage) -> Html:
    """The short citations behind this assessment, then the full reference list."""
    a = page.assessment
    cited = []
    for c in a.causes:
        cited += [e["source"] for e in c["evidence"]]
    cited += [r["source"] for r in a.reasons]
    cited = list(dict.fromkeys(s for s in cited if s))
    body = ""
    if cited:
        body += "<p>Cited for this episode: " + esc("; ".join(cited)) + ".</p>"
    body += '<ol class="kit-refs">' + "".join(f"<li>{esc(r)}</li>" for r in _REFERENCES) + "</ol>"
    body += ('<p class="kit-muted">Thresholds marked as design choices in the kit\'s clinical reference are not '
             "validated clinical standards.</p>")
    return _section("sources", "Sources", body)


def footer(page: HandoutPage) -> Html:
    """The kit's version, the date, what the page contains, and the disclaimer (shown once)."""
    from kit import DISCLAIMER

    who = "a pseudonym" if page.pseudonymised else "the athlete's id"
    markup = (
        '<footer class="kit-footer">'
        f'<p class="kit-disclaimer"><strong>Important.</strong> {esc(DISCLAIMER)}</p>'
        f'<p class="kit-made">Made with postrun-kit <span class="kit-version">{esc(page.version)}</span> on '
        f'<span class="kit-generated">{esc(page.generated_on)}</span>. This page holds one athlete\'s observations '
        f"only, shown under {who}; it works offline and makes no network request.</p>"
        "</footer>"
    )
    return Html(markup, "footer")


# --------------------------------------------------------------------------------------------
# pseudonyms
# --------------------------------------------------------------------------------------------

def pseudonym_key(path: str | os.PathLike[str] | None = None) -> bytes:
    """The secret key for :func:`pseudonym`.

    ``$KIT_PSEUDONYM_KEY`` if set; otherwise a random key created once (mode 0600) in
    the user's data directory, so pseudonyms are stable on this machine and cannot be
    recomputed from an id by someone without the key.
    """
    env = os.environ.get(PSEUDONYM_ENV)
    if env:
        return env.encode("utf-8")
    if path is None:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("postrun-kit", appauthor=False)) / "pseudonym.key"
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return p.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonym(athlete_id: str, key: bytes | str | None = None) -> str:
    """A stable pseudonym for an athlete id: ``Runner-`` and 6 hex digits of an HMAC-SHA256.

    Examples
    --------
    >>> pseudonym("ATH-01", key="workshop")
    'Runner-B1E6F6'
    """
    k = key.encode("utf-8") if isinstance(key, str) else (key if key is not None else pseudonym_key())
    digest = hmac.new(k, athlete_id.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return "Runner-" + digest[:6].upper()


def safe_filename(label: str) -> str:
    """A file-name stem for a label: letters, digits, ``-``, ``_`` (plus a hash if anything was replaced)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_")[:48] or "athlete"
    if stem != label:
        stem += "-" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:6]
    return stem


# --------------------------------------------------------------------------------------------
# where the observations come from
# --------------------------------------------------------------------------------------------

def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _clean(rec: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in rec.items():
        if k not in FIELD_NAMES or v is None:
            continue
        if isinstance(v, float) and math.isnan(v):
            continue
        if hasattr(v, "item"):  # numpy scalar
            v = v.item()
        out[k] = v
    return out


class TeamSource:
    """A team's observations from a team-log CSV, a store file, or the kit's default store.

    Parameters
    ----------
    log : path, optional
        A CSV with the contract's column names, or a SQLite store file.
    store : path, optional
        The store to use when ``log`` is not given (default :func:`kit.store.default_store_path`).
    """

    def __init__(self, log: str | os.PathLike[str] | None = None, store: str | os.PathLike[str] | None = None):
        from kit.cli import InputError

        self._records: list[dict[str, Any]] | None = None
        self._store: Any = None
        if log is not None:
            p = Path(log)
            if not p.is_file():
                raise InputError(f"{log}: no such file")
            if _is_sqlite(p):
                self._open_store(p)
            else:
                from kit.io import frame_to_records, read_log_csv

                self._records = [_clean(r) for r in frame_to_records(read_log_csv(p))]
            self.where = str(p)
        else:
            try:
                from kit.store import default_store_path
            except ImportError:
                raise InputError("no team log given and the kit's store is not available: pass --log PATH") from None
            p = default_store_path(store)
            if not p.exists():
                raise InputError(f"the store {p} does not exist yet: record observations (python -m kit log) or pass --log")
            self._open_store(p)
            self.where = str(p)

    def _open_store(self, p: Path) -> None:
        from kit.store import Store

        try:
            self._store = Store(p, read_only=True)
        except TypeError:
            self._store = Store(p)

    def athletes(self) -> list[str]:
        """Every athlete id, sorted."""
        if self._store is not None:
            return sorted(self._store.athletes())
        return sorted({str(r["athlete_id"]) for r in self._records or [] if r.get("athlete_id")})

    def observations(self, athlete_id: str) -> list[dict[str, Any]]:
        """That athlete's observations only (contract mappings), oldest first.

        Raises
        ------
        kit.cli.InputError
            If the athlete has no observation (the message suggests a close id).
        """
        from kit.cli import InputError

        aid = athlete_id.strip()
        if self._store is not None:
            rows = [_clean(r) for r in self._store.observations(aid)]
        else:
            rows = [r for r in self._records or [] if str(r.get("athlete_id", "")).strip() == aid]
        rows = [r for r in rows if str(r.get("athlete_id", "")).strip() == aid]  # never another athlete's row
        if not rows:
            close = difflib.get_close_matches(aid, self.athletes(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"no observation for athlete {aid!r} in {self.where}{hint}")
        return [rows[i] for i in sorted(range(len(rows)), key=lambda i: _sort_key(rows[i], i))]

    def close(self) -> None:
        """Close the store, if one is open."""
        if self._store is not None and hasattr(self._store, "close"):
            self._store.close()


# --------------------------------------------------------------------------------------------
# notebook -> self-contained HTML
# --------------------------------------------------------------------------------------------

_PAGE_CSS = """
:root { --kit-ink: #1d2327; --kit-muted: #5f6b73; --kit-line: #d9dee2; --kit-accent: #0b5e8e; }
html { background: #eef1f3; }
body.kit-page { margin: 0; padding: 24px 12px; color: var(--kit-ink); background: #eef1f3;
  font: 15px/1.5 "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif; }
body.kit-page main { max-width: 680px; margin: 0 auto; background: #fff; padding: 28px 32px;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.kit-page .jp-Cell, .kit-page .jp-OutputArea, .kit-page .jp-OutputArea-child, .kit-page .jp-OutputArea-output
  { margin: 0; padding: 0; border: 0; overflow: visible; }
.kit-page .jp-OutputPrompt, .kit-page .jp-InputPrompt, .kit-page .jp-Collapser, .kit-page .jp-InputArea { display: none; }
.kit-page h1 { font-size: 1.6em; line-height: 1.2; margin: .1em 0 .3em; }
.kit-page h2 { font-size: 1.2em; margin: 1.3em 0 .4em; padding-bottom: .2em; border-bottom: 2px solid var(--kit-line);
  color: var(--kit-accent); }
.kit-page h3 { font-size: 1em; margin: .9em 0 .3em; }
.kit-page ul, .kit-page ol { padding-left: 1.3em; margin: .3em 0; }
.kit-page li { margin: .15em 0; }
.kit-kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .75em; color: var(--kit-muted); margin: 0; }
.kit-who { margin: 0 0 .8em; color: var(--kit-muted); }
.kit-athlete { color: var(--kit-ink); font-weight: 600; }
.kit-muted, .kit-src { color: var(--kit-muted); font-size: .9em; }
.kit-example { background: #fff8e1; padding: .3em .6em; border-radius: 4px; font-size: .9em; }
.kit-tier { border-left: 10px solid #888; background: #f5f5f5; padding: .6em 1em; border-radius: 4px; margin: .6em 0; }
.kit-tier p { margin: .2em 0; }
.kit-tier-title { font-size: 1.25em; font-weight: 700; }
.kit-tier-self_care { border-color: #2e7d32; background: #e8f5e9; }
.kit-tier-monitor { border-color: #f9a825; background: #fff8e1; }
.kit-tier-see_doctor { border-color: #ef6c00; background: #fff3e0; }
.kit-tier-emergency { border-color: #c62828; background: #ffebee; }
table.kit-facts { border-collapse: collapse; width: 100%; font-size: .95em; }
table.kit-facts th { text-align: left; vertical-align: top; width: 28%; padding: .3em .6em .3em 0; color: var(--kit-muted);
  font-weight: 600; }
table.kit-facts td { padding: .3em 0; border-bottom: 1px solid var(--kit-line); }
table.kit-facts th { border-bottom: 1px solid var(--kit-line); }
.kit-note { white-space: pre-wrap; font-style: italic; overflow-wrap: anywhere; }
ol.kit-causes { list-style: none; padding: 0; }
.kit-cause { margin: .5em 0; }
.kit-cause-head { display: flex; align-items: center; gap: .6em; }
.kit-cause-name { flex: 0 0 55%; font-weight: 600; }
.kit-bar { flex: 1; height: .7em; background: #eceff1; border-radius: 3px; overflow: hidden; }
.kit-bar span { display: block; height: 100%; background: var(--kit-accent); }
.kit-score { width: 2.2em; text-align: right; font-variant-numeric: tabular-nums; }
ul.kit-evidence { font-size: .9em; margin-top: .1em; }
.kit-two { display: grid; grid-template-columns: 1fr 1.4fr; gap: 1.2em; }
.kit-tip { background: #e3f2fd; padding: .4em .7em; border-radius: 4px; }
.kit-help { border: 1px solid var(--kit-line); border-radius: 4px; padding: .2em .8em .5em; margin: .5em 0; }
.kit-help-now { border-color: #c62828; background: #fff5f5; }
.kit-recheck { font-weight: 600; }
ol.kit-refs { font-size: .85em; }
.kit-footer { margin-top: 1.5em; border-top: 2px solid var(--kit-line); padding-top: .6em; font-size: .9em; }
.kit-disclaimer { background: #f5f5f5; padding: .5em .8em; border-radius: 4px; }
.kit-chart { width: 100%; margin: .4em 0 .8em; break-inside: avoid; page-break-inside: avoid; }
.kit-chart .plotly-graph-div { width: 100%; }
@media (max-width: 560px) { .kit-two { grid-template-columns: 1fr; } body.kit-page main { padding: 16px; } }
@page { size: auto; margin: 14mm 12mm; }
@media print {
  html, body.kit-page { background: #fff; padding: 0; font-size: 9.5pt; }
  body.kit-page main { box-shadow: none; padding: 0; max-width: 100%; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .kit-help, .kit-tier, .kit-cause, table.kit-facts tr, .kit-page li, .kit-tip { break-inside: avoid; page-break-inside: avoid; }
  .kit-page h2, .kit-page h3 { break-after: avoid; page-break-after: avoid; }
  .kit-page h2 { margin-top: .9em; }
  ol.kit-refs { font-size: 7.5pt; columns: 2; column-gap: 1.5em; }
  ul.kit-evidence, .kit-muted, .kit-src { font-size: 8pt; }
  .kit-helps { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; }
  .kit-help { margin: 0; }
  .kit-chart, .kit-chart .js-plotly-plot, .kit-chart .plot-container, .kit-chart .svg-container { max-width: 100% !important; }
  .kit-chart svg { max-width: 100%; height: auto; }
}
"""

_EXPORT_CSS = """
.kit-chart { width: 100%; max-width: 100%; break-inside: avoid; page-break-inside: avoid; }
.kit-widget { font: 13px/1.4 system-ui, sans-serif; margin: 2px 0; }
.kit-widget-row { display: flex; align-items: center; gap: 8px; margin: 3px 0; flex-wrap: wrap; }
.kit-widget-desc { min-width: 8em; color: #333; }
.kit-widget-box { display: flex; flex-direction: column; gap: 2px; }
.kit-widget-hbox { flex-direction: row; flex-wrap: wrap; gap: 8px; }
.kit-widget-tab > .kit-widget-title { font-weight: 600; border-bottom: 1px solid #ccc; margin-top: 6px; }
.kit-widget-missing { color: #8a6d3b; font-style: italic; }
.kit-widget input[disabled], .kit-widget select[disabled], .kit-widget textarea[readonly] { color: #111; opacity: 1; }
.kit-offline-removed { color: #8a6d3b; font-style: italic; }
main { max-width: 1000px; margin: 0 auto; }
@page { size: auto; margin: 12mm; }
@media print {
  main { max-width: 100%; }
  .jp-Cell { break-inside: avoid; page-break-inside: avoid; }
  .kit-chart .js-plotly-plot, .kit-chart .plot-container, .kit-chart .svg-container { max-width: 100% !important; }
  .kit-chart svg { max-width: 100%; height: auto; }
}
"""

_NB_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block notebook_css %}{% if resources.kit_lab_css %}{{ super() }}{% endif %}{% endblock notebook_css %}
{%- block html_head_css -%}
<meta name="generator" content="postrun-kit">
<style type="text/css">{{ resources.kit_css }}</style>
{{ resources.kit_head_js }}
{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook {{ resources.kit_body_class }}" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<main>
{%- endblock body_header -%}
"""


def _json_for_script(obj: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>`` or ``<!--`` can appear)."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Charts:
    """Numbers the chart divs of one page (deterministic ids, so the same input gives the same file)."""

    def __init__(self) -> None:
        self.n = 0

    def next_id(self) -> str:
        self.n += 1
        return f"kit-chart-{self.n}"


def plotly_div(spec: Mapping[str, Any], chart_id: str) -> str:
    """HTML that draws one plotly figure from its JSON with the page's inlined plotly.js.

    Parameters
    ----------
    spec : mapping
        Plotly's JSON (``data``, ``layout``, optional ``config``), as in the
        ``application/vnd.plotly.v1+json`` mimetype.
    chart_id : str
        Unique element id within the page.
    """
    data = spec.get("data", [])
    layout = dict(spec.get("layout", {}) or {})
    layout.pop("width", None)  # follow the page width (fits A4/Letter when printed)
    layout["autosize"] = True
    height = layout.get("height") or 360
    config = {"displaylogo": False, "responsive": True, **dict(spec.get("config", {}) or {})}
    config.pop("plotlyServerURL", None)
    config["showLink"] = False
    payload = _json_for_script({"data": data, "layout": layout, "config": config})
    cid = esc(chart_id)
    return (f'<div class="kit-chart"><div id="{cid}" class="plotly-graph-div" style="height:{int(height)}px;width:100%">'
            f"</div><script type=\"text/javascript\">(function(){{var s={payload};"
            f"if(window.Plotly){{window.Plotly.newPlot(\"{cid}\",s.data,s.layout,s.config);}}"
            f"else{{document.getElementById(\"{cid}\").textContent=\"(chart: plotly.js missing)\";}}}})();</script></div>")


def _newplot_spec(markup: str) -> dict[str, Any] | None:
    """Recover the figure JSON from plotly's own HTML output (``Plotly.newPlot("id", data, layout, config)``)."""
    i = markup.find("Plotly.newPlot(")
    if i < 0:
        return None
    dec = json.JSONDecoder()
    pos = i + len("Plotly.newPlot(")
    parts = []
    try:
        for _ in range(4):
            while markup[pos] in " \t\r\n,":
                pos += 1
            val, pos = dec.raw_decode(markup, pos)
            parts.append(val)
    except (ValueError, IndexError):
        if len(parts) < 3:
            return None
    return {"data": parts[1], "layout": parts[2], "config": parts[3] if len(parts) > 3 else {}}


_REMOTE_ATTR = re.compile(
    r"(<(?:script|img|iframe|link|source|video|audio|embed|object|track|input|image|use)\b[^>]*?\s)"
    r"(src|href|xlink:href|data|poster|srcset)(\s*=\s*[\"']?\s*)((?:https?:)?//)", re.IGNORECASE)
_REMOTE_CSS = re.compile(r"(@import\s+(?:url\()?\s*[\"']?|url\(\s*[\"']?)((?:https?:)?//)", re.IGNORECASE)


def remote_references(markup: str) -> list[str]:
    """Attributes and CSS ``url()``s that would make the browser fetch from the network (empty when offline-safe).

    Links (``<a href>``) are not counted: they load only when clicked.
    """
    found = [m.group(0)[-120:] for m in _REMOTE_ATTR.finditer(markup)]
    found += [m.group(0) for m in _REMOTE_CSS.finditer(markup)]
    return found


def _neutralise_remote(markup: str) -> tuple[str, int]:
    n = 0

    def attr(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"{m.group(1)}data-offline-{m.group(2).replace(':', '-')}{m.group(3)}{m.group(4)}"

    def css(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"{m.group(1)}about:blank#"

    markup = _REMOTE_ATTR.sub(attr, markup)
    markup = _REMOTE_CSS.sub(css, markup)
    return markup, n


def _sanitize_html(markup: str) -> str:
    """Remove scripts, event handlers and ``javascript:`` URLs from untrusted HTML (bleach)."""
    import bleach

    try:
        from bleach.css_sanitizer import CSSSanitizer

        css = {"css_sanitizer": CSSSanitizer()}
    except ImportError:  # pragma: no cover - tinycss2 missing
        css = {}
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1\s*>", "", markup, flags=re.IGNORECASE | re.DOTALL)
    tags = set(bleach.ALLOWED_TAGS) | {
        "div", "span", "p", "br", "hr", "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
        "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "img", "sub", "sup", "small", "dl", "dt", "dd", "u", "s",
        "mark", "section", "header", "footer", "figure", "figcaption", "details", "summary", "label", "kbd", "q", "del", "ins"}
    attrs = {"*": ["class", "title", "style", "align", "colspan", "rowspan", "id", "role"],
             "a": ["href", "title", "class"], "img": ["src", "alt", "width", "height", "class", "style"]}
    return bleach.clean(markup, tags=tags, attributes=attrs, protocols={"http", "https", "mailto", "data"}, strip=True,
                        **css)


# --- widgets rendered statically ------------------------------------------------------------

def _model_ref(v: Any) -> str | None:
    return v[len("IPY_MODEL_"):] if isinstance(v, str) and v.startswith("IPY_MODEL_") else None


def _classes(state: Mapping[str, Any]) -> str:
    dom = state.get("_dom_classes") or []
    ok = [c for c in dom if isinstance(c, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", c)]
    return " ".join(ok)


def render_widget(model_id: str, models: Mapping[str, Any], charts: _Charts | None = None, *, _depth: int = 0) -> str:
    """Static HTML showing a widget's saved state (its last value), with no JavaScript.

    Parameters
    ----------
    model_id : str
        The widget model id (from a ``widget-view`` output or a parent's ``children``).
    models : mapping
        ``metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]``.
    charts : _Charts, optional
        Chart numbering (plotly figures inside ``Output`` widgets are drawn as charts).

    Returns
    -------
    str
        HTML; every value is escaped (an ``HTML`` widget's markup is sanitized). Controls are
        shown disabled with their value; containers keep their children's order; tabs and
        accordions show every page under its title. A model that is not in the saved state
        is shown as a short note.

    Notes
    -----
    Rendering statically rather than shipping ``@jupyter-widgets/html-manager`` keeps the
    page offline (the manager fetches third-party widget code from a CDN), small, printable
    and free of widget JavaScript; without a kernel the widgets could not react anyway.
    """
    charts = charts or _Charts()
    m = models.get(model_id)
    if m is None or _depth > 40:
        return '<div class="kit-widget kit-widget-missing">(widget not saved with the notebook)</div>'
    name = str(m.get("model_name", ""))
    s = m.get("state", {}) or {}
    layout = models.get(_model_ref(s.get("layout")) or "", {}).get("state", {}) or {}
    if layout.get("display") == "none" or layout.get("visibility") == "hidden":
        return ""
    cls = _classes(s)
    desc = s.get("description") or ""
    label = f'<span class="kit-widget-desc">{esc(desc)}</span>' if desc else ""
    base = name[:-5] if name.endswith("Model") else name

    def wrap(inner: str, extra: str = "") -> str:
        classes = " ".join(c for c in ("kit-widget", f"kit-widget-{esc(base)}", cls, extra) if c)
        return f'<div class="{classes}" data-widget="{esc(base)}">{inner}</div>'

    def row(inner: str) -> str:
        return wrap(f'<div class="kit-widget-row">{label}{inner}</div>')

    def child_html(ids: Iterable[Any]) -> list[str]:
        return [render_widget(r, models, charts, _depth=_depth + 1) for r in (_model_ref(c) for c in ids or []) if r]

    if base in ("VBox", "Box", "GridBox", "HBox"):
        kids = "".join(child_html(s.get("children")))
        return wrap(f'<div class="kit-widget-box{" kit-widget-hbox" if base == "HBox" else ""}">{kids}</div>')
    if base in ("Tab", "Accordion", "Stack"):
        titles = list(s.get("titles") or [])
        kids = child_html(s.get("children"))
        parts = []
        for i, k in enumerate(kids):
            t = titles[i] if i < len(titles) and titles[i] else f"Page {i + 1}"
            parts.append(f'<div class="kit-widget-title">{esc(t)}</div>{k}')
        return wrap("".join(parts), "kit-widget-tab")
    if base == "Output":
        return wrap(_outputs_html(s.get("outputs") or [], models, charts, _depth))
    if base in ("HTML", "HTMLMath"):
        return row(f'<div class="kit-widget-html">{_sanitize_html(str(s.get("value") or ""))}</div>')
    if base == "Label":
        return row(f"<span>{esc(s.get('value'))}</span>")
    if base in ("Checkbox", "ToggleButton", "Valid"):
        v = bool(s.get("value"))
        return row(f'<input type="checkbox" disabled{" checked" if v else ""}> <span>{"yes" if v else "no"}</span>')
    if base == "Button":
        return wrap(f"<button disabled>{esc(desc or 'button')}</button>")
    if "_options_labels" in s:
        opts = [str(o) for o in s.get("_options_labels") or []]
        idx = s.get("index")
        chosen = idx if isinstance(idx, list) else ([] if idx is None else [idx])
        if "Range" in base and isinstance(idx, list) and len(idx) == 2:
            text = " – ".join(opts[i] for i in idx if isinstance(i, int) and 0 <= i < len(opts))
            return row(f"<output>{esc(text)}</output>")
        options = "".join(
            f"<option{' selected' if i in chosen else ''}>{esc(o)}</option>" for i, o in enumerate(opts))
        multiple = " multiple" if isinstance(idx, list) else ""
        size = f' size="{min(len(opts), 6)}"' if multiple else ""
        shown = ", ".join(opts[i] for i in chosen if isinstance(i, int) and 0 <= i < len(opts)) or "(none)"
        return row(f"<select disabled{multiple}{size}>{options}</select> <output>{esc(shown)}</output>")
    if "Slider" in base or "Progress" in base:
        v = s.get("value")
        lo, hi, step = s.get("min", 0), s.get("max", 100), s.get("step", 1)
        if isinstance(v, list):
            return row(f"<output>{esc(' – '.join(str(x) for x in v))}</output>")
        tag = "progress" if "Progress" in base else "input"
        if tag == "progress":
            ctrl = f'<progress value="{esc(v)}" max="{esc(hi)}"></progress>'
        else:
            ctrl = (f'<input type="range" disabled min="{esc(lo)}" max="{esc(hi)}" step="{esc(step if step is not None else "any")}"'
                    f' value="{esc(v)}">')
        return row(f"{ctrl} <output>{esc(v)}</output>")
    if base in ("Textarea",):
        return row(f"<textarea readonly rows=\"3\">{esc(s.get('value'))}</textarea>")
    if "Text" in base or base in ("Password", "Combobox", "ColorPicker", "DatePicker", "TimePicker",
                                  "DatetimePicker", "Play", "TagsInput"):
        v = "********" if base == "Password" else s.get("value")
        if isinstance(v, (dict, list)):
            v = json.dumps(v, default=str)
        return row(f'<input type="text" readonly value="{esc("" if v is None else v)}">')
    if "_data" in s and "_layout" in s:  # plotly FigureWidget
        return wrap(plotly_div({"data": s.get("_data") or [], "layout": s.get("_layout") or {},
                                "config": s.get("_config") or {}}, charts.next_id()))
    if "children" in s:
        return wrap("".join(child_html(s.get("children"))))
    if "value" in s and not isinstance(s.get("value"), (dict, list)):
        return row(f"<output>{esc(s.get('value'))}</output>")
    return wrap(f'<span class="kit-widget-missing">({esc(base or "widget")}: not shown offline)</span>')


def _outputs_html(outputs: Sequence[Mapping[str, Any]], models: Mapping[str, Any], charts: _Charts, depth: int) -> str:
    parts = []
    for o in outputs:
        typ = o.get("output_type")
        if typ == "stream":
            parts.append(f'<pre class="kit-stream">{esc(o.get("text", ""))}</pre>')
            continue
        if typ == "error":
            parts.append(f'<pre class="kit-stream">{esc(o.get("ename", ""))}: {esc(o.get("evalue", ""))}</pre>')
            continue
        data = o.get("data", {}) or {}
        if _PLOTLY_MIME in data:
            parts.append(plotly_div(data[_PLOTLY_MIME], charts.next_id()))
        elif _WIDGET_VIEW in data:
            parts.append(render_widget(str(data[_WIDGET_VIEW].get("model_id", "")), models, charts, _depth=depth + 1))
        elif "text/html" in data:
            markup = _join(data["text/html"])
            spec = _newplot_spec(markup)
            parts.append(plotly_div(spec, charts.next_id()) if spec else _sanitize_html(markup))
        elif "image/png" in data or "image/jpeg" in data:
            mime = "image/png" if "image/png" in data else "image/jpeg"
            parts.append(f'<img alt="output image" src="data:{mime};base64,{esc(_join(data[mime]).strip())}">')
        elif "image/svg+xml" in data:
            parts.append(_sanitize_html(_join(data["image/svg+xml"])))
        elif "text/plain" in data:
            parts.append(f"<pre>{esc(_join(data['text/plain']))}</pre>")
    return "".join(parts)


def _join(v: Any) -> str:
    return "".join(v) if isinstance(v, list) else str(v)


def _is_plotly_library(markup: str) -> bool:
    """plotly's ``notebook`` renderer output that only loads plotly.js (inline or from a CDN)."""
    return "Plotly.newPlot" not in markup and ("plotly.js" in markup or "cdn.plot.ly" in markup or "PlotlyConfig" in markup)


def _convert_outputs(nb: Any, *, handout: bool) -> int:
    """Make every output of a notebook offline-safe HTML; returns the number of charts.

    plotly figures (mimetype or plotly's own HTML) become :func:`plotly_div`; widget views
    become :func:`render_widget`; loaders of plotly.js and JavaScript outputs are dropped;
    in a student's notebook other HTML outputs are sanitized (in a handout they are the
    kit's own, already escaped). The saved widget state is removed from the metadata
    afterwards (nothing reads it any more).
    """
    from nbformat import from_dict

    charts = _Charts()
    state = ((nb.metadata.get("widgets") or {}).get(_WIDGET_STATE) or {}).get("state") or {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        new = []
        for out in cell.get("outputs", []):
            typ = out.get("output_type")
            if typ == "stream" and handout and out.get("name") == "stderr":
                continue  # warnings are for the developer, not the athlete
            if typ not in ("display_data", "execute_result"):
                new.append(out)
                continue
            data = dict(out.get("data", {}))
            markup = None
            if _PLOTLY_MIME in data:
                markup = plotly_div(data[_PLOTLY_MIME], charts.next_id())
            elif _WIDGET_VIEW in data:
                mid = str((data[_WIDGET_VIEW] or {}).get("model_id", ""))
                if mid in state:
                    markup = render_widget(mid, state, charts)
                else:
                    txt = _join(data.get("text/plain", "widget"))
                    markup = (f'<div class="kit-widget kit-widget-missing">(widget state was not saved: {esc(txt)}; save '
                              "the notebook with widget state, or export with --execute)</div>")
            elif "text/html" in data:
                h = _join(data["text/html"])
                spec = _newplot_spec(h)
                if spec is not None:
                    markup = plotly_div(spec, charts.next_id())
                elif _is_plotly_library(h):
                    continue
                elif not handout:
                    markup = _sanitize_html(h)
                else:
                    markup = h
            elif "application/javascript" in data:
                if len(data) == 1:
                    continue
                data.pop("application/javascript")
            if markup is not None:
                data = {"text/html": markup}
            out = from_dict({**out, "data": data, "metadata": {}})
            new.append(out)
        cell["outputs"] = new
    nb.metadata.pop("widgets", None)
    return charts.n


def notebook_to_html(nb: Any, *, title: str, handout: bool, hide_code: bool = True) -> tuple[str, int]:
    """Convert an executed notebook to one self-contained, offline HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (modified in place: outputs are converted, metadata trimmed).
    title : str
        The page title (escaped).
    handout : bool
        The handout style (leaflet CSS, stderr dropped, HTML trusted) or a student's
        notebook (JupyterLab CSS, HTML outputs sanitized).
    hide_code : bool
        Leave out code cells' input and all prompts.

    Returns
    -------
    html : str
    remote_removed : int
        How many remote references (web images, stylesheets) were neutralised.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    n_charts = _convert_outputs(nb, handout=handout)
    keep = {k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata}
    nb.metadata.clear()
    nb.metadata.update(keep)
    nb.metadata["title"] = title
    head = ""
    if n_charts:
        head = ('<script type="text/javascript">/* plotly.js basic bundle, MIT licence (kit/vendor) */\n'
                + PLOTLY_JS.read_text(encoding="utf-8") + "\n</script>")
    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"kit_page.html.j2": _NB_TEMPLATE})],
                            template_file="kit_page.html.j2")
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    resources = {
        "kit_css": _PAGE_CSS if handout else _EXPORT_CSS, "kit_lab_css": not handout,
        "kit_head_js": head, "kit_body_class": "kit-page" if handout else "kit-notebook",
        "metadata": {"name": title},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body, n_removed = _neutralise_remote(body)
    return body, n_removed


def run_template(records: Sequence[Mapping[str, Any]], *, label: str, generated_on: str = "",
                 pseudonymised: bool = False, template: str | os.PathLike[str] | None = None,
                 workdir: str | os.PathLike[str] | None = None) -> Any:
    """Execute the handout template with papermill for one athlete; returns the executed notebook.

    Only ``records`` (one athlete's observations) and the label are passed as parameters,
    and papermill records exactly those in the notebook's metadata.
    """
    import nbformat
    import papermill as pm
    from traitlets.config import Config

    from kit.cli import InputError

    ids = {str(r.get("athlete_id", "")).strip() for r in records}
    if len(ids) > 1:
        raise ValueError("run_template takes one athlete's observations")
    template = Path(template or TEMPLATE)
    if not template.is_file():
        raise InputError(f"the handout template {template} is missing (it ships in the repository's notebooks/ folder)")
    params = {"athlete_label": label, "observations": [dict(r) for r in records],
              "generated_on": generated_on or dt.date.today().isoformat(), "pseudonymised": bool(pseudonymised)}
    with tempfile.TemporaryDirectory(prefix="kit-handout-") as tmp:
        out = Path(tmp) / "handout.ipynb"
        config = Config()  # the kernel talks over local sockets in the temporary folder, not TCP
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(tmp) / "kernel")
        pm.execute_notebook(str(template), str(out), parameters=params, progress_bar=False,
                            log_output=False, kernel_name="python3", cwd=str(workdir or tmp), config=config)
        return nbformat.read(out, as_version=4)


def write_handout(records: Sequence[Mapping[str, Any]], out_dir: str | os.PathLike[str], *,
                  pseudonymise: bool = False, key: bytes | str | None = None, generated_on: str = "",
                  template: str | os.PathLike[str] | None = None) -> Path:
    """Make one athlete's handout and write it to ``out_dir``; returns the path.

    Parameters
    ----------
    records : sequence of mappings
        That athlete's observations only.
    out_dir : path
        Created if needed. The file is ``handout-<athlete or pseudonym>.html``.
    pseudonymise : bool
        Replace the athlete id everywhere (label, parameters, file name) by :func:`pseudonym`.
    key : bytes or str, optional
        Pseudonym key (default :func:`pseudonym_key`).
    generated_on : str
        ISO date printed on the page (default today).
    template : path, optional
        Another template notebook.
    """
    ids = {str(r.get("athlete_id", "")).strip() for r in records}
    if len(ids) != 1:
        raise ValueError("write_handout takes the observations of exactly one athlete")
    aid = ids.pop()
    label = pseudonym(aid, key) if pseudonymise else aid
    recs = [{**dict(r), "athlete_id": label} for r in records]
    nb = run_template(recs, label=label, generated_on=generated_on, pseudonymised=pseudonymise, template=template)
    page, removed = notebook_to_html(nb, title=f"Episode handout: {label}", handout=True, hide_code=True)
    if removed:
        raise RuntimeError("the handout template produced a remote reference; it would not work offline")
    dest = Path(out_dir) / f"handout-{safe_filename(label)}.html"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, dest)
    size = dest.stat().st_size
    if size > MAX_HANDOUT_BYTES:
        sys.stderr.write(f"warning: {dest} is {size} bytes, over the 2 MiB handout budget\n")
    return dest


def _one(job: tuple[list[dict[str, Any]], str, bool, str | None, str]) -> str:
    records, out_dir, pseudo, key, day = job
    return str(write_handout(records, out_dir, pseudonymise=pseudo, key=key, generated_on=day))


# --------------------------------------------------------------------------------------------
# kit export
# --------------------------------------------------------------------------------------------

def export_notebook(path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None, *,
                    execute: bool = False, hide_code: bool = False, timeout: int = 600) -> tuple[Path, int]:
    """A student's notebook to a self-contained HTML page (charts interactive, widgets' last state shown).

    Parameters
    ----------
    path : path
        The ``.ipynb``.
    out_dir : path, optional
        Where to write ``<name>.html`` (default: next to the notebook).
    execute : bool
        Run the notebook first (in its folder), saving widget state, instead of using the
        saved outputs.
    hide_code : bool
        Leave out code cells' input.
    timeout : int
        Per-cell timeout in seconds when executing.

    Returns
    -------
    path : Path
        The file written.
    remote_removed : int
        Remote references (web images, stylesheets) neutralised to keep the page offline.
    """
    import nbformat

    from kit.cli import InputError

    src = Path(path)
    try:
        nb = nbformat.read(src, as_version=4)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} is not a readable notebook: {exc}") from None
    if execute:
        from nbclient import NotebookClient
        from traitlets.config import Config

        with tempfile.TemporaryDirectory(prefix="kit-export-") as tmp:
            config = Config()  # local sockets, not TCP
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = str(Path(tmp) / "kernel")
            NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True, config=config,
                           resources={"metadata": {"path": str(src.resolve().parent)}}).execute()
    title = str(nb.metadata.get("title") or src.stem)
    page, removed = notebook_to_html(nb, title=title, handout=False, hide_code=hide_code)
    dest = Path(out_dir or src.parent) / (src.stem + ".html")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(page, encoding="utf-8")
    return dest, removed


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------

def configure_handout(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m kit handout``."""
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--athlete", metavar="ID", help="the athlete's id")
    who.add_argument("--all", action="store_true", help="one handout per athlete (with a progress bar)")
    parser.add_argument("--log", metavar="PATH", help="a team-log CSV or a SQLite store file (default: the kit's store)")
    parser.add_argument("--store", metavar="PATH", help="the store to read when --log is not given")
    parser.add_argument("--out", metavar="DIR", default="handouts", help="output folder (default: handouts)")
    parser.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                        help=f"show a stable pseudonym (Runner-XXXXXX) instead of the id (key: ${PSEUDONYM_ENV} or a "
                             "key file in the user data folder)")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="date printed on the handout (default: today)")
    parser.add_argument("--jobs", type=int, default=0, metavar="N", help="parallel workers for --all (default: CPUs, at most 4)")


def run_handout(args: argparse.Namespace) -> int:
    """``python -m kit handout``: print the path of each handout written."""
    from kit.cli import InputError

    if args.date:
        try:
            dt.date.fromisoformat(args.date)
        except ValueError:
            raise InputError(f"--date {args.date!r} is not a date like 2026-05-01") from None
    day = args.date or dt.date.today().isoformat()
    src = TeamSource(args.log, args.store)
    try:
        if not args.all:
            records = src.observations(args.athlete)
            print(write_handout(records, args.out, pseudonymise=args.pseudonymise, generated_on=day))
            return 0
        athletes = src.athletes()
        if not athletes:
            raise InputError(f"no athlete in {src.where}")
        key = pseudonym_key().decode("utf-8") if args.pseudonymise else None
        jobs = [(src.observations(a), args.out, args.pseudonymise, key, day) for a in athletes]
    finally:
        src.close()
    return _run_all(jobs, args.jobs)


def _run_all(jobs: list[tuple[Any, ...]], workers: int) -> int:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    n = workers if workers > 0 else min(4, os.cpu_count() or 1)
    n = max(1, min(n, len(jobs)))
    t0 = time.perf_counter()
    written = []
    if n == 1:
        with tqdm(total=len(jobs), desc="handouts", unit="athlete", file=sys.stderr, disable=None) as bar:
            for j in jobs:
                written.append(_one(j))
                bar.update()
    else:
        import multiprocessing as mp

        import nbconvert  # noqa: F401  (imported once here; forked workers inherit it)
        import papermill  # noqa: F401

        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:  # workers start before any tqdm thread
            futures = [pool.submit(_one, j) for j in jobs]
            with tqdm(total=len(jobs), desc="handouts", unit="athlete", file=sys.stderr, disable=None) as bar:
                for f in as_completed(futures):
                    written.append(f.result())
                    bar.update()
    for p in sorted(written):
        print(p)
    sys.stderr.write(f"{len(written)} handouts in {time.perf_counter() - t0:.1f} s\n")
    return 0


def configure_export(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m kit export``."""
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb to export")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: next to the notebook)")
    parser.add_argument("--execute", action="store_true", help="run the notebook first (saves the widgets' state)")
    parser.add_argument("--hide-code", action="store_true", help="leave out the code cells' input")


def run_export(args: argparse.Namespace) -> int:
    """``python -m kit export``: print the path written."""
    dest, removed = export_notebook(args.notebook, args.out, execute=args.execute, hide_code=args.hide_code)
    if removed:
        sys.stderr.write(f"note: {removed} web reference(s) (images, stylesheets) were disabled to keep the page offline\n")
    print(dest)
    return 0
