"""The triage form as a readable page in ``kit export --execute`` (issue 13 item 6).

A notebook run for an export has no one to fill its form: ``kit export --execute`` sets
``KIT_EXPORT=1`` for the kernel, and :class:`kit.views.widgets.TriageForm` then shows the last entry
saved in its store (the one just made) as a page: the tier banner, what to do and what not to
do, the recheck, the likely causes and what was recorded, in words; no blank inputs, no
buttons and no draft notice (drafts are off while exporting). With nothing saved yet the page
says so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any

import ipywidgets as widgets

from kit.engine.observation import parse_observation
from kit.views.recorded import recorded_rows
from kit.words import TIER_TITLES

__all__ = ["EXPORT_ENV", "exporting", "latest_entry", "recorded_html", "show_latest_entry"]

_JUMP = re.compile(r"\s*<a href=['\"]#kit-todo-list['\"][^>]*>.*?</a>", re.S)
#: Set to ``1`` by ``kit export --execute`` for the kernel that runs the notebook.
EXPORT_ENV = "KIT_EXPORT"


def exporting(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel runs a notebook for ``kit export --execute``."""
    return (os.environ if environ is None else environ).get(EXPORT_ENV, "") == "1"


def latest_entry(store: Any) -> dict[str, Any] | None:
    """The entry saved last (highest row id among current rows), or ``None`` (empty store, or a store without entries)."""
    entries = getattr(store, "entries", None)
    if entries is None:
        return None
    rows = entries()
    return max(rows, key=lambda e: e["id"]) if rows else None


def recorded_html(observation: Mapping[str, Any]) -> str:
    """What was recorded, in plain words (the handout's rows), as an HTML section."""
    obs = parse_observation(dict(observation))
    rows = "".join(f"<tr><th scope='row'>{head}</th><td>{text}</td></tr>" for head, text in recorded_rows(obs, observation))
    return f"<h2>What was recorded</h2><table class='kit-recorded-table'>{rows}</table>"


def _observed(observation: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(observation.get("observed_at") or "").replace("Z", "+00:00")).astimezone()
    except ValueError:
        return None


def _title(entry: Mapping[str, Any]) -> str:
    obs = entry["observation"]
    who = obs.get("athlete_id") or "no athlete id"
    when = str(obs.get("observed_at") or "").replace("T", " ")[:16]
    return (f"<h2>Saved entry #{int(entry['id'])}: {escape(str(who))}"
            f"{', observed ' + escape(when) if when else ''}</h2>")


def show_latest_entry(form: Any) -> int | None:
    """Turn ``form`` (a :class:`kit.views.widgets.TriageForm`) into a page of its store's last entry.

    Returns
    -------
    int or None
        The row id shown, or ``None`` when the store holds no entry (the page then says so).
    """
    for b in (form.save_button, form.clear_button, form.restore_button, form.discard_button):
        b.layout.display = "none"
    entry = latest_entry(form.store)
    kids = [c for c in form.widget.children if "kit-inputs" not in getattr(c, "_dom_classes", ())]
    if entry is None:
        form.widget.children = [*kids, widgets.HTML("<p>No entry saved yet: fill in the form in JupyterLab or the "
                                                     "app, press Save to log, then export again.</p>")]
        return None
    obs = {k: v for k, v in entry["observation"].items() if k in form.inputs}
    seen = _observed(entry["observation"])
    if seen is not None:  # recheck clock times count from when it was seen, not from the export
        form.now = lambda: seen
    form.set_values(obs)
    # the banner's jump link: "What to do" follows right below on the page (and the exporter drops kit- ids)
    form.banner.value = _JUMP.sub("", form.banner.value)
    for panel in kids:
        if "kit-panel" in getattr(panel, "_dom_classes", ()):
            panel.children = [c for c in panel.children  # no save/recheck controls on a page of a saved entry
                              if not {"kit-admin", "kit-recheck"} & set(getattr(c, "_dom_classes", ()))]
    title = _title(entry)
    saved = (entry.get("assessment") or {}).get("escalation")
    now = form.assessment.escalation if form.assessment is not None else None
    if saved and saved != now:  # e.g. saved under an earlier rule set, or an episode recheck (its history is not in the form)
        title += (f"<p>When it was saved the kit said: <strong>{escape(TIER_TITLES.get(saved, saved))}</strong>"
                  f" (rule set {escape(str(entry.get('rule_set') or '?'))}). Below: the same findings assessed today.</p>")
    head = widgets.HTML(title).add_class("kit-entry-title")
    found = widgets.HTML(recorded_html(entry["observation"])).add_class("kit-recorded")
    sticky = [i for i, c in enumerate(kids) if "kit-sticky" in getattr(c, "_dom_classes", ())]
    at = sticky[0] if sticky else 0
    form.widget.children = [*kids[:at], head, *kids[at:], found]
    return int(entry["id"])
