"""Handouts: one athlete's episode on one self-contained HTML page, and notebooks to HTML.

Two commands use it (their arguments are in :mod:`kit.cli.handout` and :mod:`kit.cli.export`):

* ``python -m kit handout --athlete ID [--log PATH] [--out DIR] [--all] [--pseudonymise]``
  runs ``notebooks/handout-template.ipynb`` **in this process** for the athlete's latest
  observation and history (only that athlete's rows are set as the template's parameters;
  :func:`run_template`: the template's cells call kit functions and their results become the
  cells' outputs, no kernel), converts the result with nbconvert to HTML without code cells
  and prints the path written.
* ``python -m kit export NOTEBOOK [--out DIR]`` turns a worked notebook into an HTML file
  whose plotly charts stay interactive and whose widgets show their last saved state.

This module holds the build (where the observations come from
(:class:`TeamSource`), pseudonyms, running the template, writing the file). The rest is in
small modules, re-exported here so the template and callers need only ``kit.handout.build``:

* :mod:`kit.handout.page`: :func:`prepare` and :class:`HandoutPage`, the data one page shows;
* :mod:`kit.handout.sections`: the section renderers the template calls (``header``,
  ``observation_section`` ... ``footer``), each returning escaped HTML;
* :mod:`kit.handout.offline_html`: notebook to one offline page (nbconvert template, inlined
  plotly.js, static widgets, remote-reference check, page and print CSS).

Both commands write pages that make **no network request** when opened from ``file://``.
Everything a person typed (athlete id, notes) is HTML-escaped where it is written; notes
never go into a chart.

Start-up: nbformat (with jsonschema), and nbclient for ``export --execute``, are imported inside
the functions that use them, not at module top. nbformat takes 0.95 s to import here and must
come after :func:`_import_jsonschema_without_iri_grammars` (which saves 1.5-3 s); nbclient and its
kernel manager take 1.9 s and only ``--execute`` needs them (measured on the 2-core machine with
``python -c "import time; t=time.perf_counter(); import M; print(time.perf_counter()-t)"``).

References
----------
docs/reference/contract.md (the observations a handout reads); the clinical content of the page and its
references: :mod:`kit.handout.sections`.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import datetime as dt
import difflib
import functools
import hashlib
import hmac
import importlib
import json
import math
import os
import re
import secrets
import sqlite3
import sys
import tempfile
import types
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from kit.engine.fields import FIELD_NAMES
from kit.engine.observation import ObservationError
from kit.errors import InputError, KitError
from kit.handout.offline_html import PLOTLY_JS, esc, notebook_to_html, plotly_div, remote_references, render_widget
from kit.handout.page import EXAMPLE_ATHLETE, HandoutPage, _sort_key, example_observations, prepare
from kit.handout.sections import (
    FigureOutput,
    Html,
    causes_section,
    clinician_section,
    figure,
    footer,
    header,
    history_figure,
    history_section,
    observation_section,
    prevention_section,
    seek_help_section,
    sources_section,
    tier_section,
)
from kit.resources import HANDOUT_TEMPLATE, notebook_path
from kit.store.csvio import frame_to_records, parse_csv_rows, records_to_frame
from kit.store.db import Store, StoreError, default_store_path
from kit.store.private import atomic_write_text, private_dir

__all__ = [
    "TEMPLATE", "PLOTLY_JS", "MAX_HANDOUT_BYTES", "PSEUDONYM_ENV",
    "Html", "FigureOutput", "HandoutPage", "EXAMPLE_ATHLETE", "example_observations", "prepare", "figure", "esc",
    "header", "observation_section", "tier_section", "causes_section", "history_section", "history_figure",
    "prevention_section", "seek_help_section", "sources_section", "clinician_section", "footer",
    "pseudonym", "pseudonym_key", "TeamSource", "run_template", "TemplateError", "notebook_to_html", "write_handout",
    "export_notebook", "render_widget", "plotly_div", "remote_references", "safe_filename",
]

#: The parameterised handout notebook (a ``parameters`` cell, then one kit call per cell; see :func:`run_template`).
TEMPLATE = notebook_path(HANDOUT_TEMPLATE)
#: The size a per-athlete handout must stay under.
MAX_HANDOUT_BYTES = 2 * 1024 * 1024
#: Environment variable holding the pseudonym key (else a random key kept in the user data dir).
PSEUDONYM_ENV = "KIT_PSEUDONYM_KEY"


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
        path = Path(user_data_dir("postrun-kit", appauthor=False)) / "pseudonym.key"
    p = Path(path)
    if not p.exists():
        private_dir(p.parent)
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


def _read_log_text(p: Path) -> str:
    """A team-log CSV's text (UTF-8, a BOM allowed); :class:`kit.errors.InputError` saying what the file is otherwise."""
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    save = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(f"{p} is UTF-32 text, not UTF-8: {save}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            len(data) >= 4 and data[1:200:2].count(0) > len(data[1:200:2]) * 0.9):
        raise InputError(f"{p} is UTF-16 text (\"Unicode text\"), not UTF-8: {save}")
    head = data[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head or controls > len(head) / 20:
        raise InputError(f"{p} is not a text (CSV) file: it holds binary data; give a team-log CSV or a store file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex().upper()
        raise InputError(f"{p} is not UTF-8 text (byte 0x{bad} at position {exc.start}; it is probably Latin-1 or "
                         f"Windows-1252): {save}") from None


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
        The store to use when ``log`` is not given (default :func:`kit.store.db.default_store_path`).
    prog : str
        The program's name as the user called it, for messages that name a command
        (:func:`kit.cli.main.prog_name`; the command line passes it).
    """

    def __init__(self, log: str | os.PathLike[str] | None = None, store: str | os.PathLike[str] | None = None, *,
                 prog: str = "python -m kit") -> None:
        self._records: list[dict[str, Any]] | None = None
        self._store: Any = None
        if log is not None:
            p = Path(log)
            if not p.is_file():
                raise InputError(f"{log}: no such file")
            if _is_sqlite(p):
                self._open_store(p)
            else:
                good, bad = parse_csv_rows(_read_log_text(p))  # what kit.store.csvio.read_log_csv does, after a clear decoding step
                if bad:
                    raise ObservationError([q for _, _, probs in bad for q in probs])
                self._records = [_clean(r) for r in frame_to_records(records_to_frame(good))]
            self.where = str(p)
        else:
            p = default_store_path(store)
            if not p.exists():
                raise InputError(f"the store {p} does not exist yet: record observations ('{prog} log add' or "
                                 f"'{prog} log import') or pass --log")
            self._open_store(p)
            self.where = str(p)

    def _open_store(self, p: Path) -> None:
        try:
            try:
                self._store = Store(p, read_only=True)
            except TypeError:
                self._store = Store(p)
            self._store.count()  # a damaged file fails here, not half-way through a handout
        except (StoreError, sqlite3.DatabaseError) as err:
            if self._store is not None:
                self._store.close()
                self._store = None
            said = re.search(r"\(([^()]+)\)\.?$", _plain(str(err)))
            raise InputError(f"{p} cannot be read as a postrun-kit store: the file is damaged or is not a store"
                             + (f" (SQLite: {said.group(1)})" if said else "")) from None

    def athletes(self) -> list[str]:
        """Every athlete id, sorted."""
        if self._store is not None:
            return sorted(self._store.athletes())
        return sorted({str(r["athlete_id"]) for r in self._records or [] if r.get("athlete_id")})

    def observations(self, athlete_id: str) -> list[dict[str, Any]]:
        """That athlete's observations only (contract mappings), oldest first.

        Raises
        ------
        kit.errors.InputError
            If the athlete has no observation (the message suggests a close id).
        """
        aid = unicodedata.normalize("NFC", athlete_id.strip())  # ids are stored in NFC (kit.engine.ids)
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

    def record(self, handouts: int, observations: int) -> None:
        """Note the handouts in the store's audit trail (counts only); nothing for a CSV log or a read-only store."""
        if self._store is not None and hasattr(self._store, "record"):
            self._store.record("handout", observations, f"{handouts} handout{'s' if handouts != 1 else ''}")
            self._store.close()

    def close(self) -> None:
        """Close the store, if one is open."""
        if self._store is not None and hasattr(self._store, "close"):
            self._store.close()


# --------------------------------------------------------------------------------------------
# kit handout: the template's cells run in-process (no kernel), then offline HTML
# --------------------------------------------------------------------------------------------

class TemplateError(KitError, ValueError):
    """A handout template cell that the in-process builder does not run (see :func:`run_template`)."""


#: Tag of the template's parameters cell, and of the cell that sets this athlete's values after it
#: (papermill's convention, so the template also runs under papermill or by hand in JupyterLab).
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def _argument(node: ast.expr, ns: Mapping[str, Any]) -> Any:
    """A call argument in a template cell: a name bound earlier or a literal."""
    if isinstance(node, ast.Name) and node.id in ns:
        return ns[node.id]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise TemplateError(f"a template cell passes {ast.unparse(node)!r}: only names and literals") from None


def _call(node: ast.expr, ns: Mapping[str, Any]) -> Any:
    """``module.function(args)`` where ``module`` is a kit module imported by the template; its result."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and isinstance(ns.get(node.func.value.id), types.ModuleType)
            and not node.func.attr.startswith("_") and all(k.arg for k in node.keywords)):
        raise TemplateError(f"a template cell does {ast.unparse(node)!r}: only calls of kit functions")
    func = getattr(ns[node.func.value.id], node.func.attr)
    args = [_argument(a, ns) for a in node.args]
    kwargs = {str(k.arg): _argument(k.value, ns) for k in node.keywords}
    return func(*args, **kwargs)


def _run_cell(source: str, ns: dict[str, Any]) -> Any:
    """Run one template cell in-process; returns the value it displays (its final expression), else ``None``.

    A template cell may only import kit modules (``import kit.handout.build as handout``), assign a
    literal (the parameters) or the result of a kit function call to a name, and call kit
    functions with names and literals as arguments: nothing else is run (no ``exec``).
    Anything else is a :class:`TemplateError`.
    """
    shown = None
    for node in ast.parse(source).body:
        shown = None
        if isinstance(node, ast.Import) and all(a.name == "kit" or a.name.startswith("kit.") for a in node.names):
            for a in node.names:
                module = importlib.import_module(a.name)
                ns[a.asname or "kit"] = module if a.asname else importlib.import_module("kit")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "kit":
            mod = importlib.import_module(node.module or "kit")
            for a in node.names:
                ns[a.asname or a.name] = getattr(mod, a.name) if hasattr(mod, a.name) else importlib.import_module(
                    f"{node.module}.{a.name}")
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            ns[node.targets[0].id] = _call(value, ns) if isinstance(value, ast.Call) else _argument(value, ns)
        elif isinstance(node, ast.Expr):
            shown = _call(node.value, ns)
        else:
            raise TemplateError(f"a template cell does {ast.unparse(node)[:80]!r}: the in-process builder runs only "
                                "kit imports, kit function calls and assignments of their results")
    return shown


def _mimebundle(value: Any) -> dict[str, Any]:
    """What Jupyter would display for ``value``: its ``_repr_mimebundle_`` / ``_repr_html_`` and ``text/plain``."""
    if hasattr(value, "_repr_mimebundle_"):
        data = dict(value._repr_mimebundle_())
    elif hasattr(value, "_repr_html_"):
        data = {"text/html": value._repr_html_()}
    else:
        data = {}
    data.setdefault("text/plain", repr(value))
    plain: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True))  # plain JSON with sorted keys, as in a saved notebook
    return plain


def _parameters_source(params: Mapping[str, Any]) -> str:
    """The injected cell's code: ``name = value`` lines (Python literals), as papermill writes them."""
    return "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in params.items())


def _import_jsonschema_without_iri_grammars() -> None:
    """Import jsonschema (nbformat's validator) without ``rfc3987_syntax``, which costs 1.5-3 s here.

    jsonschema imports ``rfc3987_syntax`` (when installed, as with ``jsonschema[format-nongpl]``)
    only to check the ``iri`` string format, and that module builds about 40 Lark parsers when
    it is imported: 1.5 s of a 2.5 s handout on this machine (python-jsonschema/jsonschema#1428).
    No notebook schema uses that format. So the handout command imports jsonschema once with
    that one module hidden (jsonschema then leaves the ``iri`` format unchecked) and unhides it
    right after, so a later ``import rfc3987_syntax`` still works. Nothing happens when
    jsonschema is already imported.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # "import rfc3987_syntax" -> ImportError
    try:
        importlib.import_module("jsonschema")
    except ImportError:
        pass  # no jsonschema: nbformat will say so when it is imported
    finally:
        del sys.modules["rfc3987_syntax"]


def run_template(records: Sequence[Mapping[str, Any]], *, label: str, generated_on: str = "",
                 pseudonymised: bool = False, template: str | os.PathLike[str] | None = None) -> Any:
    """The handout template run for one athlete, in this process: the notebook with its outputs.

    The template's cells are read with nbformat; after its ``parameters`` cell a cell tagged
    ``injected-parameters`` sets this athlete's values (only ``records``, one athlete's
    observations, and the label); then each cell is run by :func:`_run_cell` (kit imports
    and kit function calls only) and its displayed value becomes the cell's ``execute_result``
    output, as a kernel would record it. No kernel, no subprocess, no network.

    Parameters
    ----------
    records : sequence of mappings
        One athlete's observations.
    label : str
        The athlete as shown (id or pseudonym).
    generated_on : str
        ISO date printed on the page (default today).
    pseudonymised : bool
        Whether ``label`` is a pseudonym.
    template : path, optional
        Another template notebook (same rules for its cells).

    Returns
    -------
    nbformat.NotebookNode
        The notebook with outputs (nbformat 4), ready for :func:`notebook_to_html`.

    Raises
    ------
    kit.errors.InputError
        The template file is missing.
    TemplateError
        A template cell does something other than import kit modules and call kit functions.
    """
    import nbformat  # lazy: see "Start-up" in the module docstring

    ids = {str(r.get("athlete_id", "")).strip() for r in records}
    if len(ids) > 1:
        raise ValueError("run_template takes one athlete's observations")
    template = Path(template or TEMPLATE)
    if not template.is_file():
        raise InputError(f"the handout template {template} is missing (it ships in the repository's notebooks/ folder)")
    params = {"athlete_label": label, "observations": [dict(r) for r in records],
              "generated_on": generated_on or dt.date.today().isoformat(), "pseudonymised": bool(pseudonymised)}
    nb = _read_template(template)
    cells = list(nb.cells)
    at = next((i + 1 for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])), 0)
    injected = nbformat.v4.new_code_cell(_parameters_source(params), id=INJECTED_TAG)  # type: ignore[no-untyped-call]  # nbformat is not annotated
    injected.metadata["tags"] = [INJECTED_TAG]
    nb.cells = [*cells[:at], injected, *cells[at:]]
    ns: dict[str, Any] = {}
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        shown = _run_cell(cell.source, ns)
        cell.execution_count = count
        cell.outputs = [] if shown is None else [
            nbformat.v4.new_output("execute_result", data=_mimebundle(shown), execution_count=count)]  # type: ignore[no-untyped-call]  # nbformat is not annotated
    return nb


@functools.lru_cache(maxsize=4)
def _template_text(path: str, mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def _read_template(path: Path) -> Any:
    """A fresh copy of the template notebook (the file is read once per process while it is unchanged)."""
    import nbformat  # lazy: see "Start-up" in the module docstring

    return nbformat.reads(_template_text(str(path), path.stat().st_mtime_ns), as_version=4)  # type: ignore[no-untyped-call]  # nbformat is not annotated


def write_handout(records: Sequence[Mapping[str, Any]], out_dir: str | os.PathLike[str], *,
                  pseudonymise: bool = False, key: bytes | str | None = None, generated_on: str = "",
                  template: str | os.PathLike[str] | None = None) -> Path:
    """Make one athlete's handout and write it to ``out_dir``; returns the path.

    Parameters
    ----------
    records : sequence of mappings
        That athlete's observations only.
    out_dir : path
        A folder, created if needed; the file is ``handout-<athlete or pseudonym>.html``.
        A path ending in ``.html`` (and not an existing folder) is the file itself.
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
    dest = out_path(out_dir, f"handout-{safe_filename(label)}.html")
    atomic_write_text(dest, page, newline=None)  # health data: 0600 (kit.store.private)
    size = dest.stat().st_size
    if size > MAX_HANDOUT_BYTES:
        sys.stderr.write(f"warning: {dest} is {size} bytes, over the 2 MiB handout budget\n")
    return dest


def out_path(out: str | os.PathLike[str], filename: str, *, single: bool = True, create: bool = True) -> Path:
    """The file to write for ``--out OUT``: ``OUT/filename``, or ``OUT`` itself for a single ``.html`` file.

    Parameters
    ----------
    out : path
        A folder (created if needed) or, when ``single``, a path ending in ``.html``.
    filename : str
        The file name used inside a folder.
    single : bool
        Whether one file is written (``--out x.html`` allowed).
    create : bool
        Make the folder (else only check ``out``).

    Returns
    -------
    Path
        The destination file; its folder exists.

    Raises
    ------
    kit.errors.InputError
        ``out`` is an existing file (other than a single ``.html`` target), or its folder cannot be made.
    """
    target = Path(out)
    is_file_name = single and target.suffix.lower() == ".html" and not target.is_dir()
    if not is_file_name and target.exists() and not target.is_dir():
        hint = " (or a path ending in .html for a single file)" if single else ""
        raise InputError(f"--out must be a folder{hint}: {out} is an existing file")
    if not single and target.suffix.lower() == ".html" and not target.exists():
        raise InputError(f"--out must be a folder when writing several files: {out} looks like a file name")
    dest = target if is_file_name else target / filename
    if not create:
        return dest
    try:
        private_dir(dest.parent)  # new folders 0700 (kit.store.private)
    except OSError as exc:
        raise InputError(f"--out: cannot make the folder {dest.parent}: {exc.strerror or exc}") from None
    if dest.is_dir():
        raise InputError(f"--out: {dest} is a folder, not a file")
    return dest


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
        Where to write ``<name>.html`` (default: next to the notebook); a path ending in
        ``.html`` is the file itself.
    execute : bool
        Run the notebook first (in its folder), saving widget state, instead of using the
        saved outputs. This runs the notebook's code with the caller's rights: only for a
        notebook one trusts.
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
    src = Path(path)
    out_path(out_dir or src.parent, src.stem + ".html", create=False)  # a bad --out fails before any work
    nb = _read_notebook(src)
    if execute:
        # lazy: only --execute starts a kernel (nbclient and its kernel manager: 1.9 s to import, measured)
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from traitlets.config import Config

        with tempfile.TemporaryDirectory(prefix="kit-export-") as tmp:
            config = Config()  # local sockets, not TCP
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = str(Path(tmp) / "kernel")
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True, config=config,
                                    resources={"metadata": {"path": str(src.resolve().parent)}})
            try:
                with _exporting():  # the triage form shows the last saved entry as a page (kit.views.triage_export)
                    client.execute()
            except CellExecutionError as exc:
                raise InputError(f"{path}: {_failed_cell(nb, exc)}; nothing was written") from None
            except CellTimeoutError:
                raise InputError(f"{path}: a cell ran longer than {timeout} s; nothing was written") from None
            except (NoSuchKernel, DeadKernelError) as exc:
                raise InputError(f"{path}: the notebook could not be run ({_plain(str(exc))}); nothing was written") from None
    title = str(nb.metadata.get("title") or src.stem)
    page, removed = notebook_to_html(nb, title=title, handout=False, hide_code=hide_code)
    dest = out_path(out_dir or src.parent, src.stem + ".html")
    atomic_write_text(dest, page, newline=None)  # may hold health data: 0600 (kit.store.private)
    return dest, removed


#: :data:`kit.views.triage_export.EXPORT_ENV`, not imported from there: that module loads ipywidgets (0.19 s,
#: measured) which the handout does not use otherwise; tests/test_triage_export.py checks the two are equal.
_EXPORT_ENV = "KIT_EXPORT"


@contextlib.contextmanager
def _exporting() -> Iterator[None]:
    """:data:`kit.views.triage_export.EXPORT_ENV` ``=1`` for the kernels started meanwhile (they inherit this
    process's environment): the triage form then shows the last saved entry as a page."""
    old = os.environ.get(_EXPORT_ENV)
    os.environ[_EXPORT_ENV] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(_EXPORT_ENV, None)
        else:
            os.environ[_EXPORT_ENV] = old


def _read_notebook(src: Path) -> Any:
    """The notebook at ``src`` (nbformat 4); :class:`kit.errors.InputError` saying what is wrong with the file otherwise."""
    import nbformat  # lazy: see "Start-up" in the module docstring

    try:
        text = src.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{src}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{src} is not a notebook: it is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read {src}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(f"{src} is not a notebook: its JSON is nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"{src} is not a notebook: it is not valid JSON ({_plain(str(exc))[:200]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "nbformat" not in data:
        raise InputError(f"{src} is not a notebook (.ipynb): expected a JSON object with 'cells' and 'nbformat'")
    try:
        return nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]  # nbformat is not annotated
    except RecursionError:
        raise InputError(f"{src} is not a notebook: its JSON is nested too deeply") from None
    except Exception as exc:  # nbformat's validation and conversion errors have many types
        raise InputError(f"{src} is not a valid notebook: {_plain(str(exc))[:300]}") from None


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def _plain(text: str) -> str:
    """``text`` without ANSI colour codes, on one line."""
    return " ".join(_ANSI.sub("", text).split())


def _failed_cell(nb: Any, exc: Any) -> str:
    """``cell N failed: Name: message`` for the first code cell with an error output (N counts every cell from 1)."""
    where = "a cell"
    for n, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", ())):
            where = f"cell {n}"
            break
    ename, evalue = _plain(getattr(exc, "ename", "") or "Error"), _plain(getattr(exc, "evalue", "") or "")
    return f"{where} failed: {ename}: {evalue}" if evalue else f"{where} failed: {ename}"
