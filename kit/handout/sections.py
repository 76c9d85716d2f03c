"""The handout's sections: each renderer takes a :class:`~kit.handout.page.HandoutPage` and returns escaped HTML.

The template notebook calls them in order (through :mod:`kit.handout.build`): :func:`header`, the
observation in plain words, the tier and what was done, the causes ranked, the history
(sentences and a chart), prevention with the reference's safety corrections, when to get
help, the sources, a "For clinicians" appendix and the footer (with :data:`kit.DISCLAIMER`,
once). Every clinical number is read from :mod:`kit.engine.thresholds`; everything a person typed is
escaped with :func:`kit.handout.offline_html.esc` where it is written, and notes never go into a chart.

The main text is for the athlete and the trainer: tiers, causes, signs and rechecks in the
words of :mod:`kit.words`, no ids, no rule numbers, no points. Tier ids, flag ids, amber
points, evidence points, rule sources and the rule set are in :func:`clinician_section` only.

References
----------
docs/reference/clinical-reference.md §7 (the article's advice and its safety corrections),
§9 (tiers), §9.3-9.5 (when to get help); docs/reference/contract.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import plotly.io as pio

from kit.engine.fields import FIELDS
from kit.engine.formatting import value_text
from kit.engine.thresholds import T
from kit.handout.offline_html import PLOTLY_MIME
from kit.handout.page import HandoutPage
from kit.views.history import OUTCOMES, episode_outcome, history_chart
from kit.views.recorded import cap, esc, lower_first, recorded_rows, when_text
from kit.words import (
    ACTION_LABELS,
    CAUSE_LABELS,
    CAUSE_NAMES,
    CAUSE_TIPS,
    DISCLAIMER,
    TIER_ICONS,
    TIER_MEANINGS,
    TIER_SHORT,
    TIER_TITLES,
    TREND_LABELS,
    field_words,
    flag_label,
    plain_reasons,
    recheck_reason_label,
    without_section_refs,
)

__all__ = [
    "Html", "FigureOutput", "figure",
    "header", "observation_section", "tier_section", "causes_section", "history_section", "history_figure",
    "prevention_section", "seek_help_section", "sources_section", "clinician_section", "footer",
]


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

    def __init__(self, fig: Any, text: str = "chart") -> None:
        self.fig = fig
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        spec = json.loads(pio.to_json(self.fig, validate=False))
        spec["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
        return {PLOTLY_MIME: spec, "text/plain": self.text}

    def __repr__(self) -> str:
        return f"<figure {self.text}>"


def figure(fig: Any, text: str = "chart") -> FigureOutput:
    """Wrap a plotly figure for display in the handout (see :class:`FigureOutput`)."""
    return FigureOutput(fig, text)


def _label(name: str) -> str:
    return FIELDS[name].label


def _field(a: Any, name: str, default: Any = None) -> Any:
    """An assessment's output key, from the object or its contract dict (``trend``, ``rule_set`` ...), if present."""
    if hasattr(a, name):
        return getattr(a, name)
    d = a.to_dict() if hasattr(a, "to_dict") else a
    return d.get(name, default) if isinstance(d, Mapping) else default


def _warning_text(w: str) -> str:
    """A warning without its stable code (``glucose_unit: text`` -> ``Text``), for people."""
    code, sep, rest = str(w).partition(": ")
    text = rest if sep and code.replace("_", "").isalnum() and code == code.lower() and " " not in code else str(w)
    return cap(field_words(text))


def _people(text: str) -> str:
    """Text from the rules without rule-section references (``(clinical-reference §9.7)``): those go to the appendix."""
    return field_words(without_section_refs(text))


def _why(a: Any) -> list[str]:
    """Why the tier, in plain words: the reasons without sources or amber jargon, then the signs noted."""
    return plain_reasons([r["reason"] for r in a.reasons], _field(a, "amber_points", 0) or 0, a.flags)


def tier_title(tier: str) -> str:
    """The tier as the handout names it: icon and title (``"⚠ Emergency: call for help now"``)."""
    return f"{TIER_ICONS[tier]} {TIER_TITLES[tier]}"


def _ul(items: Iterable[str], cls: str = "") -> str:
    lis = "".join(f"<li>{i}</li>" for i in items)
    return f'<ul class="{cls}">{lis}</ul>' if cls else f"<ul>{lis}</ul>"


def _section(key: str, title: str, body: str) -> Html:
    return Html(f'<section class="kit-section kit-{key}"><h2>{esc(title)}</h2>{body}</section>', title)


def header(page: HandoutPage) -> Html:
    """Title, athlete, episode date and the tier banner."""
    a = page.assessment
    who = esc(page.label) + (' <span class="kit-muted">(pseudonym)</span>' if page.pseudonymised else "")
    when = when_text(page.latest.observed_at) or "date not recorded"
    example = ('<p class="kit-example">Teaching example: three public cases from the kit shown as one runner\'s '
               "season.</p>") if page.example else ""
    markup = (
        '<header class="kit-header">'
        '<p class="kit-kicker">postrun-kit &middot; episode handout</p>'
        "<h1>Trembling or cramping legs after a run</h1>"
        f'<p class="kit-who"><span class="kit-athlete">{who}</span> &middot; episode of <span class="kit-date">'
        f"{esc(when)}</span></p>{example}"
        f'<div class="kit-tier kit-tier-{esc(a.escalation)}" role="status" data-tier="{esc(a.escalation)}">'
        f'<p class="kit-tier-title"><span class="kit-tier-icon" aria-hidden="true">{esc(TIER_ICONS[a.escalation])}</span> '
        f"{esc(TIER_TITLES[a.escalation])}</p><p>{esc(TIER_MEANINGS[a.escalation])}</p></div>"
        "</header>"
    )
    return Html(markup, "header")


def observation_section(page: HandoutPage) -> Html:
    """The episode's observation in plain words (typed notes escaped)."""
    rows = [("Observed", esc(when_text(page.latest.observed_at) or "date not recorded"))]
    rows += recorded_rows(page.latest, page.latest_raw)
    missing = [lower_first(_label(m)) for m in page.assessment.missing if m in FIELDS]
    if missing:
        rows.append(("Would have helped", esc(cap("; ".join(missing))) + ' <span class="kit-muted">(not '
                     "recorded; unknown is never taken as normal)</span>"))
    table = "".join(f'<tr><th scope="row">{esc(h)}</th><td>{body}</td></tr>' for h, body in rows)
    return _section("observation", "What was observed", f'<table class="kit-facts">{table}</table>')


def tier_section(page: HandoutPage) -> Html:
    """The tier, why (in plain words), how the episode is going, what was done, what not to do, when to recheck.

    Reasons are shown without their sources; trend and recheck reasons appear when the
    assessment carries them (contract v0.2). Ids, points and sources are in :func:`clinician_section`.
    """
    a = page.assessment
    why = [esc(x) for x in _why(a)]
    body = (f'<p class="kit-lead">How serious: <strong class="kit-tier-name">{esc(tier_title(a.escalation))}</strong>.'
            f"</p>")
    if why:
        body += "<p>Why:</p>" + _ul(why)
    else:
        body += "<p>Why: no danger sign and no warning sign was recorded.</p>"
    trend = _field(a, "trend")
    reasons = [r for r in (_field(a, "recheck_reasons") or ()) if r]
    if trend in TREND_LABELS and trend != "first":
        body += f'<p class="kit-trend">This was a recheck: {esc(TREND_LABELS[trend])}.</p>'
    if reasons:
        body += "<p>At this recheck:</p>" + _ul(esc(cap(recheck_reason_label(r))) for r in reasons)
    if a.actions:
        body += "<h3>What was advised (in this order)</h3>" + "<ol>" + "".join(
            f"<li>{esc(_people(x['text']))}</li>" for x in a.actions) + "</ol>"
    if a.contraindicated:
        body += "<h3>What not to do</h3>" + _ul(
            f"<strong>{esc(ACTION_LABELS.get(c['id'], c['id'].replace('_', ' ').capitalize()))}</strong>: {esc(_people(c['why']))}"
            for c in a.contraindicated)
    if a.reassess_in_min:
        body += f'<p class="kit-recheck">Check again after {a.reassess_in_min} min.</p>'
    if a.warnings:
        body += "<p>Check the data:</p>" + _ul(esc(_warning_text(w)) for w in a.warnings)
    return _section("tiersec", "How serious, and what was done", body)


def causes_section(page: HandoutPage) -> Html:
    """The four causes ranked, each with the findings behind it (points and sources: see the appendix)."""
    a = page.assessment
    items = []
    for rank, c in enumerate(a.causes, 1):
        ev = [esc(cap(e["finding"])) for e in c["evidence"]]
        score = max(0, min(100, int(c["score"])))
        items.append(
            f'<li class="kit-cause"><div class="kit-cause-head"><span class="kit-cause-name">{rank}. '
            f"{esc(CAUSE_NAMES.get(c['cause'], c['cause']))}</span>"
            f'<span class="kit-bar"><span style="width:{score}%"></span></span><span class="kit-score">{score}</span></div>'
            + (_ul(ev, "kit-evidence") if ev else '<p class="kit-muted">nothing recorded points to this cause</p>') + "</li>")
    if a.top_cause is None:
        lead = ("<p>No single one of the four causes leads: either a condition outside them dominates (see how serious "
                "above) or too little was recorded to tell.</p>")
    else:
        lead = f"<p>Most likely: <strong>{esc(CAUSE_NAMES[a.top_cause])}</strong>. Mixed pictures are common.</p>"
    note = '<p class="kit-muted">The bars are a relative weight of evidence (0-100), not probabilities.</p>'
    return _section("causes", "Possible causes, ranked", lead + '<ol class="kit-causes">' + "".join(items) + "</ol>" + note)


def history_section(page: HandoutPage) -> Html:
    """The athlete's history in sentences (the chart follows as its own output)."""
    s = page.summary
    body = "".join(f"<p>{esc(x)}</p>" for x in s["sentences"])
    if s["n_observations"] > 1:
        body += ('<p class="kit-muted">The chart shows how serious every observation was; circles are episodes of '
                 "trembling or spasm, small diamonds checks without symptoms.</p>")
    tip = CAUSE_TIPS.get(s["common_cause"] or "")
    if tip and s["n_episodes"] > 1:
        body += f'<p class="kit-tip">{esc(tip)}</p>'
    if s.get("highest_tier"):
        body += f'<p class="kit-muted">Most serious so far: {esc(TIER_SHORT[s["highest_tier"]].lower())}.</p>'
    body += "".join(episode_timeline_html(e) for e in page.episodes)
    return _section("history", "History", body)


def episode_timeline_html(episode: Mapping[str, Any]) -> str:
    """One episode as a timeline (issue 12): a row per check with its time, level, what was given since the
    previous check and what changed (trend, recheck reasons in words), then how it ended."""
    steps = episode["steps"]
    times = [_step_time(x["observed_at"]) for x in steps]
    rows = []
    for k, (x, t) in enumerate(zip(steps, times, strict=True)):
        given = ", ".join(ACTION_LABELS.get(a, a) for a in x["treatment_given"]) or "-"
        change = "first check" if k == 0 else TREND_LABELS.get(x["trend"], x["trend"])
        if x["recheck_reasons"]:
            change += ": " + "; ".join(recheck_reason_label(r) for r in x["recheck_reasons"])
        rows.append(f'<tr data-tier="{esc(x["escalation"])}"><td>{esc(t.strftime("%H:%M") if t else "?")}</td>'
                    f"<td>{esc(TIER_SHORT[x['escalation']])}</td><td>{esc(given)}</td><td>{esc(cap(change))}</td></tr>")
    tiers = [x["escalation"] for x in steps]
    ended = OUTCOMES[episode_outcome(tiers)]
    span = f" after {(times[-1] - times[0]).total_seconds() / 60:g} min" if times[0] and times[-1] else ""
    day = f"{times[0]:%Y-%m-%d}, " if times[0] else ""
    return (f'<div class="kit-episode-timeline" data-episode="{esc(episode["episode_id"])}">'
            f'<h3>Episode {esc(episode["episode_id"])} ({day}{len(steps)} checks)</h3>'
            '<table class="kit-episode"><thead><tr><th scope="col">Time</th><th scope="col">Level</th>'
            '<th scope="col">Given since the last check</th><th scope="col">What changed</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<p>How it ended: {esc(ended)} ({esc(TIER_SHORT[tiers[-1]].lower())}){esc(span)}.</p></div>")


def _step_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def history_figure(page: HandoutPage) -> FigureOutput:
    """The athlete's history chart (tiers over time) for display."""
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
        f"{value_text(T.mass_loss_pct)} % of body mass is a water deficit. <span class=\"kit-src\">(ACSM 2007; WMS 2019)</span>",
        "<strong>A cramp is not a reason to drink lots of water.</strong> Over-drinking for cramps has killed athletes; "
        "drink more only to replace a documented loss. <span class=\"kit-src\">(Miller 2015)</span>",
        "Salt tablets or sports drinks do not protect against hyponatraemia if you keep over-drinking. "
        "<span class=\"kit-src\">(WMS 2019)</span>",
        "<strong>No ibuprofen or other anti-inflammatories (NSAIDs)</strong> before or during long runs, or when "
        "dehydrated, possibly hyponatraemic, overheated, with dark urine or a swollen muscle, or with kidney disease. "
        "<span class=\"kit-src\">(Lipman 2017; Wharam 2006)</span>",
        "Never put heat on an athlete who is hot, or on a swollen limb. <span class=\"kit-src\">(the kit's clinical reference)</span>",
        "Working muscles do use blood sugar, and stored glycogen does not turn into fat (the article is wrong "
        "there): eat before long runs and take carbohydrate on them. <span class=\"kit-src\">(Richter &amp; Hargreaves 2013)</span>",
        "Air temperature alone understates heat stress in humid sun: on hot or humid days run early, shorter or slower. "
        "<span class=\"kit-src\">(ACSM 2007)</span>",
    ]
    diabetic = any(bool(page.latest_raw.get(k)) for k in ("has_diabetes", "glucose_lowering_medication"))
    if diabetic:
        fixes.append(
            f"With diabetes treated with insulin or a sulfonylurea: carry {value_text(T.carb_treatment_min_g)}-"
            f"{value_text(T.carb_treatment_max_g)} g of fast sugar, check glucose before and after running, and agree an "
            "exercise plan with your diabetes team. <span class=\"kit-src\">(ADA 2024)</span>")
    body = ('<div class="kit-two"><div><h3>From the article</h3>' + _ul(esc(x) for x in article) + "</div>"
            '<div><h3>Safety corrections</h3>' + _ul(fixes) + "</div></div>")
    return _section("prevention", "Next time: prevention", body)


def seek_help_section(page: HandoutPage) -> Html:
    """When to call emergency services, when to get a same-day assessment, when to see a doctor within days.

    Numbers come from :mod:`kit.engine.thresholds`.

    References
    ----------
    clinical-reference.md §9.3 (red flags -> emergency), §9.4 (urgent rules -> same-day assessment),
    §9.6 (pattern rules -> see a doctor), §9.9 (not improving at the recheck); source article.
    """
    g_mmol = value_text(T.hypo_level2_mg_dl / T.glucose_mmol_to_mg_dl)
    w_mmol = value_text(T.whipple_mg_dl / T.glucose_mmol_to_mg_dl)
    now = [
        "confusion, acting oddly, unresponsive, or a seizure (fit);",
        "collapse during the run, or not breathing normally (start CPR and get a defibrillator);",
        "chest pain or pressure, or difficulty breathing;",
        f"a spasm that has lasted {value_text(T.prolonged_spasm_min)} minutes or more, or pain of "
        f"{value_text(T.severe_pain)}/10 or worse with swelling, numbness, weakness or dark urine;",
        "dark, cola- or tea-coloured urine with muscle pain, swelling, weakness or vomiting (possible muscle breakdown);",
        f"a core (rectal) temperature over {value_text(T.core_emergency_c)} °C, or confusion or collapse with no "
        "temperature measured, in any weather (possible heat stroke);",
        "very cold with confusion or drowsiness (severe hypothermia);",
        "headache with vomiting, confusion or breathlessness after drinking a lot (possible low blood sodium);",
        "low blood sugar with confusion or drowsiness, or when they cannot swallow safely: nothing by mouth then;",
        "a swollen, tense, painful calf with numbness or weakness; with sickle cell trait: weakness, collapse or pain.",
    ]
    today = [
        "dark urine on its own (blood tests the same day);",
        "one leg swollen and painful, or swollen after long travel (possible blood clot);",
        "headache, nausea or dizziness after drinking a lot (the blood sodium needs measuring);",
        "repeated vomiting;",
        "palpitations with dizziness or fainting, or a heart rate that stays far too high or too low after resting;",
        f"pain of {value_text(T.severe_pain)}/10 or worse on its own;",
        "with diabetes: raised ketones, or a very high glucose with nausea; without diabetes: a very high glucose;",
        "not improving by the time it is checked again (if it gets worse: call emergency services).",
    ]
    doctor = [
        f"spasms keep coming back despite prevention ({value_text(T.recurrent_episodes)} or more earlier episodes in "
        "30 days), or episodes are frequent;",
        "trembling that keeps coming back (measure glucose at the next episode);",
        "numbness or tingling with weakness, or that keeps coming back;",
        "one leg swollen without pain or recent travel;",
        f"a measured glucose under {value_text(T.hypo_level2_mg_dl)} mg/dL ({g_mmol} mmol/L) with diabetes, or under "
        f"{value_text(T.whipple_mg_dl)} mg/dL ({w_mmol} mmol/L) without diabetes, with symptoms.",
    ]
    body = ('<div class="kit-helps"><div class="kit-help kit-help-now"><h3>'
            f'<span aria-hidden="true">{esc(TIER_ICONS["emergency"])}</span> Call emergency services now if</h3>'
            + _ul(esc(x) for x in now) + '</div><div class="kit-help kit-help-today"><h3>'
            f'<span aria-hidden="true">{esc(TIER_ICONS["urgent"])}</span> Get a medical assessment today if</h3>'
            '<p class="kit-muted">Same day, within hours: urgent care or an emergency department; no ambulance unless it '
            "gets worse.</p>" + _ul(esc(x) for x in today) + '</div><div class="kit-help"><h3>'
            f'<span aria-hidden="true">{esc(TIER_ICONS["see_doctor"])}</span> See a doctor within days if</h3>'
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
    """The reference list (the citations behind this assessment are in :func:`clinician_section`)."""
    body = '<ol class="kit-refs">' + "".join(f"<li>{esc(r)}</li>" for r in _REFERENCES) + "</ol>"
    body += ('<p class="kit-muted">Thresholds marked as design choices in the kit\'s clinical reference are not '
             "validated clinical standards.</p>")
    return _section("sources", "Sources", body)


def clinician_section(page: HandoutPage) -> Html:
    """The "For clinicians" appendix: the ids, points and sources behind this assessment.

    Tier id, rule set, flags with their ids, amber points, the reasons for the tier with their
    sources (rule sections), every evidence entry with its points and source, trend and recheck
    reason ids, confidence and the warnings with their codes: a collapsible appendix, open by default
    (so it prints).
    """
    a = page.assessment
    d = a.to_dict()
    rows = [("Tier id", f"<code>{esc(a.escalation)}</code> ({esc(TIER_TITLES[a.escalation])})")]
    rule_set = d.get("rule_set")
    if rule_set:
        rows.append(("Rule set", esc(rule_set)))
    flags = [f"{esc(flag_label(f))} <code>{esc(f)}</code>" for f in a.flags]
    rows.append(("Flags", "; ".join(flags) if flags else "none"))
    rows.append(("Amber points", esc(d.get("amber_points", 0))))
    if d.get("trend"):
        rows.append(("Trend", f"<code>{esc(d['trend'])}</code>"))
    if d.get("recheck_reasons"):
        rows.append(("Recheck reasons", ", ".join(f"<code>{esc(r)}</code>" for r in d["recheck_reasons"])))
    if d.get("confidence"):
        rows.append(("Confidence", esc(d["confidence"])))
    if a.reassess_in_min:
        rows.append(("Reassess in", f"{esc(a.reassess_in_min)} min"))
    table = "".join(f'<tr><th scope="row">{esc(h)}</th><td>{body}</td></tr>' for h, body in rows)
    body = f'<table class="kit-facts">{table}</table>'
    reasons = [f"{esc(r['reason'])} <span class=\"kit-src\">({esc(r['source'])})</span>" for r in d.get("reasons", [])]
    if reasons:
        body += "<h3>Why this tier (rule sources)</h3>" + _ul(reasons)
    evidence = [f"{esc(CAUSE_LABELS.get(c['cause'], c['cause']))} <code>{esc(c['cause'])}</code>, score {int(c['score'])}: "
                + ("; ".join(f"{esc(e['finding'])} +{int(e['points'])} ({esc(e['source'])})" for e in c["evidence"])
                   or "no evidence") for c in d["causes"]]
    body += "<h3>Cause scores (evidence points and sources)</h3>" + _ul(evidence, "kit-evidence")
    if a.warnings:
        body += "<h3>Warnings (with codes)</h3>" + _ul(f"<code>{esc(w)}</code>" for w in a.warnings)
    if a.missing:
        body += "<p>Unknown fields that would most change the result: " + ", ".join(
            f"<code>{esc(m)}</code>" for m in a.missing) + ".</p>"
    cited = []
    for c in a.causes:
        cited += [e["source"] for e in c["evidence"]]
    cited += [r["source"] for r in a.reasons]
    cited = list(dict.fromkeys(x for x in cited if x))
    if cited:
        body += "<p>Cited for this episode: " + esc("; ".join(cited)) + ".</p>"
    markup = (f'<section class="kit-section kit-clinicians"><details class="kit-clinicians-details" open>'
              f"<summary><h2>For clinicians</h2></summary>{body}</details></section>")
    return Html(markup, "For clinicians")


def footer(page: HandoutPage) -> Html:
    """The kit's version, the date, what the page contains, and the disclaimer (shown once)."""
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
