"""The team log in pandas: load, score, filter, and find the athletes who need a doctor.

Used by ``notebooks/02-team-log.ipynb``. Scoring is :func:`kit.assess_frame` (the same
rules as :func:`kit.assess`, vectorised); this module only joins, filters and counts.
The frames keep the contract's ids (for scripts); :func:`athlete_table`,
:func:`recurrent_table` and the explorer show the same in words (:mod:`kit.words`), with
blanks for unknown and no index. Tiers are counted and listed by rank, all five of them.

References
----------
Source article: spasms that keep recurring despite prevention need a doctor (the
``recurrent_despite_prevention`` flag, clinical-reference §7).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from kit.engine.episodes import treatment_set
from kit.engine.frame import assess_frame
from kit.engine.rules import TIERS
from kit.resources import sample_log_path
from kit.store.csvio import read_log_csv
from kit.store.db import Store, open_demo_store
from kit.views.charts import mimebundle, tier_timeline
from kit.views.history import OUTCOMES, episode_outcome
from kit.views.tables import Table
from kit.words import ACTION_LABELS, CAUSE_LABELS, TIER_COLORS, TIER_ICONS, TIER_ORDER, TIER_SHORT, cause_label, flags_text, tier_label

__all__ = ["sample_log_path", "load_team_log", "score_log", "filter_log", "recurrent_athletes", "log_summary",
           "athlete_summary", "athlete_table", "recurrent_table", "log_table", "TeamLogExplorer",
           "episode_stats", "episode_outcome", "OUTCOMES", "episode_summary", "episode_table", "episode_timeline"]


def load_team_log(path: str | Path | None = None, *, store: str | Path | None = None) -> pd.DataFrame:
    """Read a team-log CSV (contract field names as columns); default: the sample log.

    ``store="demo"`` reads the demo store instead (the sample season plus what was saved in
    ``kit lab --demo``; :func:`kit.store.db.open_demo_store`), any other ``store`` that store file.

    Raises
    ------
    ObservationError
        Every bad cell, with its CSV line number (see :func:`kit.store.csvio.read_log_csv`).
    """
    if store is not None:
        with open_demo_store() if str(store) == "demo" else Store(store, read_only=True) as st:
            return st.frame()
    return read_log_csv(path or sample_log_path())


def score_log(df: pd.DataFrame, *, progress: bool | str = True) -> pd.DataFrame:
    """The log with the assessment columns added (``escalation``, ``top_cause``, ``score_*``, ``flags``) and ``when``.

    Parameters
    ----------
    df : pandas.DataFrame
        Team log; non-contract columns (``id``, ...) are kept and ignored by scoring.
    progress : bool or "auto"
        Show a progress bar while scoring (``True`` by default: a notebook user sees work happening).
    """
    scored = assess_frame(df, extra="ignore", progress=progress)
    out = df.join(scored)
    out["when"] = pd.to_datetime(out["observed_at"], utc=True, format="ISO8601").dt.tz_localize(None)
    out["tier_rank"] = out["escalation"].map({t: i for i, t in enumerate(TIERS)})
    return out.sort_values(["when", "athlete_id"], kind="stable")


def filter_log(scored: pd.DataFrame, athletes: Iterable[str] | None = None, start: date | str | None = None,
               end: date | str | None = None, min_tier: str | None = None) -> pd.DataFrame:
    """Rows of the chosen athletes between two dates (inclusive; ``None`` = no limit), at ``min_tier`` or above.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`score_log`.
    athletes : iterable of str, optional
        Athlete ids; empty or ``None`` = all.
    start, end : date or str, optional
        First and last day (inclusive).
    min_tier : str, optional
        A tier id: keep rows of this tier or a higher one (``"urgent"`` keeps urgent and emergency).
    """
    keep = pd.Series(True, index=scored.index)
    if min_tier is not None:
        keep &= scored["tier_rank"] >= TIERS.index(min_tier)
    chosen = list(athletes or [])
    if chosen:
        keep &= scored["athlete_id"].isin(chosen)
    if start is not None:
        keep &= scored["when"] >= pd.Timestamp(start)
    if end is not None:
        keep &= scored["when"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return scored[keep]


def recurrent_athletes(scored: pd.DataFrame) -> pd.DataFrame:
    """Athletes with episodes that recur despite prevention (the article's "see a doctor" case).

    Returns
    -------
    pandas.DataFrame
        One row per athlete with at least one observation flagged
        ``recurrent_despite_prevention``: ``flagged`` (count), ``first``, ``last`` (dates),
        ``observations`` (all of theirs) and ``highest_tier``; most flagged first.
    """
    flagged = scored[scored["flags"].fillna("").str.split(";").map(lambda f: "recurrent_despite_prevention" in f)]
    if flagged.empty:
        return pd.DataFrame(columns=["athlete_id", "flagged", "first", "last", "observations", "highest_tier"])
    g = flagged.groupby("athlete_id")
    out = pd.DataFrame({
        "flagged": g.size(),
        "first": g["when"].min().dt.date,
        "last": g["when"].max().dt.date,
        "observations": scored.groupby("athlete_id").size().reindex(g.size().index),
        "highest_tier": scored.groupby("athlete_id")["tier_rank"].max().reindex(g.size().index).map(dict(enumerate(TIERS))),
    }).reset_index()
    return out.sort_values(["flagged", "athlete_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _most_frequent(s: pd.Series) -> Any:
    """The most frequent value of ``s`` (the first in sort order on a tie)."""
    return s.value_counts().sort_index().idxmax()


def athlete_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per athlete: observations, count in each tier, most frequent leading cause."""
    counts = scored.groupby(["athlete_id", "escalation"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=[t for t in TIERS], fill_value=0)
    counts.insert(0, "observations", counts.sum(axis=1))
    lead = scored.dropna(subset=["top_cause"]).groupby("athlete_id")["top_cause"].agg(_most_frequent)
    counts["usual_cause"] = lead.reindex(counts.index)
    return counts.reset_index()


def athlete_table(scored: pd.DataFrame) -> Table:
    """:func:`athlete_summary` for people: tier columns named in words (highest first), causes in words, no index."""
    s = athlete_summary(scored)
    out = pd.DataFrame({"athlete": s["athlete_id"], "observations": s["observations"]})
    for t in reversed(TIERS):
        out[f"{TIER_ICONS[t]} {TIER_SHORT[t]}"] = s[t]
    out["most frequent leading cause"] = [CAUSE_LABELS.get(c, "") if isinstance(c, str) else "" for c in s["usual_cause"]]
    return Table(out)


def recurrent_table(scored: pd.DataFrame) -> Table:
    """:func:`recurrent_athletes` for people: dates, counts and the highest tier in words, no index."""
    r = recurrent_athletes(scored)
    out = pd.DataFrame({
        "athlete": r["athlete_id"], "times flagged": r["flagged"], "first": r["first"], "last": r["last"],
        "all observations": r["observations"],
        "highest level": [tier_label(t) if isinstance(t, str) else "" for t in r["highest_tier"]],
    })
    return Table(out, caption="" if len(out) else "No athlete has recurring episodes despite prevention.")


def log_table(rows: pd.DataFrame, limit: int = 50) -> Table:
    """The latest ``limit`` rows of a scored log for people: when, athlete, level, leading cause, signs, notes."""
    shown = rows.sort_values("when", ascending=False, kind="stable").head(limit)
    out = pd.DataFrame({
        "when": shown["when"], "athlete": shown["athlete_id"],
        "level": [tier_label(t) if isinstance(t, str) else "" for t in shown["escalation"]],
        "leading cause": [CAUSE_LABELS.get(c, "") if isinstance(c, str) else "" for c in shown["top_cause"]],
        "signs": [flags_text(f) for f in shown["flags"]],
    })
    if "notes" in shown:
        out["notes"] = shown["notes"].tolist()
    return Table(out)


def log_summary(scored: pd.DataFrame) -> str:
    """A few deterministic lines in words: size, dates, every tier by rank (highest first), signs (a checked output)."""
    tiers = scored["escalation"].value_counts().reindex(list(TIERS), fill_value=0)
    each = scored["flags"].fillna("").str.split(";").explode()
    counted = each[each != ""].value_counts()
    flags = sorted(((flags_text(str(f)), int(n)) for f, n in counted.items()), key=lambda x: (-x[1], x[0]))
    lines = [
        f"{len(scored)} observations of {scored['athlete_id'].nunique()} athletes, "
        f"{scored['when'].min():%Y-%m-%d} to {scored['when'].max():%Y-%m-%d}",
        "How serious: " + ", ".join(f"{TIER_SHORT[t].lower()} {int(tiers[t])}" for t in reversed(TIERS)),
        "Signs recorded: " + (", ".join(f"{f} {n}" for f, n in flags) or "none"),
    ]
    return "\n".join(lines)


class TeamLogExplorer:
    """Filter a scored team log by athlete and date with widgets; the timeline and table follow.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`score_log`.

    Attributes
    ----------
    widget : ipywidgets.Box
        Display it.
    athletes, start, end, level : ipywidgets widgets
        The filters (DOM classes ``kit-filter-athletes``, ``kit-filter-start``, ``kit-filter-end``,
        ``kit-filter-level``: the lowest tier shown, any of the five).
    """

    def __init__(self, scored: pd.DataFrame) -> None:
        self.scored = scored
        names = sorted(scored["athlete_id"].dropna().unique())
        self.athletes = widgets.SelectMultiple(options=names, rows=min(8, len(names)), description="Athletes",
                                               layout=widgets.Layout(width="16em")).add_class("kit-filter-athletes")
        lo, hi = scored["when"].min().date(), scored["when"].max().date()
        self.start = widgets.DatePicker(description="From", value=lo).add_class("kit-filter-start")
        self.end = widgets.DatePicker(description="To", value=hi).add_class("kit-filter-end")
        self.level = widgets.Dropdown(options=[("any level", None), *((f"{tier_label(t)} or higher" if t != TIER_ORDER[-1]
                                                                       else tier_label(t), t) for t in TIERS[1:])],
                                      value=None, description="Show", layout=widgets.Layout(width="24em"),
                                      style={"description_width": "initial"}).add_class("kit-filter-level")
        self.count = widgets.HTML()
        self.chart = widgets.Output().add_class("kit-timeline")
        self.table = widgets.Output().add_class("kit-log-table")
        for w in (self.athletes, self.start, self.end, self.level):
            w.observe(lambda _c: self.update(), names="value")
        hint = widgets.HTML("<small>No athlete selected = all. Ctrl/Cmd-click to choose several.</small>")
        self.widget = widgets.VBox([widgets.HBox([widgets.VBox([self.athletes, hint]), widgets.VBox([self.start, self.end,
                                                                                                    self.level, self.count])]),
                                    self.chart, self.table])
        self.update()

    def current(self) -> pd.DataFrame:
        """The rows the filters select."""
        return filter_log(self.scored, self.athletes.value, self.start.value, self.end.value, self.level.value)

    def update(self) -> None:
        """Redraw the timeline and the table for the current filters."""
        rows = self.current()
        self.count.value = f"<b>{len(rows)}</b> observations selected"
        if rows.empty:
            self.chart.outputs = ({"output_type": "display_data", "metadata": {}, "data": {"text/plain": "no observations"}},)
            self.table.outputs = ()
            return
        fig = tier_timeline(rows, title="Timeline of the selected athletes")
        self.chart.outputs = ({"output_type": "display_data", "metadata": {}, "data": mimebundle(fig)},)
        table = log_table(rows)
        self.table.outputs = ({"output_type": "display_data", "metadata": {},
                               "data": {"text/html": table._repr_html_(), "text/plain": repr(table)}},)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


# --- episodes (issue 12 item 4) -------------------------------------------------------------------------------------

def episode_stats(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per episode of a scored log (rows sharing an ``episode_id``), in order of their first entry.

    Columns: ``episode_id``, ``athlete_id``, ``start``, ``end`` (times of the first and last
    entry), ``entries``, ``cause`` (the leading cause at the first entry, else the first one
    named), ``first_tier``, ``highest_tier``, ``final_tier``, ``outcome`` (a key of
    :data:`OUTCOMES`), ``minutes`` (first to last entry), ``minutes_to_resolution`` (the same
    when resolved, else NaN), ``treatments`` (action id -> entries that gave it) and
    ``repeated`` (actions given at two or more entries, sorted).

    Outcome (a reading; the reference does not define one): *resolved* when the last entry's
    tier is self-care (as ``kit log episodes``); *escalated* when a later entry's tier rose above
    the first entry's and the episode did not resolve; *handed over* when the first entry was
    already above "treat and recheck" and it stayed there; otherwise *open*.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`score_log` (with ``episode_id``, ``when``, ``escalation``, ``tier_rank``).
    """
    cols = ["episode_id", "athlete_id", "start", "end", "entries", "cause", "first_tier", "highest_tier", "final_tier",
            "outcome", "minutes", "minutes_to_resolution", "treatments", "repeated"]
    if "episode_id" not in scored.columns:
        return pd.DataFrame(columns=cols)
    rows = scored[scored["episode_id"].notna()].sort_values(["when"], kind="stable")
    out = []
    for eid, ep in rows.groupby("episode_id", sort=False):
        ranks = ep["tier_rank"].tolist()
        tiers = ep["escalation"].tolist()
        highest = TIERS[max(ranks)]
        minutes = (ep["when"].iloc[-1] - ep["when"].iloc[0]).total_seconds() / 60
        outcome = episode_outcome(tiers)
        given: dict[str, int] = {}
        for t in ep["treatment_given"] if "treatment_given" in ep else ():
            for a in sorted(treatment_set(t)):
                given[a] = given.get(a, 0) + 1
        causes = ep["top_cause"].dropna().tolist()
        out.append({"episode_id": eid, "athlete_id": ep["athlete_id"].iloc[0], "start": ep["when"].iloc[0],
                    "end": ep["when"].iloc[-1], "entries": len(ep), "cause": causes[0] if causes else None,
                    "first_tier": tiers[0], "highest_tier": highest, "final_tier": tiers[-1], "outcome": outcome,
                    "minutes": minutes, "minutes_to_resolution": minutes if outcome == "resolved" else float("nan"),
                    "treatments": given, "repeated": sorted(a for a, n in given.items() if n > 1)})
    return pd.DataFrame(out, columns=cols)


def episode_summary(stats: pd.DataFrame) -> str:
    """Episode statistics in a few deterministic lines (a checked output): outcomes, time to resolution by cause,
    treatments repeated."""
    if stats.empty:
        return "No episodes (no rows share an episode_id)."
    counts = stats["outcome"].value_counts()
    lines = [f"{len(stats)} episodes with {int(stats['entries'].sum())} entries; "
             + ", ".join(f"{OUTCOMES[k]} {int(counts.get(k, 0))}" for k in OUTCOMES)]
    done = stats[stats["outcome"] == "resolved"]
    if len(done):
        by = done.groupby(done["cause"].fillna("none"))["minutes_to_resolution"].median().sort_index()
        lines.append("Median minutes to resolution, by cause at the first check: " + ", ".join(
            f"{cause_label(c).lower()} {m:g}" for c, m in by.items()))
    rep = stats["repeated"].explode().dropna().value_counts()
    lines.append("Treatments given again at a recheck: " + (", ".join(
        f"{ACTION_LABELS.get(str(a), str(a)).lower()} in {int(n)} episode{'s' if n > 1 else ''}"
        for a, n in sorted(rep.items(), key=lambda kv: str(kv[0])))
        or "none"))
    return "\n".join(lines)


def episode_table(stats: pd.DataFrame) -> Table:
    """The episodes in words: one row each (athlete, start, entries, levels, how it ended, minutes, treatments)."""
    out = pd.DataFrame({
        "episode": stats["episode_id"].tolist(),
        "athlete": stats["athlete_id"].tolist(),
        "start": [f"{t:%Y-%m-%d %H:%M}" for t in stats["start"]],
        "entries": stats["entries"].tolist(),
        "likely cause": [CAUSE_LABELS.get(c, "") if isinstance(c, str) else "" for c in stats["cause"]],
        "first level": [TIER_SHORT[t] for t in stats["first_tier"]],
        "last level": [TIER_SHORT[t] for t in stats["final_tier"]],
        "how it ended": [OUTCOMES[o] for o in stats["outcome"]],
        "minutes": [f"{m:g}" for m in stats["minutes"]],
        "given": ["; ".join(f"{ACTION_LABELS.get(a, a)}" + (f" x{n}" if n > 1 else "") for a, n in t.items())
                  for t in stats["treatments"]],
    })
    return Table(out)


def episode_timeline(scored: pd.DataFrame, *, title: str = "Episodes: level at each check") -> go.Figure:
    """A plotly figure: one line per episode, minutes since its first entry across, one marker per entry
    coloured by its level (hover: time, level, what was given). A look beats reading for "did it settle?"."""
    fig = go.Figure()
    if "episode_id" not in scored.columns:
        return fig
    rows = scored[scored["episode_id"].notna()].sort_values("when", kind="stable")
    labels = []
    for eid, ep in rows.groupby("episode_id", sort=False):
        label = f"{eid} ({ep['athlete_id'].iloc[0]})"
        labels.append(label)
        mins = [(t - ep["when"].iloc[0]).total_seconds() / 60 for t in ep["when"]]
        given = ["; ".join(ACTION_LABELS.get(a, a) for a in sorted(treatment_set(t))) or "nothing recorded"
                 for t in (ep["treatment_given"] if "treatment_given" in ep else [None] * len(ep))]
        fig.add_trace(go.Scatter(
            x=mins, y=[label] * len(ep), mode="lines+markers", showlegend=False, line={"color": "#9e9e9e"},
            marker={"size": 14, "color": [TIER_COLORS[t] for t in ep["escalation"]], "line": {"width": 1, "color": "#000"},
                    "symbol": [("x" if t == TIERS[-1] else "circle") for t in ep["escalation"]]},
            text=[f"{w:%H:%M}: {tier_label(t)}<br>given: {g}" for w, t, g in zip(ep["when"], ep["escalation"], given,
                                                                                  strict=True)],
            hovertemplate="%{text}<extra>" + label + "</extra>"))
    for t in TIERS:  # a legend of the levels
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=tier_label(t),
                                 marker={"size": 12, "color": TIER_COLORS[t], "symbol": "x" if t == TIERS[-1] else "circle"}))
    fig.update_layout(title=title, xaxis_title="minutes since the first check", height=120 + 40 * len(labels),
                      yaxis={"categoryorder": "array", "categoryarray": labels[::-1]}, template="plotly_white")
    return fig
