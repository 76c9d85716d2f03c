"""Plotly pictures of an assessment and of the kit's thresholds.

Every builder returns a plain :class:`plotly.graph_objects.Figure` (never a
``FigureWidget``: that keeps megabytes of widget state in a notebook). Figures are shown
with :func:`mimebundle` inside an ``ipywidgets.Output`` (the triage form) or displayed
directly (the notebooks).

Every clinical number drawn here is read from :mod:`kit.engine.thresholds`; the band figures
carry their citations (:func:`band_sources`). Axis ends are display choices derived from
those numbers, not clinical values. Tier and cause words, colours and icons come from
:mod:`kit.words` (``CAUSE_LABELS``, ``TIER_COLORS`` and ``TIER_TITLES`` are re-exported here
for the form): the five tiers are drawn in five colour-blind-safe colours, and every legend
entry carries the tier's icon and title, so colour is never the only cue.

Start-up: pandas (and :mod:`kit.views.tables`, which imports it) is imported inside the four
functions that need it (:func:`band_sources_table`, :func:`band_sources_for_people`,
:func:`tier_counts_chart`, :func:`tier_timeline`), not at module top: the triage form
(:mod:`kit.views.widgets`, also the phone app) imports this module for the cause chart and needs no
pandas. Measured on the 2-core machine: ``import pandas`` 0.86 s; ``import kit.views.widgets``
0.62 s in all without it.

References
----------
docs/reference/clinical-reference.md §1 (glucose levels), §2-3 (body-mass change),
§5 (core temperature), §7 and §9 (spasm duration).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from kit.engine.formatting import threshold_text
from kit.engine.rules import TIERS
from kit.engine.thresholds import THRESHOLDS, T, Threshold
from kit.words import CAUSE_COLORS, CAUSE_LABELS, TIER_COLORS, TIER_ICONS, TIER_SHORT, TIER_TITLES, cause_label, flags_text, tier_label

__all__ = [
    "CAUSE_LABELS", "TIER_COLORS", "TIER_TITLES", "Band", "cause_chart", "cause_chart_spec", "band_figure", "glucose_bands",
    "body_mass_bands", "spasm_duration_bands", "core_temp_bands", "threshold_figures", "band_sources", "band_sources_table",
    "band_sources_for_people", "TIER_SYMBOLS",
    "mimebundle", "use_notebook_renderer", "tier_timeline", "tier_counts_chart",
]

_OK, _AMBER, _ORANGE, _RED = "#a5d6a7", "#ffe082", "#ffb74d", "#ef9a9a"
_DARK_RED = "#c62828"
_CONFIG = {"displaylogo": False, "responsive": True}


def _as_dict(assessment: Any) -> Mapping[str, Any]:
    d: Mapping[str, Any] = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    return d


def cause_chart_spec(assessment: Any, *, height: int = 260) -> dict[str, Any]:
    """The cause chart as a plain plotly JSON spec (``{"data", "layout"}``), built without validation.

    This is what the triage form sends on every change (about 0.1 ms instead of about
    30 ms for a validated ``go.Figure`` with a template); :func:`cause_chart` wraps it.
    """
    a = _as_dict(assessment)
    causes = list(a["causes"])[::-1]  # plotly draws the first category at the bottom
    hover = []
    for c in causes:
        lines = [f"{e['finding']}: +{e['points']} ({e['source']})" for e in c["evidence"]]
        hover.append("<br>".join(lines) if lines else "no finding for this cause")
    scores = [c["score"] for c in causes]
    trace = {
        "type": "bar", "orientation": "h", "x": scores, "y": [CAUSE_LABELS[c["cause"]] for c in causes],
        "marker": {"color": [CAUSE_COLORS[c["cause"]] for c in causes]}, "text": scores, "textposition": "outside",
        "customdata": hover, "cliponaxis": False,
        "hovertemplate": "<b>%{y}</b>: score %{x}<br>%{customdata}<extra></extra>",
    }
    layout = {
        "height": height, "margin": {"l": 10, "r": 30, "t": 40, "b": 30}, "paper_bgcolor": "white",
        "plot_bgcolor": "white", "font": {"family": "sans-serif"},
        "title": {"text": "Cause scores (weight of evidence, not a probability)", "font": {"size": 14}},
        "xaxis": {"range": [0, 100], "fixedrange": True, "gridcolor": "#eee", "zeroline": False},
        "yaxis": {"fixedrange": True, "automargin": True}, "showlegend": False,
        "hoverlabel": {"align": "left"},
    }
    return {"data": [trace], "layout": layout}


def cause_chart(assessment: Any, *, height: int = 260) -> go.Figure:
    """Horizontal bar chart of the four cause scores, highest at the top.

    Hovering a bar lists each finding behind the score with its points and source.

    Parameters
    ----------
    assessment : Assessment or Mapping
        A :class:`kit.engine.assessment.Assessment` or its contract dict.
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from kit import assess
    >>> fig = cause_chart(assess({"tremor": True, "blood_glucose": 60, "blood_glucose_unit": "mg/dL"}))
    >>> fig.data[0].y[-1]
    'Low blood sugar (hypoglycaemia)'
    """
    return go.Figure(cause_chart_spec(assessment, height=height))


@dataclass(frozen=True, slots=True)
class Band:
    """One coloured band of a threshold figure.

    Attributes
    ----------
    start, end : float
        Band limits on the figure's axis.
    label : str
        What the band means.
    color : str
        Fill colour.
    keys : tuple of str
        The :data:`kit.engine.thresholds.THRESHOLDS` keys that bound it (their sources are cited).
    """

    start: float
    end: float
    label: str
    color: str
    keys: tuple[str, ...] = ()


def band_figure(title: str, unit: str, bands: Sequence[Band], *, lines: Sequence[tuple[float, str]] = (),
                note: str = "", height: int = 230) -> go.Figure:
    """A one-row band chart: coloured stacked bars along a number line.

    Parameters
    ----------
    title : str
        Figure title.
    unit : str
        Axis unit.
    bands : sequence of Band
        Bands from left to right.
    lines : sequence of (value, label)
        Extra dashed marker lines.
    note : str
        Text under the chart (citations, a rule without a number).
    height : int
        Pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    for b in bands:
        src = "; ".join(dict.fromkeys(THRESHOLDS[k].source for k in b.keys)) or "display range"
        fig.add_trace(go.Bar(
            x=[b.end - b.start], base=[b.start], y=[""], orientation="h", marker_color=b.color,
            marker_line={"color": "white", "width": 1}, name=b.label, text=[b.label], textposition="inside",
            insidetextanchor="middle", textfont={"size": 11}, textangle=0,
            hovertemplate=f"{threshold_text(b.start)}-{threshold_text(b.end)} {unit}: {b.label}<br>source: {src}<extra></extra>",
        ))
    for value, label in lines:
        fig.add_vline(x=value, line_dash="dash", line_color="#333", annotation_text=label,
                      annotation_position="top", annotation_font_size=10)
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, barmode="overlay", height=height, template="plotly_white",
        showlegend=False, margin={"l": 10, "r": 10, "t": 60, "b": 70 if note else 40},
        xaxis={"title": unit, "range": [bands[0].start, bands[-1].end]}, yaxis={"visible": False},
    )
    if note:
        fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.55, showarrow=False, align="left",
                           font={"size": 10, "color": "#555"}, xanchor="left")
    return fig


def glucose_bands(unit: str = "mg/dL") -> go.Figure:
    """ADA 2024 hypoglycaemia levels 1-3 on a glucose axis (mg/dL or mmol/L).

    Level 3 has no glucose cut-off (altered mental state at any low value), so it is
    stated under the chart rather than drawn as a band.

    Parameters
    ----------
    unit : {"mg/dL", "mmol/L"}
        Axis unit.

    References
    ----------
    .. [1] ADA Standards of Care 2024 §6 (levels 1-3); Endocrine Society 2009 (Whipple work-up).
    """
    f = 1.0 if unit == "mg/dL" else 1.0 / T.glucose_mmol_to_mg_dl

    def v(mg: float) -> float:
        return round(mg * f, 1)

    top = 2 * T.hypo_level1_mg_dl  # display range only
    bands = [
        Band(0, v(T.hypo_level2_mg_dl), "level 2: clinically significant", _RED, ("hypo_level2_mg_dl",)),
        Band(v(T.hypo_level2_mg_dl), v(T.hypo_level1_mg_dl), "level 1: alert value, treat", _AMBER, ("hypo_level1_mg_dl",)),
        Band(v(T.hypo_level1_mg_dl), v(top), "not low", _OK, ("hypo_level1_mg_dl",)),
    ]
    lines = [(v(T.whipple_mg_dl), f"{threshold_text(v(T.whipple_mg_dl))}: work-up without diabetes")]
    note = (f"Level 3 (severe) has no glucose cut-off: a low with altered mental state. "
            f"Sources: {THRESHOLDS['hypo_level1_mg_dl'].source}; {THRESHOLDS['hypo_level2_mg_dl'].source}; "
            f"{THRESHOLDS['whipple_mg_dl'].source}.")
    return band_figure(f"Blood glucose: hypoglycaemia levels ({unit})", unit, bands, lines=lines, note=note)


def body_mass_bands() -> go.Figure:
    """Body-mass change during a run: water deficit, acceptable, gain (over-drinking).

    References
    ----------
    .. [1] ACSM 2007 (Sawka): loss over 2 % of body mass is a water deficit.
    .. [2] EAH consensus 2015; clinical-reference §0: a gain beyond the scale tolerance means over-drinking.
    """
    loss, gain = T.mass_loss_pct, T.eah_gain_pct
    span = 2 * loss  # display range only
    bands = [
        Band(-loss - span, -loss, f"loss > {threshold_text(loss)} %: water deficit (dehydration)", _ORANGE, ("mass_loss_pct",)),
        Band(-loss, gain, "acceptable loss", _OK, ("mass_loss_pct", "eah_gain_pct")),
        Band(gain, gain + span, "gain: over-drinking, hyponatraemia risk", _RED, ("eah_gain_pct",)),
    ]
    note = f"Change = (after - before) / before x 100. Sources: {THRESHOLDS['mass_loss_pct'].source}; {THRESHOLDS['eah_gain_pct'].source}."
    return band_figure("Body-mass change during the run", "% of body mass", bands, note=note)


def spasm_duration_bands() -> go.Figure:
    """How long a spasm has lasted: on-site care, amber point, immediate medical attention.

    References
    ----------
    .. [1] Source article; Miller 2022 ("serious EAMC": an hour or more).
    .. [2] clinical-reference §9.4 (15-59 min amber point, design).
    """
    amber, limit = T.spasm_amber_min, T.prolonged_spasm_min
    bands = [
        Band(0, amber, "stretch, massage, reassess", _OK, ("spasm_amber_min",)),
        Band(amber, limit, "warning sign: treat and recheck", _AMBER, ("spasm_amber_min", "prolonged_spasm_min")),
        Band(limit, limit * 1.5, f"{threshold_text(limit)} min or more: emergency", _RED, ("prolonged_spasm_min",)),
    ]
    note = f"Sources: {THRESHOLDS['prolonged_spasm_min'].source}; {THRESHOLDS['spasm_amber_min'].source}."
    return band_figure("Spasm duration", "minutes", bands, note=note)


def core_temp_bands() -> go.Figure:
    """Core (rectal) temperature: normal, raised (amber), over 40 °C, exertional heat stroke.

    References
    ----------
    .. [1] NATA 2015 (heat stroke at 40.5 °C or more; cold-water immersion until about 38.6-38.9 °C).
    .. [2] ACSM 2007 heat illness; clinical-reference §9.2-9.3 (design cut-offs).
    """
    amber, over, ehs = T.heat_context_core_c, T.core_emergency_c, T.ehs_core_c
    lo, hi = amber - 2.5, ehs + 1.5  # display range only
    bands = [
        Band(lo, amber, "no heat sign", _OK, ()),
        Band(amber, over, "raised: warning sign", _AMBER, ("heat_context_core_c",)),
        Band(over, ehs, f"> {threshold_text(over)}: emergency, cool", _ORANGE, ("core_emergency_c",)),
        Band(ehs, hi, "heat stroke: cool first", _DARK_RED, ("ehs_core_c",)),
    ]
    lines = [(T.cwi_stop_core_c, f"stop cooling ~{threshold_text(T.cwi_stop_core_low_c)}-{threshold_text(T.cwi_stop_core_c)}")]
    note = (f"Sources: {THRESHOLDS['ehs_core_c'].source}; {THRESHOLDS['core_emergency_c'].source}; "
            f"{THRESHOLDS['heat_context_core_c'].source}; {THRESHOLDS['cwi_stop_core_c'].source}.")
    return band_figure("Core temperature", "°C", bands, lines=lines, note=note)


_BAND_KEYS: dict[str, tuple[str, ...]] = {
    "glucose": ("hypo_level1_mg_dl", "hypo_level2_mg_dl", "whipple_mg_dl", "glucose_mmol_to_mg_dl"),
    "body_mass": ("mass_loss_pct", "eah_gain_pct"),
    "spasm_duration": ("spasm_amber_min", "prolonged_spasm_min"),
    "core_temp": ("heat_context_core_c", "core_emergency_c", "ehs_core_c", "cwi_stop_core_low_c", "cwi_stop_core_c"),
}


def threshold_figures(glucose_unit: str = "mg/dL") -> dict[str, go.Figure]:
    """The four band figures by name: ``glucose``, ``body_mass``, ``spasm_duration``, ``core_temp``."""
    return {
        "glucose": glucose_bands(glucose_unit), "body_mass": body_mass_bands(),
        "spasm_duration": spasm_duration_bands(), "core_temp": core_temp_bands(),
    }


def band_sources(name: str) -> list[Threshold]:
    """The thresholds a band figure draws (for its citation table)."""
    return [THRESHOLDS[k] for k in _BAND_KEYS[name]]


def band_sources_table(name: str) -> Any:
    """The thresholds a band figure draws as a DataFrame: key, value, unit, meaning, source, status."""
    import pandas as pd  # lazy: see 'Start-up' in the module docstring

    return pd.DataFrame([{"key": t.key, "value": t.value, "unit": t.unit, "meaning": t.meaning, "source": t.source,
                          "status": t.status} for t in band_sources(name)])


def band_sources_for_people(name: str) -> Any:
    """The thresholds a band figure draws as a :class:`kit.views.tables.Table`: numbers as written, whole meaning, no index."""
    from kit.views.tables import thresholds_for_people  # lazy: it imports pandas (see 'Start-up')

    return thresholds_for_people([t.key for t in band_sources(name)])


def mimebundle(fig: go.Figure | Mapping[str, Any], *, text: str = "") -> dict[str, Any]:
    """A display bundle for a figure: plotly's JSON mimetype plus a text fallback.

    Used to fill an ``ipywidgets.Output`` directly (``out.outputs = (...)``) without a
    kernel round-trip and without inlining plotly.js, so the JSON is deterministic and
    small (no random div ids).
    """
    spec: dict[str, Any]
    if isinstance(fig, Mapping):
        spec = {"data": list(fig["data"]), "layout": dict(fig["layout"])}
    else:
        spec = json.loads(pio.to_json(fig, validate=False))
    spec["config"] = dict(_CONFIG)
    title = spec["layout"].get("title", {})
    title = title.get("text", "") if isinstance(title, Mapping) else str(title)
    return {"application/vnd.plotly.v1+json": spec, "text/plain": text or title or "plotly figure"}


def use_notebook_renderer() -> None:
    """Show figures as plotly's JSON mimetype only (rendered by JupyterLab and Voila).

    The default in a kernel also inlines plotly.js as HTML with random div ids: megabytes
    per notebook and unstable outputs.
    """
    pio.renderers.default = "plotly_mimetype"


#: A marker shape per tier (the timeline's second cue after colour), lowest tier first.
TIER_SYMBOLS: dict[str, str] = {
    "self_care": "circle", "monitor": "square", "see_doctor": "diamond", "urgent": "triangle-up", "emergency": "x",
}


def tier_counts_chart(scored: Any, *, freq: str = "MS") -> go.Figure:
    """Stacked bars: how many observations fell in each tier per period, lowest tier at the bottom.

    Each tier present is one trace: ``legendgroup`` is the tier id (for scripts and tests),
    ``name`` its icon and title (:func:`kit.words.tier_label`) for people.

    Parameters
    ----------
    scored : pandas.DataFrame
        A team log with ``observed_at`` and ``escalation`` columns.
    freq : str
        pandas period start frequency (default: month start).
    """
    import pandas as pd  # lazy: see 'Start-up' in the module docstring

    d = scored.assign(when=pd.to_datetime(scored["observed_at"], utc=True, format="ISO8601").dt.tz_localize(None))
    counts = d.groupby([pd.Grouper(key="when", freq=freq), "escalation"]).size().unstack(fill_value=0)
    fig = go.Figure()
    for tier in TIERS:
        if tier in counts:
            fig.add_trace(go.Bar(x=counts.index, y=counts[tier], name=tier_label(tier), legendgroup=tier,
                                 marker_color=TIER_COLORS[tier], marker_line={"color": "#333", "width": 0.5},
                                 hovertemplate=f"{TIER_ICONS[tier]} {TIER_SHORT[tier]}: %{{y}}<extra>%{{x|%b %Y}}</extra>"))
    fig.update_layout(barmode="stack", template="plotly_white", height=340, title="How serious: observations per month",
                      yaxis_title="observations", margin={"l": 10, "r": 10, "t": 50, "b": 30},
                      legend={"traceorder": "reversed", "title": {"text": "Level"}})
    return fig


def tier_timeline(scored: Any, *, title: str = "Per-athlete timeline") -> go.Figure:
    """One row per athlete, one marker per observation: colour, size and shape by tier.

    Each tier present is one trace (``legendgroup`` = tier id, ``name`` = icon and title);
    the hover gives the tier, the leading cause and the flags in plain words.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``athlete_id``, ``observed_at``, ``escalation``, ``top_cause`` and ``flags`` columns.
    """
    import pandas as pd  # lazy: see 'Start-up' in the module docstring

    d = scored.assign(when=pd.to_datetime(scored["observed_at"], utc=True, format="ISO8601").dt.tz_localize(None))
    fig = go.Figure()
    for tier in TIERS:
        part = d[d["escalation"] == tier]
        if part.empty:
            continue
        cause = [cause_label(c) for c in part["top_cause"]]
        flags = [flags_text(f) or "none" for f in part["flags"]]
        fig.add_trace(go.Scatter(
            x=part["when"], y=part["athlete_id"], mode="markers", name=tier_label(tier), legendgroup=tier,
            marker={"color": TIER_COLORS[tier], "size": 7 + 2 * TIERS.index(tier), "symbol": TIER_SYMBOLS[tier],
                    "line": {"width": 0.8, "color": "#333"}},
            customdata=list(zip(cause, flags, strict=True)),
            hovertemplate="%{y} %{x|%d %b %Y %H:%M}<br>" + f"{TIER_ICONS[tier]} {TIER_TITLES[tier]}"
                          + "<br>leading cause: %{customdata[0]}<br>signs: %{customdata[1]}<extra></extra>",
        ))
    n = d["athlete_id"].nunique()
    fig.update_layout(template="plotly_white", height=max(280, 60 + 24 * n), title=title,
                      yaxis={"categoryorder": "category descending", "title": None},
                      margin={"l": 10, "r": 10, "t": 50, "b": 30}, legend={"orientation": "h", "y": -0.15})
    return fig
