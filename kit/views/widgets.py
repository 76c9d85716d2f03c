"""The triage form: an ipywidgets intake form whose result panel follows every change.

:class:`TriageForm` is the main job of the notebooks (``notebooks/01-triage.ipynb``) and
of the app (``python -m kit app``). Fields come from :data:`kit.engine.fields.FIELDS`, in the
table's groups and order (red flags first, as sideline tools such as SCAT order them);
the form is generic over groups and field kinds, and over the tiers of :data:`kit.engine.rules.TIERS`.
Yes/no fields are three-state: *yes*, *no* and *?* (unknown, the default), because unknown is
never "no". A unit toggle (a ``choice`` field named ``<field>_unit``, e.g. mg/dL or mmol/L for
glucose) sits beside its number and starts with no unit selected: a value without a unit is
an input problem ("check input"), never silently read in one unit. Every change re-scores at
once with :func:`kit.assess` and redraws the result panel: a sticky banner in the tier's colour
(:mod:`kit.words`: colour, text colour, icon, title and a plain headline with the recheck clock
time), the reassessment, a "Why?" disclosure (rules, amber points and sources, for clinicians),
what to do now, what not to do, the cause chart (plotly, hover shows each finding and its
points), the missing data that would most change the answer, and warnings.

On a phone (under ~700 px) the form is one column with the banner stuck to the top of the
screen, 44 px touch targets and 16 px input text. A small page helper
(:class:`PageHelper`, an anywidget) gives the yes/no/? groups radio semantics
(``role=radiogroup``, ``aria-checked``, arrow keys), makes the banner a live region and keeps
the browser session id (``sessionStorage``) in the widget state.

UI testing contract (public, stable): every input widget has the DOM class
``kit-field-<contract field name>``; the banner ``kit-escalation`` holds a ``div`` whose
``data-tier`` is the tier id (``none`` while no finding is entered, ``invalid`` while an input
is wrong); the cause chart's Output ``kit-causes``; the save button ``kit-save`` (also
``kit-clear``, ``kit-restore-draft``, ``kit-discard-draft``, ``kit-status``, ``kit-why``).
The recheck loop (issue 12): ``kit-start-recheck``, ``kit-end-episode``, one "given" tick per
action shown ``kit-given-<action id>``, the countdown ``kit-countdown`` (``data-due`` in ms since
the epoch), the saved entries ``kit-episode``; at a recheck the banner ``div`` also carries
``data-trend`` and ``data-worse`` and lists the recheck reasons as ``li[data-reason]``.

Recheck loop: after an assessment, **Start recheck** saves the entry on its own (entry time,
the ticked actions as ``treatment_given``, an ``episode_id`` the form makes), keeps the values
marked "(from 16:28)" until changed, and runs a countdown to the reassessment time. Every
later assessment is :func:`kit.assess` with the saved entries as history (clinical-reference
§9.9); a worse recheck changes the banner and puts its reasons first.

Nothing entered is lost, and drafts stay with the browser session that made them: the live
form is autosaved as a draft keyed by the session id; a draft of the same session found on
opening (a reload of the same tab) and the values wiped by **Clear** are *offered*
("Restore unsaved form" / "Undo clear", "Discard it") and kept until restored or discarded;
Restore swaps, so values already in the form become the next offer. A draft of another
session (another browser, tab or device) is never offered. While no clinical finding is
entered the banner is neutral ("enter findings", no tier). Saving needs an athlete id; saving
the same unchanged form twice stores one row ("already saved as #N"), and that note is cleared
as soon as the form changes. A number box is read as a CSV cell is and checked by the field
table (:mod:`kit.engine.fields`), with its message: a decimal comma is refused on every path,
with a hint ("37,5" -> "Write decimals with a point: 37.5."; "1,500" -> "Write 1500 or 1.5
(no comma)."); "1.500" where 1500 is in the field's range is asked back ("ambiguous").

The form holds no clinical logic: it reads widgets, calls :func:`kit.assess` and
displays the result.
"""

from __future__ import annotations

import html
import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from kit.engine.assessment import Assessment, assess
from kit.engine.episodes import parse_time
from kit.engine.fields import FIELDS, FieldSpec, ambiguous_thousands, number_from_text
from kit.engine.observation import ObservationError, Problem
from kit.engine.rules import TIERS
from kit.resources import PACKAGE_DATA

try:
    from kit.store.db import Store
except ImportError:  # a Python built without sqlite3 (e.g. Pyodide): the form keeps its entries in memory
    Store = None  # type: ignore[assignment,misc]  # the fallback of open_store; a None class is checked there
from kit.views.charts import cause_chart_spec, mimebundle
from kit.views.triage_export import exporting, show_latest_entry
from kit.words import (
    ACTION_LABELS,
    CAUSE_LABELS,
    DISCLAIMER,
    TIER_COLORS,
    TIER_HEADLINES,
    TIER_ICONS,
    TIER_TEXT_COLORS,
    TIER_TITLES,
    TREND_LABELS,
    recheck_reason_label,
)

__all__ = ["TriageForm", "MemoryLog", "PageHelper", "open_store", "UNKNOWN", "GROUPS", "GROUP_TITLES", "FORM_FIELDS",
           "summary_text", "reassess_text", "disclaimer_note", "field_text"]

#: The widget value that means "unknown" (yes/no fields and choices).
UNKNOWN = "unknown"
#: Headings of the known form groups; a group not named here gets its id in words.
GROUP_TITLES: dict[str, str] = {
    "red_flags": "Red flags: check these first",
    "symptoms": "Symptoms",
    "context": "The run",
    "measurements": "Measurements",
    "background": "Background and history",
}
#: Field kinds the form has an input for (a field of another kind, e.g. ``actions``, is left out).
_KINDS = frozenset({"bool", "choice", "number", "int", "str", "datetime"})
#: Fields without an input of their own: the recheck loop of an episode sets them ("Start recheck" makes the
#: ``episode_id``; the "Given since the last check" ticks are ``treatment_given``).
_LATER = frozenset({"episode_id", "treatment_given"})
#: The entry time's text in the form (local clock time, minutes).
_ENTRY_TIME = "%Y-%m-%dT%H:%M"
#: The fields the form shows, in table order.
FORM_FIELDS: tuple[str, ...] = tuple(n for n, s in FIELDS.items() if s.kind in _KINDS and n not in _LATER)
#: Unit toggles: a choice field ``<x>_unit`` sits beside the number ``<x>``.
_UNIT_OF: dict[str, str] = {f"{n}_unit": n for n in FORM_FIELDS if f"{n}_unit" in FORM_FIELDS
                            and FIELDS[f"{n}_unit"].kind == "choice"}
_UNIT_FOR: dict[str, str] = {v: k for k, v in _UNIT_OF.items()}
#: Form groups in display order (table order of their first field), with their headings.
GROUPS: tuple[tuple[str, str], ...] = tuple(
    (g, GROUP_TITLES.get(g, g.replace("_", " ").capitalize()))
    for g in dict.fromkeys(FIELDS[n].group for n in FORM_FIELDS) if g != "admin")
#: Store draft slots (one pair per browser session): the live form's autosave, and the drafts on offer.
DRAFT_SLOT = "triage"
OFFER_SLOT = "triage-offered"
_SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_BOOL_OPTIONS = (("yes", "yes"), ("no", "no"), ("?", UNKNOWN))
_BOOL_VALUE = {"yes": True, "no": False, UNKNOWN: None}
_LABEL_WIDTH = "17em"
#: A section reference in rule text ("(clinical-reference §7, §9.7)"): for clinicians, shown under "Why?".
_SECTION_REF = re.compile(r"\s*\((?:clinical-reference\s*)?(§[^)]*)\)")
#: A warning's stable code prefix ("glucose_unit_suspect: ...").
_WARNING_CODE = re.compile(r"^([a-z0-9_]+):\s+")
_CSS = """<style>
.kit-form { overflow: visible !important; }
.jp-OutputArea-output:has(.kit-form), .jp-OutputArea-child:has(.kit-form), .jp-Cell-outputArea:has(.kit-form),
.jp-Cell-outputWrapper:has(.kit-form), .jp-OutputArea:has(.kit-form) { overflow: visible !important; }
.kit-form .kit-sticky { position: sticky; top: 0; z-index: 20; flex: 1 1 100%; overflow: visible !important;
  background: #fff; box-shadow: 0 -24px 0 #fff; }
.kit-form .kit-escalation, .kit-form .kit-escalation > div { overflow: visible !important; }
.kit-form .kit-banner { padding: 8px 12px; border-radius: 6px; box-shadow: 0 2px 6px rgba(0,0,0,0.3); line-height: 1.35; }
.kit-form .kit-banner .kit-tier-title { font-size: 1.25em; font-weight: 700; }
.kit-form .kit-banner .kit-say { font-size: 1.1em; font-weight: 600; }
.kit-form .kit-banner .kit-lead { font-size: 0.95em; }
.kit-form .kit-banner a { color: inherit; text-decoration: underline; }
.kit-form .kit-banner ul { margin: 4px 0; }
.kit-form .kit-invalid input, .kit-form .kit-invalid textarea { border: 2px solid #c62828 !important; }
.kit-form .kit-invalid .widget-toggle-button { box-shadow: inset 0 0 0 2px #c62828; }
.kit-form .kit-group-title { margin: 12px 0 4px 0; font-weight: 700; border-bottom: 1px solid #767676; }
.kit-form .kit-red .kit-group-title { color: #b71c1c; }
.kit-form .widget-label { white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25;
  color: #1f1f1f; text-align: left; align-self: center; }
.kit-form .kit-unit > .widget-label { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0); white-space: nowrap; }
.kit-form .widget-toggle-buttons { display: flex; align-items: center; }
.kit-form .kit-row .widget-inline-hbox, .kit-form .kit-row .widget-toggle-buttons, .kit-form .kit-row .widget-label {
  height: auto !important; min-height: 28px; }
.kit-form .kit-row .widget-label { display: flex; align-items: center; }
.kit-form .kit-row { margin-bottom: 2px !important; }
.kit-form .widget-toggle-buttons > .widget-label { flex: 0 0 auto; }
.kit-form .widget-toggle-buttons > div { display: flex; flex-wrap: nowrap; gap: 2px; }
.kit-form .widget-toggle-button { padding: 0 6px; color: #1f1f1f; }
.kit-form .widget-toggle-button.mod-active { background: #1565c0; color: #fff; }
.kit-form button:focus-visible, .kit-form input:focus-visible, .kit-form select:focus-visible,
.kit-form textarea:focus-visible, .kit-form summary:focus-visible, .kit-form a:focus-visible {
  outline: 3px solid #1a56db !important; outline-offset: 2px; box-shadow: 0 0 0 5px #fff; }
.kit-form .kit-panel ol, .kit-form .kit-panel ul { margin: 2px 0 6px 0; padding-left: 1.4em; }
.kit-form .kit-panel li { margin-bottom: 2px; }
.kit-form #kit-todo-list { scroll-margin-top: 12em; }
.kit-form .kit-why summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
.kit-form .kit-why .kit-src { color: #424242; }
.kit-form .kit-reassess-line { margin: 6px 0; font-weight: 600; }
.kit-form .kit-warn { color: #6d4c00; }
.kit-form .kit-note { font-size: 12px; color: #424242; }
.kit-form .kit-recheck { border: 1px solid #767676; border-radius: 6px; padding: 4px 8px; margin: 6px 0; }
.kit-form .kit-recheck h3 { font-size: 1em; margin: 4px 0; }
.kit-form .kit-given .widget-checkbox { min-height: 32px; }
.kit-form .kit-given .widget-label-basic { display: flex !important; align-items: center; gap: 0.5em;
  white-space: normal; overflow: visible; }
.kit-form .kit-given input[type=checkbox] { width: 20px; height: 20px; min-height: 0 !important; flex: 0 0 auto; }
.kit-form .kit-countdown { font-weight: 700; font-size: 1.05em; margin: 4px 0; }
.kit-form .kit-countdown[data-overdue='true'] { color: #b71c1c; }
.kit-form .kit-carried .widget-label, .kit-form .kit-carried > .widget-label { font-style: italic; }
.kit-form .kit-banner .kit-trend { font-weight: 600; }
.kit-form .kit-banner.kit-worse { outline: 5px solid #000; outline-offset: -5px; }
.kit-form .kit-banner .kit-worse-lead { font-size: 1.15em; font-weight: 800; text-transform: uppercase;
  letter-spacing: 0.02em; }
.kit-form .kit-banner .kit-recheck-reasons li { font-weight: 700; }
@media (max-width: 700px) {
  .kit-form { flex-direction: column !important; flex-wrap: nowrap !important; }
  .kit-form .kit-inputs { max-height: none !important; overflow: visible !important; flex: 0 0 auto !important;
    padding: 0 !important; width: 100% !important; }
  .kit-form .kit-panel { min-width: 0 !important; flex: 0 0 auto !important; padding: 0 !important;
    width: 100% !important; }
  .kit-form .kit-row { flex-wrap: wrap !important; width: 100% !important; }
  .kit-form .kit-row > .widget-inline-hbox, .kit-form .kit-row > .widget-toggle-buttons { width: auto !important;
    flex: 1 1 auto; min-width: 0; }
  .kit-form .kit-row > .kit-unit { flex: 0 0 auto; }
  .kit-form .widget-label, .kit-form .widget-toggle-buttons > .widget-label { width: auto !important; flex: 1 1 0;
    min-width: 0; max-width: none !important; text-align: left !important; }
  .kit-form input, .kit-form select, .kit-form textarea { font-size: 16px !important; min-height: 44px; }
  .kit-form .kit-row input, .kit-form .kit-row select { max-width: 9em; }
  .kit-form button { min-height: 44px; font-size: 16px !important; }
  .kit-form .widget-toggle-button { min-width: 48px; height: 44px; }
  .kit-form .kit-unit .widget-toggle-button { min-width: 76px; }
  .kit-form .kit-given .widget-checkbox { min-height: 44px; }
  .kit-form .kit-given input[type=checkbox] { width: 28px; height: 28px; min-height: 0 !important; }
  .kit-form .kit-banner { padding: 6px 10px; border-radius: 0 0 6px 6px; }
  .kit-form .kit-banner .kit-tier-title { font-size: 1.1em; }
  .kit-form .kit-banner .kit-say { font-size: 1em; }
}
</style>"""

#: The page helper's front end (an ES module): radio semantics for the toggle groups, the banner as
#: a live region, and the browser session id (sessionStorage).
_HELPER_ESM = PACKAGE_DATA / "widgets" / "page_helper.js"


class PageHelper(anywidget.AnyWidget):
    """Invisible front-end helper of the form (accessibility and the browser session id).

    Its ``session`` trait holds the browser session id: the page keeps it in
    ``sessionStorage`` (one per tab, kept across a reload, never shared with another browser
    or device) and sends it to the kernel, so drafts are keyed by it.
    """

    _esm = _HELPER_ESM.read_text(encoding="utf-8")
    session = traitlets.Unicode("").tag(sync=True)


class MemoryLog:
    """In-memory stand-in for :class:`kit.store.db.Store` (same calls), used when no store is given.

    Nothing survives the kernel; :func:`open_store` returns the persistent store when
    ``kit.store.db`` is available.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._drafts: dict[str, dict[str, Any]] = {}
        self._superseded: set[int] = set()

    def save(self, observation: Mapping[str, Any], *, assessment: Any = None, source: str | None = None) -> int:
        """Validate and keep an observation; returns its row id (1, 2, ...)."""
        assess(observation)  # raises ObservationError, like the store
        row = dict(observation)
        row.setdefault("observed_at", datetime.now().astimezone().isoformat(timespec="seconds"))
        self.rows.append(row)
        return len(self.rows)

    def correct(self, row_id: int, observation: Mapping[str, Any], *, assessment: Any = None,
                source: str | None = "correct") -> int:
        """Keep a corrected observation that replaces row ``row_id`` in the lists; returns its new row id."""
        if not 1 <= row_id <= len(self.rows) or row_id in self._superseded:
            raise ValueError(f"no current row #{row_id}")
        rid = self.save(observation, assessment=assessment, source=source)
        self._superseded.add(row_id)
        return rid

    def observations(self, athlete_id: str | None = None) -> list[dict[str, Any]]:
        """Saved (current) observations (of one athlete when given)."""
        return [dict(r) for i, r in enumerate(self.rows, 1)
                if i not in self._superseded and (athlete_id is None or r.get("athlete_id") == athlete_id)]

    def athletes(self) -> list[str]:
        """Athlete ids seen so far, sorted."""
        return sorted({r["athlete_id"] for r in self.rows if r.get("athlete_id")})

    def save_draft(self, form: Mapping[str, Any], name: str = "triage") -> None:
        """Keep the unsaved form (one per ``name``)."""
        self._drafts[name] = dict(form)

    def load_draft(self, name: str = "triage") -> dict[str, Any] | None:
        """The unsaved form, or ``None``."""
        d = self._drafts.get(name)
        return None if d is None else dict(d)

    def clear_draft(self, name: str = "triage") -> None:
        """Forget the unsaved form."""
        self._drafts.pop(name, None)


def open_store(path: Any = None) -> Any:
    """The persistent observation store (:class:`kit.store.db.Store`) or, without it, a :class:`MemoryLog`.

    Parameters
    ----------
    path : str or Path, optional
        Store file; default :func:`kit.store.db.default_store_path` (``KIT_STORE`` or the user data dir).
    """
    return MemoryLog() if Store is None else Store(path)


class _Note:
    """A short note rendered as Markdown in notebooks (plain text elsewhere)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"> **Important.** {self.text}"

    def __repr__(self) -> str:
        return f"Important. {self.text}"


def disclaimer_note() -> _Note:
    """:data:`kit.DISCLAIMER` for display once near the top of a notebook (Markdown, a quoted "Important." note).

    The triage form shows it under its panel (``TriageForm(disclaimer=True)``); the other
    notebooks display this once, in one small cell.
    """
    return _Note(DISCLAIMER)


def _clock(t: datetime) -> str:
    return t.strftime("%H:%M")


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=False)


def _field_label(spec: FieldSpec) -> str:
    return f"{spec.label} ({spec.unit})" if spec.unit and spec.unit not in spec.label else spec.label


def _parse_number(spec: FieldSpec, text: str) -> tuple[Any, Problem | None]:
    """A number box's text read as the CSV reader reads a cell, then the field table's one check and message.

    :func:`kit.engine.fields.number_from_text` and :meth:`~kit.engine.fields.FieldSpec.problem`:
    "abc" and "37,5" get the same message (allowed range, decimal-comma hint) as through the
    model, a frame or a CSV file. A person typing "1.500" where 1500 is in the field's range
    is asked which was meant (:func:`kit.engine.fields.ambiguous_thousands`), never guessed.
    """
    raw = text.strip()
    if not raw:
        return None, None
    ambiguous = ambiguous_thousands(raw, spec.lo, spec.hi)
    if ambiguous:
        return None, Problem(spec.name, text, ambiguous)
    value = number_from_text(raw)
    problem = spec.problem(value)
    return (None, Problem(spec.name, text, problem)) if problem else (value, None)


def field_text(text: str) -> str:
    """``text`` with contract field names replaced by their labels (messages a trainer reads).

    >>> field_text("is required when blood_glucose is given")
    'is required when Blood glucose is given'
    """
    return _FIELD_NAME.sub(lambda m: FIELDS[m.group(0)].label, str(text))


#: Field names written as identifiers (with an underscore); single words such as "spasm" read as they are.
_FIELD_NAME = re.compile(r"\b(" + "|".join(sorted((re.escape(n) for n in FIELDS if "_" in n), key=len, reverse=True))
                         + r")\b")


def _problem_html(p: Problem) -> str:
    name = FIELDS[p.field].label if p.field in FIELDS else p.field
    shown = "" if p.value is None else f" ({_esc(p.value)})"
    return f"<li data-field='{_esc(p.field)}'><b>{_esc(name)}</b>{shown}: {_esc(field_text(p.message))}</li>"


def _plain(text: str) -> tuple[str, list[str]]:
    """Rule text without its section references, and the references (for "Why?")."""
    refs = [m.group(1) for m in _SECTION_REF.finditer(text)]
    return _SECTION_REF.sub("", text), refs


def _tier_of(d: Mapping[str, Any]) -> str:
    tier = str(d["escalation"])
    if tier not in TIER_COLORS:  # a tier this version of the words does not know: never hide it
        raise ValueError(f"no colour and words for tier {tier!r} in kit.words")
    return tier


def headline(d: Mapping[str, Any], now: datetime) -> str:
    """What a trainer says aloud for the tier, with the recheck clock time (:data:`kit.words.TIER_HEADLINES`)."""
    tier = _tier_of(d)
    minutes = d.get("reassess_in_min")
    at = _clock(now + timedelta(minutes=minutes)) if minutes is not None else "regular intervals"
    return TIER_HEADLINES[tier].format(time=at)


def summary_text(a: Assessment | Mapping[str, Any], *, now: datetime | None = None) -> str:
    """The result panel as plain text (for notebooks' checked outputs and for logs).

    Parameters
    ----------
    a : Assessment or Mapping
        An assessment or its contract dict.
    now : datetime, optional
        Clock for the reassessment time; without it the interval is given in minutes.
    """
    d = a.to_dict() if hasattr(a, "to_dict") else dict(a)
    lines = [f"escalation: {d['escalation']} ({TIER_TITLES[d['escalation']]})",
             f"leading cause: {d['top_cause'] or 'none'}",
             "scores: " + ", ".join(f"{c['cause']} {c['score']}" for c in d["causes"]),
             "flags: " + (", ".join(d["flags"]) or "none"),
             "do now: " + (", ".join(x["id"] for x in d["actions"]) or "nothing"),
             "do not: " + (", ".join(x["id"] for x in d["contraindicated"]) or "nothing listed"),
             reassess_text(d, now) if now is not None else f"reassess in: {d['reassess_in_min'] or '-'} min",
             "missing: " + (", ".join(d["missing"]) or "nothing"),
             "warnings: " + ("; ".join(d["warnings"]) or "none")]
    return "\n".join(lines)


def reassess_text(d: Mapping[str, Any], now: datetime) -> str:
    """The reassessment as a clock time: "Recheck glucose at 14:32 (in 15 min)".

    Parameters
    ----------
    d : Mapping
        The assessment's contract dict.
    now : datetime
        The time of the observation (the form's clock).
    """
    minutes = d.get("reassess_in_min")
    if minutes is None:
        if d["escalation"] == TIERS[-1]:
            return "Stay with the athlete until help arrives; reassess continuously."
        return "No set recheck time: reassess if anything changes or gets worse."
    at = _clock(now + timedelta(minutes=minutes))
    ids = {x["id"] for x in d["actions"]}
    if "recheck_glucose" in ids or "oral_carbohydrate" in ids:
        what = "Recheck glucose"
    else:
        what = "Reassess"
    return f"{what} at {at} (in {minutes} min)"


class TriageForm:
    """Intake form and live result panel for one athlete.

    Parameters
    ----------
    store : Store or MemoryLog, optional
        Where "Save to log" and drafts go (:class:`kit.store.db.Store` API: ``save``,
        ``save_draft``, ``load_draft``, ``clear_draft``, ``athletes``). Default: an
        in-memory :class:`MemoryLog`.
    now : callable, optional
        Returns the current time (a ``datetime``); default local time. Tests pass a fixed clock.
    drafts : bool
        Save the unsaved form as a draft on every change and offer to restore it.
    disclaimer : bool
        Show :data:`kit.DISCLAIMER` under the panel.
    session : str, optional
        The browser session the form belongs to (16-64 letters, digits, ``-`` or ``_``).
        Drafts are stored under it and only drafts of the same session are offered. Default:
        a new random id; in a browser the page then sends its own session id (kept in the
        tab's ``sessionStorage``, so a reload of the same tab finds its drafts again).

    Attributes
    ----------
    widget : ipywidgets.Box
        The whole form; display it.
    inputs : dict of str to ipywidgets.Widget
        Input widget of each form field (:data:`FORM_FIELDS`; DOM class ``kit-field-<field>``).
    banner : ipywidgets.HTML
        The escalation banner (DOM class ``kit-escalation``; inner ``div`` with ``data-tier``).
    session : str
        The browser session id the drafts belong to.
    assessment : Assessment or None
        The last assessment (``None`` while an input is invalid).
    problems : list of Problem
        Input problems of the last refresh.
    last_refresh_s : float
        Seconds the last refresh took (read, assess, redraw).

    Examples
    --------
    >>> form = TriageForm(drafts=False)
    >>> form.set_values({"confusion": True})
    >>> form.assessment.escalation
    'emergency'
    """

    def __init__(self, store: Any = None, *, now: Callable[[], datetime] | None = None, drafts: bool = True,
                 disclaimer: bool = True, session: str | None = None) -> None:
        self.store = store if store is not None else MemoryLog()
        self.now = now or (lambda: datetime.now().astimezone())
        export = exporting()  # `kit export --execute`: a page of the last saved entry (kit.views.triage_export), no drafts
        self.drafts = drafts and not export
        if session is not None and not _SESSION_RE.match(session):
            raise ValueError("session must be 16-64 letters, digits, '-' or '_'")
        self.session = session or secrets.token_urlsafe(16)
        self.assessment: Assessment | None = None
        self.problems: list[Problem] = []
        self.saved_ids: list[int] = []
        self.last_refresh_s = 0.0
        self._hold = 0
        self._invalid: set[str] = set()
        self._offers: list[dict[str, Any]] = []  # drafts on offer, first = the one Restore brings back
        self._offer_from_clear = False
        # (form values, ticks, episode) and row id of the last save, until a change
        self._saved: tuple[tuple[Any, ...], int] | None = None
        self._status_kind = ""  # "saved" while the status reports a save (cleared by the next change)
        self.blank = True
        # the recheck loop of one episode (issue 12)
        self.episode_id: str | None = None
        self.episode: list[dict[str, Any]] = []  # the saved entries of the episode, oldest first (as saved)
        self.episode_rows: list[int] = []  # their row ids
        self.episode_tiers: list[str] = []  # the tier shown for each
        self.due: datetime | None = None  # when the next check is due (last entry's time + its reassessment)
        self._carried: dict[str, tuple[Any, str]] = {}  # field -> (value carried forward, "16:28")

        self.inputs: dict[str, widgets.Widget] = {name: self._make_input(FIELDS[name]) for name in FORM_FIELDS}
        self._athlete_options()

        self.banner = widgets.HTML().add_class("kit-escalation")
        self.reassess = widgets.HTML().add_class("kit-reassess")
        self.why = widgets.HTML().add_class("kit-why")
        self.todo = widgets.HTML().add_class("kit-todo")
        self.dont = widgets.HTML().add_class("kit-dont")
        self.causes = widgets.Output(layout=widgets.Layout(min_height="260px")).add_class("kit-causes")
        self.missing = widgets.HTML().add_class("kit-missing")
        self.warnings = widgets.HTML().add_class("kit-warnings")
        self.status = widgets.HTML().add_class("kit-status")
        self.save_button = widgets.Button(description="Save to log", button_style="success", icon="save",
                                          tooltip="store this observation and its assessment").add_class("kit-save")
        self.clear_button = widgets.Button(description="Clear", icon="eraser",
                                           tooltip="reset every field to unknown").add_class("kit-clear")
        self.restore_button = widgets.Button(description="Restore unsaved form", icon="undo", button_style="info",
                                             layout=widgets.Layout(display="none")).add_class("kit-restore-draft")
        self.discard_button = widgets.Button(description="Discard it", icon="trash", tooltip="forget the offered form",
                                             layout=widgets.Layout(display="none")).add_class("kit-discard-draft")
        self.save_button.on_click(lambda _b: self.save())
        self.clear_button.on_click(lambda _b: self.clear())
        self.restore_button.on_click(lambda _b: self.restore_draft())
        self.discard_button.on_click(lambda _b: self.discard_draft())
        self.given: dict[str, widgets.Checkbox] = {}  # action id -> "given" tick (treatment_given)
        self.given_box = widgets.VBox().add_class("kit-given")
        self.countdown = widgets.HTML().add_class("kit-countdown-box")
        self.episode_info = widgets.HTML().add_class("kit-episode")
        self.recheck_button = widgets.Button(description="Start recheck", icon="repeat", button_style="warning",
                                             tooltip="save this entry and start the next check of the same episode"
                                             ).add_class("kit-start-recheck")
        self.end_button = widgets.Button(description="End episode", icon="stop",
                                         tooltip="stop the recheck loop (the saved entries stay in the log)",
                                         layout=widgets.Layout(display="none")).add_class("kit-end-episode")
        self.recheck_button.on_click(lambda _b: self.start_recheck())
        self.end_button.on_click(lambda _b: self.end_episode())
        self.helper = PageHelper(session=self.session, layout=widgets.Layout(display="none"))
        self.helper.observe(self._on_session, names="session")

        self.widget = self._layout(disclaimer)
        for w in self.inputs.values():
            w.observe(self._on_change, names="value")
        if self.drafts:
            self._offer_draft()
        self.refresh()
        if export:
            show_latest_entry(self)

    # ------------------------------------------------------------------ building
    def _make_input(self, spec: FieldSpec) -> widgets.Widget:
        label = _field_label(spec)
        style = {"description_width": _LABEL_WIDTH}
        if spec.kind == "bool":
            w = widgets.ToggleButtons(options=_BOOL_OPTIONS, value=UNKNOWN, tooltips=["yes", "no", "unknown"],
                                      description=label, style=style | {"button_width": "42px"},
                                      layout=widgets.Layout(width="auto"))
        elif spec.name in _UNIT_OF:
            # no unit selected until the user picks one: a bare number is never silently read in one unit
            w = widgets.ToggleButtons(options=spec.choices or (), value=None, description=label,
                                      style={"description_width": "0px", "button_width": "68px"},
                                      tooltips=[f"{FIELDS[_UNIT_OF[spec.name]].label} in {u}" for u in spec.choices or ()],
                                      layout=widgets.Layout(width="auto")).add_class("kit-unit")
        elif spec.kind == "choice":
            w = widgets.Dropdown(options=(("? (unknown)", UNKNOWN), *((c, c) for c in spec.choices or ())), value=UNKNOWN,
                                 description=label, style=style, layout=widgets.Layout(width="auto"))
        elif spec.kind in ("number", "int"):
            w = widgets.Text(placeholder="unknown", continuous_update=True, description=label, style=style,
                             layout=widgets.Layout(width="auto"))
        elif spec.name == "notes":
            w = widgets.Textarea(placeholder="free text: shown and stored, never scored", continuous_update=False,
                                 description=label, style={"description_width": "initial"},
                                 layout=widgets.Layout(width="100%", height="4em"))
        elif spec.name == "athlete_id":
            w = widgets.Combobox(placeholder="athlete id", ensure_option=False, continuous_update=False,
                                 description=label, style=style, layout=widgets.Layout(width="auto"))
        elif spec.kind == "datetime":
            w = widgets.Text(placeholder="now (e.g. 2026-05-01T09:30)", continuous_update=False, description=label,
                             style=style, layout=widgets.Layout(width="auto"))
        else:
            w = widgets.Text(placeholder="unknown", continuous_update=False, description=label, style=style,
                             layout=widgets.Layout(width="auto"))
        return w.add_class(f"kit-field-{spec.name}")

    def _row(self, name: str) -> widgets.Widget:
        parts = [self.inputs[name]]
        if name in _UNIT_FOR:
            parts.append(self.inputs[_UNIT_FOR[name]])
        # flex "0 0 auto": rows keep their height inside the scrolling column (no overlap)
        return widgets.HBox(parts, layout=widgets.Layout(align_items="center", margin="1px 0", flex="0 0 auto",
                                                         flex_flow="row wrap")).add_class("kit-row")

    def _layout(self, disclaimer: bool) -> widgets.Widget:
        groups = []
        for group, title in GROUPS:
            names = [n for n in FORM_FIELDS if FIELDS[n].group == group and n not in _UNIT_OF]
            box = widgets.VBox([widgets.HTML(f"<h2 class='kit-group-title' style='font-size:1.05em'>{_esc(title)}</h2>"),
                                *(self._row(n) for n in names)],
                               layout=widgets.Layout(flex="0 0 auto")).add_class(f"kit-group-{group}")
            if group == "red_flags":
                box.add_class("kit-red")
            groups.append(box)
        form = widgets.VBox(groups, layout=widgets.Layout(flex="1 1 430px", max_height="78vh", overflow="hidden auto",
                                                          padding="0 8px 0 0")).add_class("kit-inputs")
        admin_names = [n for n in FORM_FIELDS if FIELDS[n].group == "admin" and n not in ("notes", "observed_at")
                       and n not in _UNIT_OF]
        admin = widgets.VBox([
            widgets.HTML("<h2 class='kit-group-title' style='font-size:1.05em'>Athlete and notes</h2>"),
            *(self._row(n) for n in admin_names), *([self.inputs["notes"]] if "notes" in self.inputs else []),
            widgets.HBox([self.save_button, self.clear_button, self.restore_button, self.discard_button],
                         layout=widgets.Layout(flex_flow="row wrap")), self.status,
        ]).add_class("kit-admin")
        recheck = widgets.VBox([
            widgets.HTML("<h3>Recheck</h3>"), self.episode_info, self.countdown, self.given_box,
            *([self._row("observed_at")] if "observed_at" in self.inputs else []),
            widgets.HTML("<p class='kit-note'>Entry time: the clock time; change it for an entry made afterwards.</p>"),
            widgets.HBox([self.recheck_button, self.end_button], layout=widgets.Layout(flex_flow="row wrap")),
        ]).add_class("kit-recheck")
        panel_items: list[widgets.Widget] = [self.reassess, recheck, self.todo, self.dont, self.why, self.causes,
                                             self.missing, self.warnings, admin]
        if disclaimer:
            panel_items.append(widgets.HTML(f"<p class='kit-note'>{_esc(DISCLAIMER)}</p>"))
        panel = widgets.VBox(panel_items, layout=widgets.Layout(flex="1 1 380px", min_width="320px",
                                                                padding="0 0 0 8px")).add_class("kit-panel")
        sticky = widgets.VBox([self.banner], layout=widgets.Layout(width="100%")).add_class("kit-sticky")
        return widgets.Box([widgets.HTML(_CSS), self.helper, sticky, form, panel],
                           layout=widgets.Layout(display="flex", flex_flow="row wrap", align_items="flex-start",
                                                 width="100%")).add_class("kit-form")

    def _athlete_options(self) -> None:
        if "athlete_id" not in self.inputs:
            return
        try:
            names = list(self.store.athletes())
        except Exception:  # a broken store must not stop the form; save() reports store errors
            names = []
        self.inputs["athlete_id"].options = tuple(names)

    # ------------------------------------------------------------------ values
    def observation(self) -> dict[str, Any]:
        """The form as a contract observation: known fields only (unknown fields are left out).

        Unreadable numbers are left out too; they are listed in :attr:`problems` by :meth:`refresh`.
        """
        return self._read()[0]

    def _read(self) -> tuple[dict[str, Any], list[Problem]]:
        obs: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, w in self.inputs.items():
            spec = FIELDS[name]
            raw = w.value
            if spec.kind == "bool":
                value = _BOOL_VALUE[raw]
            elif spec.kind == "choice":
                value = None if raw in (UNKNOWN, None) else raw
            elif spec.kind in ("number", "int"):
                value, problem = _parse_number(spec, raw)
                if problem:
                    problems.append(problem)
            else:
                value = (raw or None) if name == "notes" else (raw.strip() or None)
            if value is not None:
                obs[name] = value
        for unit, number in _UNIT_OF.items():
            if number not in obs:
                obs.pop(unit, None)  # the unit toggle alone says nothing
        given = [a for a, box in self.given.items() if box.value]
        if given:
            obs["treatment_given"] = given
        if self.episode_id is not None:
            obs["episode_id"] = self.episode_id
        return obs, problems

    def form_state(self) -> dict[str, Any]:
        """Raw widget values by field (what a draft stores; half-typed numbers included)."""
        return {name: w.value for name, w in self.inputs.items()}

    def set_values(self, observation: Mapping[str, Any], *, clear: bool = True) -> None:
        """Fill the form from a contract observation (``None`` / absent = unknown), then refresh once.

        Parameters
        ----------
        observation : Mapping
            Contract field names to values (fields of :data:`FORM_FIELDS`).
        clear : bool
            Reset every other field to unknown first.
        """
        unknown = [k for k in observation if k not in FIELDS]
        later = [k for k in observation if k in FIELDS and k not in self.inputs]
        if unknown or later:
            raise ObservationError([Problem(k, observation[k], "is not a contract field") for k in unknown]
                                   + [Problem(k, observation[k], "is not in the form") for k in later])
        with self.hold():
            if clear:
                self._reset_inputs()
            for name, value in observation.items():
                spec = FIELDS[name]
                w = self.inputs[name]
                if spec.kind == "bool":
                    w.value = UNKNOWN if value is None else ("yes" if value else "no")
                elif spec.kind == "choice":
                    w.value = value if name in _UNIT_OF else (value or UNKNOWN)
                elif spec.kind in ("number", "int"):
                    w.value = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                else:
                    w.value = "" if value is None else str(value)

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore raw widget values (a draft from :meth:`form_state`); unknown keys are ignored."""
        with self.hold():
            for name, value in state.items():
                if name in self.inputs:
                    try:
                        self.inputs[name].value = value
                    except Exception:  # a draft from an older form version: skip the field
                        continue

    def _reset_inputs(self) -> None:
        for name, w in self.inputs.items():
            spec = FIELDS[name]
            if name in _UNIT_OF:
                w.value = None  # no unit selected
            elif spec.kind in ("bool", "choice"):
                w.value = UNKNOWN
            else:
                w.value = ""

    def hold(self) -> _Hold:
        """Context manager: change many widgets, refresh once at the end."""
        return _Hold(self)

    # ------------------------------------------------------------------ scoring and panel
    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._carried:  # a value carried forward from the last entry loses its "from 16:28" once changed
            for name, (value, _clock_text) in list(self._carried.items()):
                if change.get("owner") is self.inputs[name] and change.get("new") != value:
                    del self._carried[name]
                    self._unmark_carried(name)
        self._saved = None  # any change makes the form a new observation
        if self._status_kind == "saved":  # "saved as #N" / "already saved" no longer describes this form
            self.status.value, self._status_kind = "", ""
        if self._hold:
            return
        self.refresh()
        self._write_draft()

    def refresh(self) -> Assessment | None:
        """Re-score the form now and redraw the result panel; returns the assessment (or ``None`` if invalid)."""
        t0 = perf_counter()
        obs, problems = self._read()
        a: Assessment | None = None
        history = self._history()
        if not problems:
            try:
                a = assess(self._timed(obs), history=history) if history else assess(obs)
            except ObservationError as err:
                problems = list(err.problems)
        self.assessment, self.problems = a, problems
        self.blank = not any(FIELDS[k].group != "admin" for k in obs)
        self._mark_invalid(problems)
        if a is None:
            self._render_invalid(problems)
        elif self.blank:
            self._render_blank(a)
        else:
            self._render(a)
        self._render_episode(a if not self.blank else None)
        self.last_refresh_s = perf_counter() - t0
        return a

    # ------------------------------------------------------------------ the recheck loop (one episode)
    def _history(self) -> list[dict[str, Any]]:
        """The saved entries before the one in the form (the form's own entry, once saved, is not its history)."""
        if self._saved is not None and self.episode_rows and self._saved[1] == self.episode_rows[-1]:
            return self.episode[:-1]
        return list(self.episode)

    def _timed(self, obs: Mapping[str, Any]) -> dict[str, Any]:
        """``obs`` with its entry time: the time typed, else the clock now (the time rules need one)."""
        out = dict(obs)
        out.setdefault("observed_at", self.now().strftime(_ENTRY_TIME))
        return out

    def _entry_time(self, text: Any) -> datetime | None:
        """An entry time as a local aware datetime (a time typed without an offset is the form's clock time)."""
        if isinstance(text, str):
            text = text.strip()
            if text.endswith(("Z", "z")):
                return self._entry_time(text[:-1] + "+00:00")
        try:
            t = datetime.fromisoformat(text) if isinstance(text, str) and text else parse_time(text or None)
        except (TypeError, ValueError):
            return None
        if t is not None and t.tzinfo is None:
            t = t.replace(tzinfo=self.now().tzinfo)
        return t

    def start_recheck(self) -> int | None:
        """"Start recheck": save this entry in the episode and start its next check; returns the saved row id.

        The first recheck makes the episode id. The entry is saved on its own (with its entry
        time and the actions ticked as given), so nothing entered earlier is lost if the
        kernel or the browser stops. The values stay in the form, each marked "from 16:28"
        (the entry's clock time) until changed; the ticks are cleared; the entry time becomes
        the clock time now (change it for an entry made afterwards); the countdown runs to the
        reassessment time of the saved entry.
        """
        a = self.refresh()
        if a is None or self.blank:
            self._say("Not started: " + ("fix the highlighted input first." if a is None else
                                          "enter at least one finding first."), error=True)
            return None
        obs = self.observation()
        if self._no_athlete(obs, "Not started", "every entry of the episode is saved under the athlete"):
            return None
        new = self.episode_id is None
        was_saved = self._saved  # saved just now without an episode: that row is corrected into the episode
        if new:
            self.episode_id = f"ep-{self.now():%Y%m%d-%H%M}-{secrets.token_hex(3)}"
        if was_saved is not None and new and hasattr(self.store, "correct"):
            rid = self._save_entry(correct=was_saved[1])
        elif self._saved is not None and self.episode_rows and self._saved[1] == self.episode_rows[-1]:
            rid = self._saved[1]  # this entry is saved already
        else:
            rid = self._save_entry()
        if rid is None:
            if new:
                self.episode_id = None
                self.refresh()
            return None
        entry = self.episode[-1]
        at = self._entry_time(entry.get("observed_at")) or self.now()
        minutes = a.reassess_in_min
        self.due = at + timedelta(minutes=minutes) if minutes is not None else None
        clock = _clock(at)
        self._carried = {}
        with self.hold():
            for name, w in self.inputs.items():
                if FIELDS[name].group == "admin" or w.value in ("", UNKNOWN, None):
                    continue
                self._carried[name] = (w.value, clock)
                self._mark_carried(name, clock)
            for box in self.given.values():
                box.value = False
            if "observed_at" in self.inputs:
                self.inputs["observed_at"].value = self.now().strftime(_ENTRY_TIME)
        self._saved = None
        n = len(self.episode)
        self._say(f"Entry {n} saved as #{rid}. Recheck {n}: the values from {clock} are kept until you change them; "
                  "tick what was given since, then enter what you find now.", kind="saved")
        return rid

    def end_episode(self) -> bool:
        """Leave the recheck loop ("End episode"); the saved entries stay in the log. Returns whether one was open."""
        if self.episode_id is None:
            return False
        n = len(self.episode)
        self.episode_id, self.episode, self.episode_rows, self.episode_tiers = None, [], [], []
        self.due = None
        for name in list(self._carried):
            self._unmark_carried(name)
        self._carried = {}
        self.refresh()
        self._say(f"Episode ended after {n} saved entr{'y' if n == 1 else 'ies'}.")
        return True

    def _stored(self, write: Callable[[], Any]) -> int | None:
        """Run one store write; its row id, or ``None`` with the reason said in the form (the form keeps its values)."""
        try:
            return int(write())
        except ObservationError as err:
            self._say("Not saved: " + "; ".join(f"{FIELDS[p.field].label if p.field in FIELDS else p.field}: "
                                                f"{field_text(p.message)}" for p in err.problems), error=True)
        except Exception as err:  # StoreError: say why, keep the form as it is
            self._say(f"Not saved: {field_text(str(err))}", error=True)
        return None

    def _save_entry(self, *, correct: int | None = None) -> int | None:
        """Save the form as the next entry of the episode (with its entry time); ``None`` if it could not be saved."""
        a = self.refresh()
        if a is None:
            return None
        obs = self._timed(self.observation())
        rid = self._stored(lambda: self.store.correct(correct, obs, assessment=a, source="form") if correct is not None
                           else self.store.save(obs, assessment=a, source="form"))
        if rid is None:
            return None
        if correct is not None and correct in self.saved_ids:
            self.saved_ids.remove(correct)
        self.saved_ids.append(rid)
        self.episode.append(obs)
        self.episode_rows.append(rid)
        self.episode_tiers.append(a.escalation)
        self._saved = (self._save_key(), rid)
        if self.drafts:
            self._clear_draft()
        self._athlete_options()
        return rid

    def _save_key(self) -> tuple[Any, ...]:
        """What makes the form a new observation: its values, the ticks and the episode."""
        return (self.form_state(), tuple(sorted(a for a, b in self.given.items() if b.value)), self.episode_id)

    def _mark_carried(self, name: str, clock: str) -> None:
        w = self.inputs[name]
        if name not in _UNIT_OF:
            w.description = f"{_field_label(FIELDS[name])} (from {clock})"
        w.add_class("kit-carried")

    def _unmark_carried(self, name: str) -> None:
        w = self.inputs[name]
        w.description = _field_label(FIELDS[name])
        w.remove_class("kit-carried")

    def carried(self) -> dict[str, str]:
        """Fields still showing a value carried forward from the last entry, with its clock time ("16:28")."""
        return {name: clock for name, (_v, clock) in self._carried.items()}

    def _update_given(self, d: Mapping[str, Any] | None) -> None:
        """The "given" ticks: one per action shown (ticks already made stay, even if the action is no longer shown)."""
        shown = [x["id"] for x in d["actions"]] if d is not None else []
        ids = list(dict.fromkeys([*shown, *(a for a, b in self.given.items() if b.value)]))
        if ids == list(self.given):
            return
        keep = {a: b for a, b in self.given.items() if a in ids}
        for a in ids:
            if a not in keep:
                box = widgets.Checkbox(value=False, description=ACTION_LABELS.get(a, _action_words(a)), indent=False,
                                       layout=widgets.Layout(width="auto")).add_class(f"kit-given-{a}")
                box.observe(self._on_change, names="value")
                keep[a] = box
        self.given = {a: keep[a] for a in ids}
        head = widgets.HTML("<b>Given since the last check</b> (tick what was actually done)") if ids else None
        self.given_box.children = ((head,) if head else ()) + tuple(self.given.values())

    def _render_episode(self, a: Assessment | None) -> None:
        """The recheck box: the episode so far, the countdown to the next check, the "given" ticks."""
        self._update_given(a.to_dict() if a is not None else None)
        self.end_button.layout.display = None if self.episode_id else "none"
        self.recheck_button.description = "Start recheck" if not self.episode else "Next recheck"
        self.recheck_button.tooltip = (f"save entry {len(self._history()) + 1} of this episode and start the next check"
                                       if self.episode else "save this entry and start the next check of the same episode")
        if self.episode_id is None:
            self.episode_info.value = ("<p class='kit-note'>After an assessment, <b>Start recheck</b> saves this entry "
                                       "and keeps the values for the next check of the same episode.</p>")
            self.countdown.value = ""
            return
        steps = "".join(
            f"<li>{_esc(_clock(t) if (t := self._entry_time(e.get('observed_at'))) else '?')}: "
            f"{_esc(TIER_TITLES.get(tier, tier))}"
            + (f"; given: {_esc(', '.join(ACTION_LABELS.get(x, x) for x in e['treatment_given']))}"
               if e.get("treatment_given") else "") + "</li>"
            for e, tier in zip(self.episode, self.episode_tiers, strict=True))
        self.episode_info.value = (f"<div data-episode='{_esc(self.episode_id)}' data-entries='{len(self.episode)}'>"
                                   f"Episode <code>{_esc(self.episode_id)}</code>: this is entry {len(self._history()) + 1}. "
                                   f"Saved entries:<ol class='kit-episode-steps'>{steps}</ol></div>")
        self.countdown.value = self.countdown_html()

    def countdown_html(self) -> str:
        """The countdown to the next check ("Recheck due at 16:43: in 12 min"); the page helper ticks it."""
        if self.due is None:
            return ("<div class='kit-countdown' data-due=''>No set recheck time: recheck if anything changes "
                    "or gets worse.</div>")
        left = (self.due - self.now()).total_seconds()
        mins = math.ceil(abs(left) / 60)
        at = _clock(self.due)
        if abs(left) < 30:
            text = f"Recheck due now ({at})"
        elif left > 0:
            text = f"Recheck due at {at}: in {mins} min"
        else:
            text = f"Recheck overdue by {mins} min (due {at})"
        return (f"<div class='kit-countdown' role='timer' data-due='{int(self.due.timestamp() * 1000)}' "
                f"data-at='{at}' data-overdue='{str(left < 0).lower()}'>{_esc(text)}</div>")

    def _mark_invalid(self, problems: Iterable[Problem]) -> None:
        bad = {p.field for p in problems if p.field in self.inputs}
        if bad == self._invalid:
            return
        for name in self._invalid - bad:
            self.inputs[name].remove_class("kit-invalid")
        for name in bad - self._invalid:
            self.inputs[name].add_class("kit-invalid")
        self._invalid = bad

    def _render(self, a: Assessment) -> None:
        d = a.to_dict()
        tier = _tier_of(d)
        now = self.now()
        lead = ""
        if tier != TIERS[-1]:  # on an emergency banner the cause and its confidence change nothing
            if d["top_cause"]:
                lead = (f"<div class='kit-lead'>Likely cause: {_esc(CAUSE_LABELS[d['top_cause']])}"
                        f" (how sure: {_esc(d['confidence'])})</div>") if d.get("confidence") else (
                        f"<div class='kit-lead'>Likely cause: {_esc(CAUSE_LABELS[d['top_cause']])}</div>")
        jump = " <a href='#kit-todo-list'>What to do &darr;</a>" if d["actions"] else ""
        trend, worse, recheck = self._recheck_html(d, tier)
        top = f"<div class='kit-worse-lead'>&#9650; Worse than at the last check</div>{recheck}" if worse else ""
        below = "" if worse else recheck
        self.banner.value = (
            f"<div class='kit-banner{' kit-worse' if worse else ''}' data-tier='{tier}' data-trend='{trend}' "
            f"data-worse='{str(worse).lower()}' style='background:{TIER_COLORS[tier]};"
            f"color:{TIER_TEXT_COLORS[tier]}'>{top}"
            f"<div><span class='kit-tier-icon' aria-hidden='true'>{TIER_ICONS[tier]}</span> "
            f"<span class='kit-tier-title'>{_esc(TIER_TITLES[tier])}</span></div>"
            f"<div class='kit-say'>{_esc(headline(d, now))}{jump}</div>{below}{lead}</div>")
        self.reassess.value = f"<div class='kit-reassess-line'>{_esc(reassess_text(d, now))}</div>"
        refs: list[str] = []
        items = []
        for x in d["actions"]:
            text, r = _plain(x["text"])
            refs += r
            items.append(f"<li data-id='{_esc(x['id'])}'>{_esc(text)}</li>")
        self.todo.value = "<h3 id='kit-todo-list' style='font-size:1em;margin:4px 0'>What to do now</h3><ol>" + "".join(items) + "</ol>"
        grouped: dict[str, list[str]] = {}  # one line per reason: "Drink water, electrolyte drink: No drinks: ..."
        for x in d["contraindicated"]:
            why, r = _plain(x["why"])
            refs += r
            grouped.setdefault(why, []).append(x["id"])
        donts = []
        for why, ids in grouped.items():
            words = ", ".join(_action_words(i) for i in ids)
            donts.append(f"<li data-ids='{_esc(' '.join(ids))}'><b>{_esc(words[:1].upper() + words[1:])}</b>: "
                         f"{_esc(why)}</li>")
        self.dont.value = ("<h3 style='font-size:1em;margin:4px 0'>What not to do</h3><ul>" + "".join(donts) + "</ul>"
                           if donts else "<p><b>What not to do</b>: nothing specific.</p>")
        self.why.value = self._why_html(d, refs)
        self.causes.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": mimebundle(cause_chart_spec(d), text=summary_text(d).splitlines()[2])},)
        if d["missing"]:
            self.missing.value = ("<b>Would most change the answer</b> (unknown now):<ol>" + "".join(
                f"<li data-field='{m}'>{_esc(FIELDS[m].label if m in FIELDS else m)}</li>" for m in d["missing"]) + "</ol>")
        else:
            self.missing.value = "<b>Would most change the answer</b>: nothing important is unknown."
        self.warnings.value = ("<div class='kit-warn'><b>Check these</b><ul>" + "".join(
            _warning_html(w) for w in d["warnings"]) + "</ul></div>") if d["warnings"] else ""

    def _recheck_html(self, d: Mapping[str, Any], tier: str) -> tuple[str, bool, str]:
        """(trend, worse, html) of a recheck: the trend and the recheck reasons in plain words (:mod:`kit.words`).

        *Worse* is a ``worsening`` trend or a tier above the last saved entry's (a recheck rule
        such as K1 raises the tier even when the findings look the same).
        """
        trend = d.get("trend") or "first"
        if trend == "first" or not self._history():
            return trend, False, ""
        history_tiers = self.episode_tiers[:len(self._history())]
        before = history_tiers[-1] if history_tiers else None
        worse = trend == "worsening" or (before in TIERS and TIERS.index(tier) > TIERS.index(before))
        reasons = "".join(f"<li data-reason='{_esc(r)}'>{_esc(recheck_reason_label(r))}</li>"
                          for r in d.get("recheck_reasons") or ())
        words = TREND_LABELS.get(trend, trend)
        if worse and trend != "worsening":  # the findings look the same, a recheck rule raised the level
            words = f"findings: {words}; the level rose"
        html_ = (f"<div class='kit-trend' data-trend='{_esc(trend)}'>{_esc(words[:1].upper() + words[1:])}"
                 + (f" (was: {_esc(TIER_TITLES.get(before, before))})" if before else "") + "</div>"
                 + (f"<ul class='kit-recheck-reasons'>{reasons}</ul>" if reasons else ""))
        return trend, worse, html_

    @staticmethod
    def _why_html(d: Mapping[str, Any], refs: list[str]) -> str:
        """The "Why?" disclosure: the rules that set the tier, amber points, flags and sources (for clinicians)."""
        rows = "".join(f"<li>{_esc(TIER_TITLES.get(r['tier'], r['tier']))}: {_esc(r['reason'])}"
                       f" <span class='kit-src'>({_esc(r['source'])})</span></li>" for r in d.get("reasons", []))
        extra = [f"tier id: <code>{_esc(d['escalation'])}</code>"]
        if d.get("amber_points") is not None:
            extra.append(f"amber points: {_esc(d['amber_points'])}")
        if d.get("flags"):
            extra.append("rules that fired: " + ", ".join(f"<code>{_esc(f)}</code>" for f in d["flags"]))
        if d.get("confidence") is not None:
            extra.append(f"confidence in the cause ranking: {_esc(d['confidence'])}")
        if d.get("trend") not in (None, "first"):
            extra.append(f"trend: {_esc(d['trend'])}")
        if d.get("recheck_reasons"):
            extra.append("recheck rules: " + ", ".join(f"<code>{_esc(r)}</code>" for r in d["recheck_reasons"]))
        if refs:
            extra.append("clinical reference: " + _esc(", ".join(dict.fromkeys(refs))))
        if d.get("rule_set"):
            extra.append(f"rule set {_esc(d['rule_set'])}")
        return (f"<details><summary>Why? (for clinicians)</summary><ul>{rows}</ul>"
                f"<p class='kit-src'>{'; '.join(extra)}</p></details>")

    def _render_blank(self, a: Assessment) -> None:
        """No clinical finding entered yet (athlete, time and notes do not count): a neutral banner, no tier."""
        self.banner.value = (
            "<div class='kit-banner' data-tier='none' style='background:#eceff1;color:#263238'>"
            "<div><span class='kit-tier-title'>enter findings</span></div>"
            "<div class='kit-say'>No assessment yet: start with the red flags (leave what you do not know on ?).</div>"
            "</div>")
        self.reassess.value = self.todo.value = self.dont.value = self.why.value = self.warnings.value = ""
        self.causes.outputs = ()
        missing = a.to_dict()["missing"]
        self.missing.value = ("<b>Ask first</b>:<ol>" + "".join(
            f"<li data-field='{m}'>{_esc(FIELDS[m].label if m in FIELDS else m)}</li>" for m in missing) + "</ol>"
                              ) if missing else ""

    def _render_invalid(self, problems: list[Problem]) -> None:
        items = "".join(_problem_html(p) for p in problems)
        self.banner.value = (
            "<div class='kit-banner' data-tier='invalid' style='background:#424242;color:#ffffff'>"
            "<div><span class='kit-tier-title'>check input</span></div>"
            f"<div class='kit-say'>No assessment until this is fixed:</div><ul>{items}</ul></div>")
        self.reassess.value = self.todo.value = self.dont.value = self.why.value = ""
        self.missing.value = self.warnings.value = ""
        self.causes.outputs = ()

    # ------------------------------------------------------------------ buttons
    def save(self) -> int | None:
        """Store the current observation ("Save to log"); returns its row id, or ``None`` if it could not be saved.

        Saving needs an athlete id. Pressing Save again with no change since the last save
        stores nothing and returns the id already stored ("already saved as #N").
        """
        a = self.refresh()
        if a is None:
            self._say("Not saved: fix the highlighted input first.", error=True)
            return None
        state = self._save_key()
        if self._saved is not None and self._saved[0] == state:
            self._say(f"Not saved again: already saved as #{self._saved[1]} (change a field to save a new observation).",
                      kind="saved")
            return self._saved[1]
        if self.blank:
            self._say("Not saved: enter at least one finding first.", error=True)
            return None
        obs = self.observation()
        if self._no_athlete(obs, "Not saved", "the log keeps every observation under an athlete"):
            return None
        if self.episode_id is not None:  # an entry of the episode: saved with its entry time, kept as history
            rid = self._save_entry()
            if rid is not None:
                self._say(f"Saved to the log as #{rid} ({obs['athlete_id']}, {TIER_TITLES[a.escalation]}, entry "
                          f"{len(self.episode)} of episode {self.episode_id}) at {_clock(self.now())}.", kind="saved")
                self.refresh()
            return rid
        rid = self._stored(lambda: self.store.save(obs, assessment=a, source="form"))
        if rid is None:
            return None
        self.saved_ids.append(rid)
        self._saved = (state, rid)
        if self.drafts:
            self._clear_draft()
        self._say(f"Saved to the log as #{rid} ({obs['athlete_id']}, {TIER_TITLES[a.escalation]}) at "
                  f"{_clock(self.now())}.", kind="saved")
        self._athlete_options()
        return rid

    def clear(self) -> None:
        """Reset every field to unknown ("Clear").

        Unsaved values are not lost: they become the first offered draft ("Undo clear",
        also kept in the store for this browser session) until restored or discarded.
        """
        state = self.form_state()
        keep = self._worth_offering(state)
        if keep:
            self._offers.insert(0, state)
            self._offer_from_clear = True
            self._persist_offers()
        with self.hold():
            self._reset_inputs()
        self._show_offer()
        self._say("Form cleared." + (" Undo clear puts it back." if keep else ""))

    @property
    def pending_draft(self) -> dict[str, Any] | None:
        """The draft Restore would bring back (raw form values), or ``None``."""
        return dict(self._offers[0]) if self._offers else None

    def restore_draft(self) -> bool:
        """Put back the offered draft; returns whether there was one.

        Values already in the form are not lost: they become the next offered draft (Restore
        again swaps back).
        """
        if not self._offers:
            return False
        draft = self._offers[0]
        current = self.form_state()
        kept = self._worth_offering(current)
        if kept:
            self._offers.append(current)
            self._persist_offers()  # the current values are stored before the form changes
        with self.hold():
            self._reset_inputs()
            self.set_state(draft)  # the live draft slot now holds the restored form
        self._offers.pop(0)
        self._offer_from_clear = False
        self._persist_offers()
        self._show_offer()
        self._say("Unsaved form restored." + (" The values you had are offered back (Restore)." if kept else ""))
        return True

    def discard_draft(self) -> bool:
        """Forget the offered draft ("Discard it"); returns whether there was one."""
        if not self._offers:
            return False
        self._offers.pop(0)
        self._offer_from_clear = False
        self._persist_offers()
        self._show_offer()
        self._say("Offered form discarded." + (" Another one is offered." if self._offers else ""))
        return True

    # ------------------------------------------------------------------ drafts (one browser session)
    def _slot(self, base: str) -> str:
        return f"{base}:{self.session}"

    def _on_session(self, change: Mapping[str, Any]) -> None:
        """The page sent its browser session id: adopt it and offer that session's drafts."""
        sid = change["new"]
        if not isinstance(sid, str) or not _SESSION_RE.match(sid):
            self.helper.session = self.session  # refuse a malformed id: keep the form's own
            return
        if sid == self.session:
            return
        if self.drafts:  # this page's drafts so far move to the browser's session
            for base in (DRAFT_SLOT, OFFER_SLOT):
                try:
                    self.store.clear_draft(self._slot(base))
                except Exception as err:  # drafts are a convenience: report, never break the form
                    self._say(f"Draft not cleared: {err}", error=True)
        self.session = sid
        if self.drafts:
            self._offer_draft()
            self._write_draft()

    def _worth_offering(self, state: Mapping[str, Any]) -> bool:
        """Whether form values must be kept as an offer: not blank, not just saved, not offered already."""
        if _blank_state(state) or (self._saved is not None and self._saved[0][0] == state):
            return False
        return dict(state) not in self._offers

    def _offer_draft(self) -> None:
        """The drafts on offer of this session, plus its last live draft (moved into the offer slot)."""
        offers: list[dict[str, Any]] = list(self._offers)
        try:
            stored = self.store.load_draft(self._slot(OFFER_SLOT))
        except Exception:
            stored = None
        if isinstance(stored, Mapping) and isinstance(stored.get("offers"), list):
            offers += [dict(d) for d in stored["offers"]
                       if isinstance(d, Mapping) and not _blank_state(d) and dict(d) not in offers]
        try:
            live = self.store.load_draft(self._slot(DRAFT_SLOT))
        except Exception:
            live = None
        if isinstance(live, Mapping) and not _blank_state(live) and dict(live) not in offers \
                and dict(live) != self.form_state():
            offers.append(dict(live))
        added = len(offers) > len(self._offers)
        self._offers = offers
        if live is not None and self._persist_offers():  # the live slot is free for this form once its draft is offered
            self._clear_draft()
        self._show_offer()
        if added:
            self._say("An unsaved form from earlier in this browser session is kept: Restore unsaved form, or Discard it.")

    def _persist_offers(self) -> bool:
        if not self.drafts:
            return True
        try:
            if self._offers:
                self.store.save_draft({"offers": self._offers}, self._slot(OFFER_SLOT))
            else:
                self.store.clear_draft(self._slot(OFFER_SLOT))
        except Exception as err:  # drafts are a convenience: report, never break the form
            self._say(f"Offered draft not stored: {err}", error=True)
            return False
        return True

    def _show_offer(self) -> None:
        n = len(self._offers)
        shown = None if n else "none"
        self.restore_button.layout.display = self.discard_button.layout.display = shown
        label = "Undo clear" if self._offer_from_clear else "Restore unsaved form"
        self.restore_button.description = label + (f" (1 of {n})" if n > 1 else "")

    def _write_draft(self) -> None:
        if not self.drafts:
            return
        state = self.form_state()
        try:
            if _blank_state(state):
                self.store.clear_draft(self._slot(DRAFT_SLOT))
            else:
                self.store.save_draft(state, self._slot(DRAFT_SLOT))
        except Exception as err:  # drafts are a convenience: report, never break the form
            self._say(f"Draft not saved: {err}", error=True)

    def _clear_draft(self) -> None:
        try:
            self.store.clear_draft(self._slot(DRAFT_SLOT))
        except Exception as err:
            self._say(f"Draft not cleared: {err}", error=True)

    def _no_athlete(self, obs: Mapping[str, Any], outcome: str, why: str) -> bool:
        """Whether ``obs`` has no athlete id; then say ``outcome`` and ``why`` (every stored entry needs an athlete)."""
        if obs.get("athlete_id"):
            return False
        label = FIELDS["athlete_id"].label
        self._say(f"{outcome}: enter the athlete's id first ({label}, under 'Athlete and notes'); {why}.", error=True)
        return True

    def _say(self, text: str, *, error: bool = False, kind: str = "") -> None:
        color = "#b71c1c" if error else "#1b5e20"
        role = "alert" if error else "status"
        self.status.value = f"<span role='{role}' style='color:{color}'>{_esc(text)}</span>"
        self._status_kind = kind

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:  # display(form) shows the widget
        return self.widget._repr_mimebundle_(**kwargs)


#: Words for action ids where the id itself is jargon (proposed for kit.words).
_ACTION_WORDS: dict[str, str] = {"nsaid": "ibuprofen-type painkillers (NSAIDs)", "cpr_aed": "CPR and a defibrillator (AED)",
                                 "legs_up": "raising the legs", "rewarm": "active rewarming",
                                 "cold_water_immersion": "cold-water cooling", "continue_running": "running on"}


def _action_words(action_id: str) -> str:
    return _ACTION_WORDS.get(action_id, action_id.replace("_", " "))


def _warning_html(w: str) -> str:
    m = _WARNING_CODE.match(w)
    code, text = (m.group(1), w[m.end():]) if m else ("", w)
    return f"<li data-code='{_esc(code)}'>{_esc(field_text(text))}</li>"


def _blank_state(state: Mapping[str, Any]) -> bool:
    """Whether raw form values hold nothing worth a draft (a unit alone says nothing)."""
    return all(v in ("", UNKNOWN, None) for k, v in state.items() if k not in _UNIT_OF)


class _Hold:
    """Suspend per-change refreshes; refresh (and write the draft) once on exit."""

    def __init__(self, form: TriageForm) -> None:
        self.form = form

    def __enter__(self) -> TriageForm:
        self.form._hold += 1
        return self.form

    def __exit__(self, *exc: object) -> None:
        self.form._hold -= 1
        if not self.form._hold:
            self.form.refresh()
            self.form._write_draft()
