"""One athlete's history: a table, a plain-language summary and a plotly chart.

Used by the handouts (:mod:`kit.handout.build`) and reusable in the notebooks. The input is
one athlete's observations, either as contract mappings (``Store.observations(id)``,
rows of a team log) or as a DataFrame (``Store.frame(id)``, ``Store.history(id)``).
When the input already carries the assessment stored at the time (an ``escalation``
column, as ``Store.history`` gives), that is what is shown; otherwise every observation
is assessed now with :func:`kit.assess_frame`.

No free text (notes, athlete id) is ever put into a chart: chart labels are built from
fixed words only, so nothing a person typed can reach plotly's text renderer.

References
----------
docs/reference/clinical-reference.md §9 (the five escalation tiers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kit.engine.fields import FIELD_NAMES
from kit.engine.frame import assess_frame
from kit.engine.rules import CAUSES, TIERS
from kit.words import CAUSE_LABELS, TIER_COLORS, TIER_ICONS, TIER_SHORT, TIER_TITLES, cause_label

__all__ = ["history_frame", "history_summary", "history_chart", "EPISODE_FIELDS", "OUTCOMES", "episode_outcome"]

#: An observation is an *episode* when one of these is recorded as present.
EPISODE_FIELDS: tuple[str, ...] = ("tremor", "spasm")

def _to_frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True).copy()
    rows = [dict(r) for r in data] if isinstance(data, Iterable) and not isinstance(data, (str, bytes, Mapping)) else None
    if rows is None:
        raise TypeError("history data must be a DataFrame or a list of observation mappings")
    return pd.DataFrame(rows)


def history_frame(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per observation, oldest first, with its tier and leading cause.

    Parameters
    ----------
    data : DataFrame or iterable of mappings
        One athlete's observations (contract fields; other columns are ignored). If an
        ``escalation`` column is present (the assessment stored at the time) it is kept;
        otherwise each row is assessed now.

    Returns
    -------
    pandas.DataFrame
        Columns ``observed_at`` (datetime64, UTC, NaT if unknown), ``escalation``,
        ``tier_level`` (0-4, the index in :data:`kit.engine.rules.TIERS`), ``top_cause`` (None when none), ``flags`` (";"-joined),
        ``episode`` (trembling or spasm recorded), ``spasm``, ``tremor``, ``pain_score``.
        Rows with an unknown time keep their input order before the dated ones.

    Raises
    ------
    kit.ObservationError
        If a row is not a valid observation (only when it has to be assessed).
    """
    df = _to_frame(data)
    n = len(df)
    if "escalation" in df.columns and df["escalation"].notna().all():
        scored = df[[c for c in ("escalation", "top_cause", "flags") if c in df.columns]].copy()
    elif n:
        contract = df[[c for c in df.columns if c in FIELD_NAMES]]
        scored = assess_frame(contract, extra="ignore", progress=False)[["escalation", "top_cause", "flags"]]
        scored.index = df.index
    else:
        scored = pd.DataFrame({"escalation": pd.Series(dtype=object)})
    out = pd.DataFrame(index=df.index)
    when = df["observed_at"] if "observed_at" in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
    out["observed_at"] = pd.to_datetime(when, utc=True, errors="coerce", format="ISO8601")
    out["escalation"] = scored["escalation"].astype(object)
    out["tier_level"] = [TIERS.index(t) for t in out["escalation"]]
    top = scored["top_cause"] if "top_cause" in scored.columns else pd.Series([None] * n, index=df.index)
    out["top_cause"] = [c if isinstance(c, str) and c in CAUSES else None for c in top]
    flags = scored["flags"] if "flags" in scored.columns else pd.Series([""] * n, index=df.index)
    out["flags"] = [f if isinstance(f, str) else ";".join(f) if isinstance(f, (list, tuple)) else "" for f in flags]
    for name in ("spasm", "tremor", "pain_score"):
        out[name] = df[name].astype(object).where(df[name].notna(), None) if name in df.columns else None
    out["episode"] = [any(out.at[i, f] is True or out.at[i, f] == 1 for f in EPISODE_FIELDS) for i in out.index]
    out["_order"] = range(n)
    out = out.sort_values(["observed_at", "_order"], na_position="first", kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def history_summary(data: pd.DataFrame | Iterable[Mapping[str, Any]], *, window_days: int = 30) -> dict[str, Any]:
    """Counts and dates that describe an athlete's history, plus plain sentences.

    Parameters
    ----------
    data : DataFrame or iterable of mappings
        As for :func:`history_frame` (or its result).
    window_days : int
        The "recent" window counted back from the latest observation (30, as the
        contract's ``prior_episodes_30d``).

    Returns
    -------
    dict
        ``n_observations``, ``n_episodes``, ``first`` and ``last`` (ISO dates or None),
        ``tier_counts`` (tier -> count, every tier), ``highest_tier``, ``recent_episodes``
        (episodes in the window, the latest included), ``common_cause`` (most frequent
        leading cause or None), ``sentences`` (list of str, fixed wording).
    """
    h = data if isinstance(data, pd.DataFrame) and "tier_level" in data.columns else history_frame(data)
    n = len(h)
    dated = h["observed_at"].dropna()
    first = dated.min().date().isoformat() if len(dated) else None
    last = dated.max().date().isoformat() if len(dated) else None
    counts = {t: int((h["escalation"] == t).sum()) for t in TIERS}
    highest = TIERS[int(h["tier_level"].max())] if n else None
    episodes = h[h["episode"]]
    if len(dated):
        since = dated.max() - pd.Timedelta(days=window_days)
        recent = int((episodes["observed_at"] > since).sum())
    else:
        recent = len(episodes)
    causes = episodes["top_cause"].dropna() if len(episodes) else h["top_cause"].dropna()
    common = str(causes.value_counts().index[0]) if len(causes) else None

    def plural(k: int, word: str) -> str:
        return f"{k} {word}{'' if k == 1 else 's'}"

    sentences = []
    if n == 0:
        sentences.append("No observation is recorded yet.")
    else:
        span = f" from {first} to {last}" if first and last and first != last else (f" on {last}" if last else "")
        sentences.append(f"{plural(n, 'observation')} recorded{span}, {plural(len(episodes), 'episode')} of "
                         "trembling or spasm.")
        tiers = ", ".join(f"{TIER_SHORT[t].lower()} {counts[t]}" for t in reversed(TIERS) if counts[t])
        sentences.append(f"How serious: {tiers}.")
        if len(dated):
            sentences.append(f"{plural(recent, 'episode')} in the {window_days} days up to the latest observation.")
        if common:
            sentences.append(f"Most frequent leading cause: {CAUSE_LABELS.get(common, common).lower()}.")
    return {"n_observations": n, "n_episodes": len(episodes), "first": first, "last": last,
            "tier_counts": counts, "highest_tier": highest, "recent_episodes": recent, "common_cause": common,
            "sentences": sentences}


def history_chart(data: pd.DataFrame | Iterable[Mapping[str, Any]], *, height: int = 280) -> go.Figure:
    """Tier of every observation over time: episodes as circles, checks without symptoms as small diamonds.

    Parameters
    ----------
    data : DataFrame or iterable of mappings
        As for :func:`history_frame` (or its result).
    height : int
        Pixels. The width follows the page (at most the printable width of A4/Letter).

    Returns
    -------
    plotly.graph_objects.Figure
        Uses only ``scatter`` traces (drawn by plotly.js's basic bundle). Hover text is
        built from fixed words (date, tier, leading cause): no free text.
    """
    h = data if isinstance(data, pd.DataFrame) and "tier_level" in data.columns else history_frame(data)
    h = h[h["observed_at"].notna()]
    when = h["observed_at"].dt.tz_convert(None)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=when, y=h["tier_level"], mode="lines", line={"color": "#b0b0b0", "width": 1},
                             hoverinfo="skip", showlegend=False))
    for flag, name, symbol, size in ((True, "episode (trembling or spasm)", "circle", 12),
                                     (False, "check without symptoms", "diamond", 9)):
        part = h[h["episode"] == flag]
        if part.empty:
            continue
        cause = [cause_label(c) for c in part["top_cause"]]
        fig.add_trace(go.Scatter(  # legend entry in neutral grey (the points are coloured by tier)
            x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
            marker={"color": "#777", "size": size, "symbol": symbol, "line": {"width": 1, "color": "#333"}}))
        fig.add_trace(go.Scatter(  # every marker has a dark outline, so light tier colours stay visible on white
            x=part["observed_at"].dt.tz_convert(None), y=part["tier_level"], mode="markers", name=name, showlegend=False,
            marker={"color": [TIER_COLORS[t] for t in part["escalation"]], "size": size, "symbol": symbol,
                    "line": {"width": 1, "color": "#333"}},
            customdata=[[f"{TIER_ICONS[t]} {TIER_TITLES[t]}", c] for t, c in zip(part["escalation"], cause, strict=True)],
            hovertemplate="%{x|%d %b %Y %H:%M}<br>%{customdata[0]}<br>leading cause: %{customdata[1]}<extra></extra>",
        ))
    fig.update_layout(
        height=height, template="plotly_white", margin={"l": 10, "r": 10, "t": 10, "b": 30},
        yaxis={"tickvals": list(range(len(TIERS))), "ticktext": [TIER_SHORT[t] for t in TIERS],
               "range": [-0.5, len(TIERS) - 0.5], "fixedrange": True, "title": None},
        xaxis={"title": None}, legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="closest",
    )
    return fig


#: Outcomes of an episode, in words (:func:`kit.views.teamlog.episode_stats` ``outcome``; the handout's episode lines).
OUTCOMES: dict[str, str] = {
    "resolved": "resolved on site",
    "escalated": "escalated at a recheck",
    "handed_over": "handed over from the first check",
    "open": "not resolved (still being watched)",
}


def episode_outcome(tiers: list[str]) -> str:
    """How an episode ended, from the tier of each entry in order (a key of :data:`OUTCOMES`; see :func:`kit.views.teamlog.episode_stats`)."""
    ranks = [TIERS.index(t) for t in tiers]
    if tiers[-1] == TIERS[0]:
        return "resolved"
    if max(ranks[1:], default=-1) > ranks[0]:
        return "escalated"
    if ranks[0] > TIERS.index("monitor"):
        return "handed_over"
    return "open"
