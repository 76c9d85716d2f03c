"""The triage form: an ipywidgets intake form whose result panel follows every change.

:class:`TriageForm` is the main job of the notebooks (``notebooks/01-triage.ipynb``) and
of the app (``python -m kit app``). Fields come from :data:`kit.fields.FIELDS`, grouped
as a trainer thinks: red flags first (as sideline tools such as SCAT order them), then
symptoms, run context, measurements. Yes/no fields are three-state: *yes*, *no* and
*?* (unknown, the default), because unknown is never "no". The glucose unit toggle
(mg/dL, mmol/L) starts with no unit selected: a glucose value without a unit is an input
problem ("check input"), never silently read as mg/dL. Every change re-scores at
once with :func:`kit.assess` and redraws the result panel: a coloured escalation
banner, what to do now, what not to do, the reassessment as a clock time, the cause
chart (plotly, hover shows each finding and its points), the missing data that would
most change the answer, and warnings.

UI testing contract (public, stable): every input widget has the DOM class
``kit-field-<contract field name>``; the banner ``kit-escalation`` (its text contains the
tier id); the cause chart's Output ``kit-causes``; the save button ``kit-save`` (also
``kit-clear``, ``kit-restore-draft``, ``kit-discard-draft``, ``kit-status``).

Nothing entered is lost: the live form is autosaved as a draft; a draft found on opening
(and the values wiped by **Clear**) is *offered* ("Restore unsaved form" / "Undo clear",
"Discard it") and kept in a separate slot until the trainer restores or discards it;
Restore swaps, so values already in the form become the next offer. While no clinical
finding is entered the banner is neutral ("enter findings", no tier). Saving the same
unchanged form twice stores one row ("already saved as #N"). A number such as "1,500"
(or "1.500" where 1500 is in the field's range) is an input problem ("ambiguous").

The form holds no clinical logic: it reads widgets, calls :func:`kit.assess` and
displays the result.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any

import ipywidgets as widgets

from kit import DISCLAIMER
from kit.assessment import Assessment, assess
from kit.charts import CAUSE_LABELS, TIER_COLORS, TIER_TITLES, cause_chart_spec, mimebundle
from kit.fields import FIELDS, GLUCOSE_UNITS, FieldSpec
from kit.observation import ObservationError, Problem

__all__ = ["TriageForm", "MemoryLog", "open_store", "UNKNOWN", "GROUPS", "summary_text", "disclaimer_note"]

#: The widget value that means "unknown" (yes/no fields and choices).
UNKNOWN = "unknown"
#: Form groups in display order, with their headings.
GROUPS: tuple[tuple[str, str], ...] = (
    ("red_flags", "Red flags: check these first"),
    ("symptoms", "Symptoms"),
    ("context", "Run context and history"),
    ("measurements", "Measurements"),
)
#: Store draft slots: the live form's autosave, and the drafts on offer (kept until restored or discarded).
DRAFT_SLOT = "triage"
OFFER_SLOT = "triage-offered"
_BOOL_OPTIONS = (("yes", "yes"), ("no", "no"), ("?", UNKNOWN))
_BOOL_VALUE = {"yes": True, "no": False, UNKNOWN: None}
_LABEL_WIDTH = "17em"
_CSS = """<style>
.kit-form .kit-invalid input, .kit-form .kit-invalid textarea { border: 2px solid #c62828 !important; }
.kit-form .kit-invalid .widget-toggle-button { box-shadow: inset 0 0 0 2px #c62828; }
.kit-form .kit-group-title { margin: 10px 0 2px 0; font-weight: 600; border-bottom: 1px solid #ccc; }
.kit-form .kit-red .kit-group-title { color: #c62828; }
.kit-form .widget-toggle-button { padding: 0 4px; }
.kit-form .widget-toggle-button.mod-active { background: #1565c0; color: white; }
.kit-form .kit-panel ol, .kit-form .kit-panel ul { margin: 2px 0 6px 0; padding-left: 1.4em; }
.kit-form .kit-panel li { margin-bottom: 2px; }
.kit-form .kit-label { line-height: 1.2; }
</style>"""


class MemoryLog:
    """In-memory stand-in for :class:`kit.store.Store` (same calls), used when no store is given.

    Nothing survives the kernel; :func:`open_store` returns the persistent store when
    ``kit.store`` is available.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._drafts: dict[str, dict[str, Any]] = {}

    def save(self, observation: Mapping[str, Any], *, assessment: Any = None, source: str | None = None) -> int:
        """Validate and keep an observation; returns its row id (1, 2, ...)."""
        assess(observation)  # raises ObservationError, like the store
        row = dict(observation)
        row.setdefault("observed_at", datetime.now().astimezone().isoformat(timespec="seconds"))
        self.rows.append(row)
        return len(self.rows)

    def observations(self, athlete_id: str | None = None) -> list[dict[str, Any]]:
        """Saved observations (of one athlete when given)."""
        return [dict(r) for r in self.rows if athlete_id is None or r.get("athlete_id") == athlete_id]

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
    """The persistent observation store (:class:`kit.store.Store`) or, without it, a :class:`MemoryLog`.

    Parameters
    ----------
    path : str or Path, optional
        Store file; default :func:`kit.store.default_store_path` (``KIT_STORE`` or the user data dir).
    """
    try:
        from kit.store import Store
    except ImportError:
        return MemoryLog()
    return Store(path)


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


#: "1,500" / "1.500": one to three digits (no leading zero), one separator, exactly three digits.
_THOUSANDS = re.compile(r"^([+-]?)([1-9]\d{0,2})([.,])(\d{3})$")


def _ambiguous_thousands(spec: FieldSpec, t: str) -> str | None:
    """The message when ``t`` may be a thousands separator, else ``None``.

    A comma followed by exactly three digits is always ambiguous ("1,500"); a dot is
    ambiguous only when the thousands reading lies in the field's range ("1.500 mL", but
    not "37.500 °C"). A decimal comma with other digit counts ("5,4", "1,50") is a decimal.
    """
    m = _THOUSANDS.match(t)
    if not m:
        return None
    sign, head, sep, tail = m.groups()
    whole = float(f"{sign}{head}{tail}")
    if sep == "." and not ((spec.lo is None or whole >= spec.lo) and (spec.hi is None or whole <= spec.hi)):
        return None
    return f"ambiguous: write {sign}{head}{tail} or {float(f'{sign}{head}.{tail}'):g}"


def _parse_number(spec: FieldSpec, text: str) -> tuple[Any, Problem | None]:
    raw = text.strip()
    if not raw:
        return None, None
    ambiguous = _ambiguous_thousands(spec, raw)
    if ambiguous:
        return None, Problem(spec.name, text, ambiguous)
    t = raw.replace(",", ".")
    try:
        x = float(t)
    except ValueError:
        return None, Problem(spec.name, text, "is not a number; leave it empty when unknown")
    if not math.isfinite(x):
        return None, Problem(spec.name, text, "is not a finite number")
    if spec.kind == "int":
        if not x.is_integer():
            return None, Problem(spec.name, text, "must be a whole number")
        return int(x), None
    return (int(x) if x.is_integer() else x), None


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
        if d["escalation"] == "emergency":
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
        Where "Save to log" and drafts go (:class:`kit.store.Store` API: ``save``,
        ``save_draft``, ``load_draft``, ``clear_draft``, ``athletes``). Default: an
        in-memory :class:`MemoryLog`.
    now : callable, optional
        Returns the current time (a ``datetime``); default local time. Tests pass a fixed clock.
    drafts : bool
        Save the unsaved form as a draft on every change and offer to restore it.
    disclaimer : bool
        Show :data:`kit.DISCLAIMER` under the panel.

    Attributes
    ----------
    widget : ipywidgets.Box
        The whole form; display it.
    inputs : dict of str to ipywidgets.Widget
        Input widget of each contract field (DOM class ``kit-field-<field>``).
    banner : ipywidgets.HTML
        The escalation banner (DOM class ``kit-escalation``).
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
                 disclaimer: bool = True) -> None:
        self.store = store if store is not None else MemoryLog()
        self.now = now or (lambda: datetime.now().astimezone())
        self.drafts = drafts
        self.assessment: Assessment | None = None
        self.problems: list[Problem] = []
        self.saved_ids: list[int] = []
        self.last_refresh_s = 0.0
        self._hold = 0
        self._invalid: set[str] = set()
        self._offers: list[dict[str, Any]] = []  # drafts on offer, first = the one Restore brings back
        self._offer_from_clear = False
        self._saved: tuple[dict[str, Any], int] | None = None  # (form state, row id) of the last save, until a change
        self.blank = True

        self.inputs: dict[str, widgets.Widget] = {name: self._make_input(spec) for name, spec in FIELDS.items()}
        self._athlete_options()

        self.banner = widgets.HTML().add_class("kit-escalation")
        self.reassess = widgets.HTML().add_class("kit-reassess")
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

        self.widget = self._layout(disclaimer)
        for w in self.inputs.values():
            w.observe(self._on_change, names="value")
        if self.drafts:
            self._offer_draft()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _make_input(self, spec: FieldSpec) -> widgets.Widget:
        if spec.kind == "bool":
            w = widgets.ToggleButtons(options=_BOOL_OPTIONS, value=UNKNOWN, tooltips=["yes", "no", "unknown"],
                                      style={"button_width": "42px"})
        elif spec.kind == "choice" and spec.name == "blood_glucose_unit":
            # no unit selected until the user picks one: a bare number is never silently read as mg/dL
            w = widgets.ToggleButtons(options=GLUCOSE_UNITS, value=None, style={"button_width": "64px"},
                                      tooltips=[f"glucose in {u}" for u in GLUCOSE_UNITS])
        elif spec.kind == "choice":
            w = widgets.Dropdown(options=(("? (unknown)", UNKNOWN), *((c, c) for c in spec.choices or ())), value=UNKNOWN,
                                 layout=widgets.Layout(width="10em"))
        elif spec.kind in ("number", "int"):
            w = widgets.Text(placeholder="unknown", continuous_update=True, layout=widgets.Layout(width="8em"))
        elif spec.name == "notes":
            w = widgets.Textarea(placeholder="free text: shown and stored, never scored", continuous_update=False,
                                 layout=widgets.Layout(width="100%", height="4em"))
        elif spec.name == "athlete_id":
            w = widgets.Combobox(placeholder="athlete id", ensure_option=False, continuous_update=False,
                                 layout=widgets.Layout(width="14em"))
        else:  # observed_at
            w = widgets.Text(placeholder="now", continuous_update=False, layout=widgets.Layout(width="14em"),
                             tooltip="ISO 8601, e.g. 2026-05-01T09:30; empty = when saved")
        return w.add_class(f"kit-field-{spec.name}")

    def _row(self, name: str) -> widgets.Widget:
        spec = FIELDS[name]
        label = widgets.HTML(f"<span class='kit-label' title='{_esc(name)}'>{_esc(_field_label(spec))}</span>",
                             layout=widgets.Layout(width=_LABEL_WIDTH, min_width=_LABEL_WIDTH))
        parts = [label, self.inputs[name]]
        if name == "blood_glucose":
            parts.append(self.inputs["blood_glucose_unit"])
        # flex "0 0 auto": rows keep their height inside the scrolling column (no overlap)
        return widgets.HBox(parts, layout=widgets.Layout(align_items="center", margin="1px 0", flex="0 0 auto"))

    def _layout(self, disclaimer: bool) -> widgets.Widget:
        groups = []
        for group, title in GROUPS:
            names = [n for n, s in FIELDS.items() if s.group == group and n != "blood_glucose_unit"]
            box = widgets.VBox([widgets.HTML(f"<div class='kit-group-title'>{_esc(title)}</div>"),
                                *(self._row(n) for n in names)],
                               layout=widgets.Layout(flex="0 0 auto")).add_class(f"kit-group-{group}")
            if group == "red_flags":
                box.add_class("kit-red")
            groups.append(box)
        form = widgets.VBox(groups, layout=widgets.Layout(flex="1 1 430px", max_height="78vh", overflow="hidden auto",
                                                          padding="0 8px 0 0")).add_class("kit-inputs")
        admin = widgets.VBox([
            widgets.HTML("<div class='kit-group-title'>Athlete and notes</div>"),
            self._row("athlete_id"), self._row("observed_at"), self.inputs["notes"],
            widgets.HBox([self.save_button, self.clear_button, self.restore_button, self.discard_button],
                         layout=widgets.Layout(flex_flow="row wrap")), self.status,
        ])
        panel_items: list[widgets.Widget] = [self.banner, self.reassess, self.todo, self.dont, self.causes,
                                             self.missing, self.warnings, admin]
        if disclaimer:
            panel_items.append(widgets.HTML(f"<p style='font-size:11px;color:#555'>{_esc(DISCLAIMER)}</p>"))
        panel = widgets.VBox(panel_items, layout=widgets.Layout(flex="1 1 380px", min_width="320px",
                                                                padding="0 0 0 8px")).add_class("kit-panel")
        return widgets.Box([widgets.HTML(_CSS), form, panel],
                           layout=widgets.Layout(display="flex", flex_flow="row wrap", align_items="flex-start",
                                                 width="100%")).add_class("kit-form")

    def _athlete_options(self) -> None:
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
        for name, spec in FIELDS.items():
            raw = self.inputs[name].value
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
        if "blood_glucose" not in obs:
            obs.pop("blood_glucose_unit", None)  # the unit toggle alone says nothing
        return obs, problems

    def form_state(self) -> dict[str, Any]:
        """Raw widget values by field (what a draft stores; half-typed numbers included)."""
        return {name: w.value for name, w in self.inputs.items()}

    def set_values(self, observation: Mapping[str, Any], *, clear: bool = True) -> None:
        """Fill the form from a contract observation (``None`` / absent = unknown), then refresh once.

        Parameters
        ----------
        observation : Mapping
            Contract field names to values.
        clear : bool
            Reset every other field to unknown first.
        """
        unknown = [k for k in observation if k not in FIELDS]
        if unknown:
            raise ObservationError([Problem(k, observation[k], "is not a contract field") for k in unknown])
        with self.hold():
            if clear:
                self._reset_inputs()
            for name, value in observation.items():
                spec = FIELDS[name]
                w = self.inputs[name]
                if spec.kind == "bool":
                    w.value = UNKNOWN if value is None else ("yes" if value else "no")
                elif spec.kind == "choice":
                    w.value = value if name == "blood_glucose_unit" else (value or UNKNOWN)
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
        for name, spec in FIELDS.items():
            w = self.inputs[name]
            if name == "blood_glucose_unit":
                w.value = None  # no unit selected
            elif spec.kind in ("bool", "choice"):
                w.value = UNKNOWN
            else:
                w.value = ""

    def hold(self) -> _Hold:
        """Context manager: change many widgets, refresh once at the end."""
        return _Hold(self)

    # ------------------------------------------------------------------ scoring and panel
    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self._saved = None  # any change makes the form a new observation
        if self._hold:
            return
        self.refresh()
        self._write_draft()

    def refresh(self) -> Assessment | None:
        """Re-score the form now and redraw the result panel; returns the assessment (or ``None`` if invalid)."""
        t0 = perf_counter()
        obs, problems = self._read()
        a: Assessment | None = None
        if not problems:
            try:
                a = assess(obs)
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
        self.last_refresh_s = perf_counter() - t0
        return a

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
        tier = d["escalation"]
        color = TIER_COLORS[tier]
        fg = "#222" if tier == "monitor" else "white"
        lead = CAUSE_LABELS[d["top_cause"]] if d["top_cause"] else "none of the four causes leads"
        why = "; ".join(r["reason"] for r in d["reasons"])
        self.banner.value = (
            f"<div class='kit-banner' data-tier='{tier}' style='background:{color};color:{fg};padding:8px 12px;"
            f"border-radius:6px'><span class='kit-tier' style='font-size:1.3em;font-weight:700'>{tier}</span> "
            f"<span style='font-size:1.1em'>&middot; {_esc(TIER_TITLES[tier])}</span><br>"
            f"<span>leading cause: {_esc(lead)} &middot; confidence: {_esc(d['confidence'])}</span><br>"
            f"<span style='font-size:0.85em'>why: {_esc(why)}</span></div>")
        self.reassess.value = f"<div style='margin:6px 0;font-weight:600'>{_esc(reassess_text(d, self.now()))}</div>"
        self.todo.value = "<b>What to do now</b><ol>" + "".join(
            f"<li data-id='{x['id']}'>{_esc(x['text'])}</li>" for x in d["actions"]) + "</ol>"
        self.dont.value = ("<b>What not to do</b><ul>" + "".join(
            f"<li data-id='{x['id']}'><b>{_esc(x['id'].replace('_', ' '))}</b>: {_esc(x['why'])}</li>"
            for x in d["contraindicated"]) + "</ul>") if d["contraindicated"] else "<b>What not to do</b>: nothing specific."
        self.causes.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": mimebundle(cause_chart_spec(d), text=summary_text(d).splitlines()[2])},)
        if d["missing"]:
            self.missing.value = ("<b>Would most change the answer</b> (unknown now):<ol>" + "".join(
                f"<li data-field='{m}'>{_esc(FIELDS[m].label)}</li>" for m in d["missing"]) + "</ol>")
        else:
            self.missing.value = "<b>Would most change the answer</b>: nothing important is unknown."
        self.warnings.value = ("<div style='color:#8d6e00'><b>Warnings</b><ul>" + "".join(
            f"<li>{_esc(w)}</li>" for w in d["warnings"]) + "</ul></div>") if d["warnings"] else ""

    def _render_blank(self, a: Assessment) -> None:
        """No clinical finding entered yet (athlete, time and notes do not count): a neutral banner, no tier."""
        self.banner.value = (
            "<div class='kit-banner' data-tier='none' style='background:#eceff1;color:#37474f;padding:8px 12px;"
            "border-radius:6px'><span class='kit-tier' style='font-size:1.3em;font-weight:700'>enter findings</span>"
            " &middot; no assessment yet: start with the red flags (leave what you do not know on ?).</div>")
        self.reassess.value = self.todo.value = self.dont.value = self.warnings.value = ""
        self.causes.outputs = ()
        missing = a.to_dict()["missing"]
        self.missing.value = ("<b>Ask first</b>:<ol>" + "".join(
            f"<li data-field='{m}'>{_esc(FIELDS[m].label)}</li>" for m in missing) + "</ol>") if missing else ""

    def _render_invalid(self, problems: list[Problem]) -> None:
        items = "".join(f"<li data-field='{_esc(p.field)}'><b>{_esc(FIELDS[p.field].label if p.field in FIELDS else p.field)}"
                        f"</b>{'' if p.value is None else f' ({_esc(p.value)})'}: {_esc(p.message)}</li>" for p in problems)
        self.banner.value = (
            "<div class='kit-banner' data-tier='invalid' style='background:#616161;color:white;padding:8px 12px;"
            "border-radius:6px'><span class='kit-tier' style='font-size:1.3em;font-weight:700'>check input</span>"
            f" &middot; no assessment until this is fixed:<ul style='margin:4px 0'>{items}</ul></div>")
        self.reassess.value = self.todo.value = self.dont.value = self.missing.value = self.warnings.value = ""
        self.causes.outputs = ()

    # ------------------------------------------------------------------ buttons
    def save(self) -> int | None:
        """Store the current observation ("Save to log"); returns its row id, or ``None`` if it could not be saved.

        Pressing Save again with no change since the last save stores nothing and returns
        the id already stored ("already saved as #N").
        """
        a = self.refresh()
        if a is None:
            self._say("Not saved: fix the highlighted input first.", error=True)
            return None
        state = self.form_state()
        if self._saved is not None and self._saved[0] == state:
            self._say(f"Not saved again: already saved as #{self._saved[1]} (change a field to save a new observation).")
            return self._saved[1]
        if self.blank:
            self._say("Not saved: enter at least one finding first.", error=True)
            return None
        obs = self.observation()
        try:
            rid = int(self.store.save(obs, assessment=a, source="form"))
        except Exception as err:  # StoreError / ObservationError: say why, keep the form as it is
            self._say(f"Not saved: {err}", error=True)
            return None
        self.saved_ids.append(rid)
        self._saved = (state, rid)
        if self.drafts:
            self._clear_draft()
        who = obs.get("athlete_id") or "no athlete id"
        self._say(f"Saved to the log as #{rid} ({who}, {a.escalation}) at {_clock(self.now())}.")
        self._athlete_options()
        return rid

    def clear(self) -> None:
        """Reset every field to unknown ("Clear").

        Unsaved values are not lost: they become the first offered draft ("Undo clear",
        also kept in the store) until restored or discarded.
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

    def _worth_offering(self, state: Mapping[str, Any]) -> bool:
        """Whether form values must be kept as an offer: not blank, not just saved, not offered already."""
        if _blank_state(state) or (self._saved is not None and self._saved[0] == state):
            return False
        return dict(state) not in self._offers

    def _offer_draft(self) -> None:
        """On opening: the drafts on offer, plus the last session's live draft (moved into the offer slot)."""
        offers: list[dict[str, Any]] = []
        try:
            stored = self.store.load_draft(OFFER_SLOT)
        except Exception:
            stored = None
        if isinstance(stored, Mapping) and isinstance(stored.get("offers"), list):
            offers = [dict(d) for d in stored["offers"] if isinstance(d, Mapping) and not _blank_state(d)]
        try:
            live = self.store.load_draft(DRAFT_SLOT)
        except Exception:
            live = None
        if isinstance(live, Mapping) and not _blank_state(live) and dict(live) not in offers:
            offers.append(dict(live))
        self._offers = offers
        if live is not None and self._persist_offers():  # the live slot is free for this form once its draft is offered
            self._clear_draft()
        self._show_offer()
        if offers:
            self._say("An unsaved form from earlier is kept: Restore unsaved form, or Discard it.")

    def _persist_offers(self) -> bool:
        if not self.drafts:
            return True
        try:
            if self._offers:
                self.store.save_draft({"offers": self._offers}, OFFER_SLOT)
            else:
                self.store.clear_draft(OFFER_SLOT)
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
                self.store.clear_draft(DRAFT_SLOT)
            else:
                self.store.save_draft(state, DRAFT_SLOT)
        except Exception as err:  # drafts are a convenience: report, never break the form
            self._say(f"Draft not saved: {err}", error=True)

    def _clear_draft(self) -> None:
        try:
            self.store.clear_draft(DRAFT_SLOT)
        except Exception as err:
            self._say(f"Draft not cleared: {err}", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32"
        self.status.value = f"<span style='color:{color}'>{_esc(text)}</span>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:  # display(form) shows the widget
        return self.widget._repr_mimebundle_(**kwargs)


def _blank_state(state: Mapping[str, Any]) -> bool:
    """Whether raw form values hold nothing worth a draft (a glucose unit alone says nothing)."""
    return all(v in ("", UNKNOWN, None) for k, v in state.items() if k != "blood_glucose_unit")


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
