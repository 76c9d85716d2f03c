"""``python -m kit score FILE.csv [--out PATH]``: score a whole team log with the batch path.

Reads a team-log CSV (:func:`kit.store.csvio.read_log_csv`: every bad cell is reported with its
CSV line number and nothing is scored), scores every row with :func:`kit.assess_frame`
and writes one CSV row per observation: ``athlete_id`` and ``observed_at`` (always; empty
cells when the log has no such column), then ``escalation``, ``top_cause``, ``score_<cause>`` for each cause and
``flags`` (";"-joined). An unknown ``top_cause`` is an empty cell. Text cells that a
spreadsheet would run as a formula get a leading ``'`` (:mod:`kit.store.csvsafe`).

Long work shows a progress bar on standard error (from 100,000 rows, or always with
``--progress``): reading a large log goes through :func:`kit.store.csvio.parse_csv_rows` in blocks of
rows so that the bar moves, then scoring has its own bar. Results never go to standard
error, so ``python -m kit score log.csv > scored.csv`` stays clean. An empty or header-only
log gives the header alone and "0 observations in FILE" on standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from kit.engine.fields import FIELD_NAMES
from kit.engine.frame import OUTPUT_COLUMNS, PROGRESS_MIN_ROWS, assess_frame
from kit.engine.observation import ObservationError, Problem
from kit.errors import InputError
from kit.store.csvio import parse_csv_rows, read_log_csv, records_to_frame
from kit.store.csvsafe import neutralise
from kit.store.private import open_private

__all__ = ["configure", "run", "read_log_with_progress", "BLOCK_LINES"]

#: Always the first columns of the output (empty cells when the log has no such column).
ID_COLUMNS = ("athlete_id", "observed_at")
#: CSV lines parsed per block when a large log is read with a progress bar.
BLOCK_LINES = 50_000


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``score``."""
    parser.add_argument("file", help="team-log CSV (columns are the contract's field names)")
    parser.add_argument("--out", "-o", default="-", help="where to write the scored CSV (default: standard output)")
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_const", const=True, default="auto",
                     help="always show the progress bar (default: from 100,000 rows)")
    bar.add_argument("--no-progress", dest="progress", action="store_const", const=False, help="never show it")


def run(args: argparse.Namespace) -> int:
    """Score the log; exit 0, or 2 (via :mod:`kit.cli.main`) when the file is unreadable or has bad rows."""
    df = read_log_with_progress(args.file, progress=args.progress)
    show = args.progress is True or (args.progress == "auto" and len(df) >= PROGRESS_MIN_ROWS)
    scored = assess_frame(df, progress=show)
    ids = pd.DataFrame({c: df[c] if c in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
                        for c in ID_COLUMNS}, index=df.index)
    out = pd.concat([ids, scored], axis=1)[[*ID_COLUMNS, *OUTPUT_COLUMNS]]
    if out.empty:
        sys.stderr.write(f"0 observations in {args.file}\n")
    for c in out.columns:  # text cells a spreadsheet would run as a formula get a leading ' (kit.store.csvsafe)
        if out[c].dtype == object:
            out[c] = out[c].map(neutralise)
    if args.out in ("-", None):
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        try:
            with open_private(args.out, "w", encoding="utf-8", newline="") as fh:  # health data: 0600, new folders 0700
                out.to_csv(fh, index=False, lineterminator="\n")
        except OSError as exc:
            raise InputError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        counts = scored["escalation"].value_counts()
        summary = ", ".join(f"{counts[t]} {t}" for t in ("emergency", "see_doctor", "monitor", "self_care") if t in counts)
        if not out.empty:
            sys.stderr.write(f"scored {len(out)} observation{'s' if len(out) != 1 else ''} ({summary or 'none'}) -> {args.out}\n")
    return 0


def read_log_with_progress(path: str | Path, *, progress: bool | str = "auto") -> Any:
    """Read a team-log CSV like :func:`kit.store.csvio.read_log_csv`, with a progress bar for large logs.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    progress : bool or "auto"
        Show a bar on standard error (``"auto"``: from 100,000 lines).

    Returns
    -------
    pandas.DataFrame
        The same frame :func:`kit.store.csvio.read_log_csv` returns (one column per field that occurs).

    Raises
    ------
    ObservationError
        Every bad cell, with its CSV line number, as :func:`kit.store.csvio.read_log_csv` reports it.
    kit.errors.InputError
        The file cannot be read or is not UTF-8 text.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    lines = text.count("\n")
    if progress is False or (progress == "auto" and lines < PROGRESS_MIN_ROWS):
        return read_log_csv(path)
    return _read_blocks(text, lines)


def _read_blocks(text: str, total: int) -> Any:
    """Parse the CSV text in blocks of whole records (a quoted cell may span lines), with a bar."""
    head, sep, body = text.partition("\n")
    lines = body.split("\n") if sep else []
    frames: list[Any] = []
    problems: list[Problem] = []
    start = 0
    with tqdm(total=total, unit="lines", desc="reading", unit_scale=True, file=sys.stderr) as bar:
        while start < len(lines):
            stop = _record_boundary(lines, start, min(len(lines), start + BLOCK_LINES))
            good, bad = parse_csv_rows(head + "\n" + "\n".join(lines[start:stop]))
            for _line, _raw, probs in bad:  # line numbers of the block -> of the file
                problems.extend(Problem(p.field, p.value, p.message, p.row + start if isinstance(p.row, int) else p.row)
                                for p in probs)
            if good and not problems:
                frames.append(records_to_frame(good))
            bar.update(stop - start)
            start = stop
    if problems:
        raise ObservationError(problems)
    if not frames:
        return records_to_frame([])
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return df[[n for n in FIELD_NAMES if n in df.columns]]


def _record_boundary(lines: list[str], start: int, stop: int) -> int:
    """The first line index >= ``stop`` that starts a record, ``start`` being one (quotes balance before it)."""
    if not any(line.count('"') % 2 for line in lines[start:stop]):
        return stop
    inside = False
    for i in range(start, len(lines)):
        inside ^= lines[i].count('"') % 2 == 1
        if not inside and i + 1 >= stop:
            return i + 1
    return len(lines)
