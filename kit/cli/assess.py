"""``assess``: the contract's command. One observation or a list (JSON) in, the assessment JSON out.

Invalid input exits with status 2 and a clear message on stderr, with nothing on stdout
(:mod:`kit.cli.main`). The input is bounded (:data:`MAX_ASSESS_BYTES`, :data:`MAX_ASSESS_ITEMS`):
a season's log goes through the ``score`` command (vectorised) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from kit.engine.assessment import assess_episode, assess_one
from kit.engine.episodes import episode_orders
from kit.engine.observation import Observation, ObservationError, Problem, parse_observation
from kit.errors import InputError

__all__ = ["MAX_ASSESS_BYTES", "MAX_ASSESS_ITEMS", "read_json_input", "configure", "run"]

#: The most ``assess`` reads (a file's size is checked before reading; standard input stops one byte past it).
#: Not a clinical number: it keeps ``assess`` within seconds and a few hundred MB (about 2,700 observations
#: a second on a 2-core machine); a season's log goes through the ``score`` command (vectorised).
MAX_ASSESS_BYTES = 2 * 1024 * 1024
#: The most observations in one ``assess`` list (checked right after parsing, before any is assessed).
MAX_ASSESS_ITEMS = 10_000


def _too_big_hint(prog: str) -> str:
    return f"split it, or score a team log with '{prog} score FILE.csv' (no size limit)"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _read_text(path: str | None, limit: int | None, too_big: str) -> str:
    """The text of ``path`` (standard input for ``None``/``"-"``), at most ``limit`` bytes."""
    if path not in (None, "-"):
        if limit is not None and os.path.getsize(path) > limit:
            raise InputError(too_big)
        with open(path, encoding="utf-8-sig") as fh:  # a BOM (Windows Notepad) is not an error
            return fh.read()
    raw = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    chunk: bytes | str = (raw.read() if limit is None else raw.read(limit + 1)) if raw is not None else \
        (sys.stdin.read() if limit is None else sys.stdin.read(limit + 1))  # a text stream (tests)
    if limit is not None and len(chunk) > limit:
        raise InputError(too_big)
    return chunk.decode("utf-8-sig") if isinstance(chunk, bytes) else chunk


def read_json_input(path: str | None, *, limit: int | None = None, prog: str = "python -m kit") -> Any:
    """Read JSON from a file path, or from stdin when ``path`` is ``None`` or ``"-"``.

    With ``limit`` (bytes), a larger file is refused from its size, before it is read, and
    standard input is read only up to one byte past the limit: :class:`InputError` either way.
    ``prog`` names the program in the message that suggests another command.
    """
    where = "standard input" if path in (None, "-") else path
    too_big = (f"{where} is larger than {_size(limit)}, the most this command reads: {_too_big_hint(prog)}"
               if limit is not None else "")
    try:
        text = _read_text(path, limit, too_big)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{where} is empty: expected a JSON object or a list of them")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InputError(f"{where} is nested too deeply to be an observation") from None
    except ValueError as exc:  # e.g. an integer literal over Python's 4300-digit limit
        raise InputError(f"{where} cannot be read as JSON: {str(exc)[:200]}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``assess``."""
    prog = parser.prog.rsplit(" ", 1)[0]
    parser.add_argument("file", nargs="?", default="-",
                        help=f"JSON file with an observation or a list (default: stdin); at most "
                             f"{MAX_ASSESS_BYTES // (1024 * 1024)} MiB and {MAX_ASSESS_ITEMS:,} observations: "
                             f"larger input exits 2 at once (score a team log with '{prog} score')")
    parser.add_argument("--compact", action="store_true", help="one-line JSON")


def run(args: argparse.Namespace) -> int:
    """Print the assessment JSON; exit 2 (via :mod:`kit.cli.main`) on invalid input.

    In a list, observations sharing an ``episode_id`` are rechecks of one episode: each is
    assessed with the ones before it (observed_at order, :func:`kit.engine.episodes.episode_orders`)
    as history (clinical-reference §9.9). The output list keeps the input order.
    """
    prog = getattr(args, "prog", "python -m kit")
    data = read_json_input(args.file, limit=MAX_ASSESS_BYTES, prog=prog)
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_ASSESS_ITEMS:
        raise InputError(f"{'standard input' if args.file in (None, '-') else args.file} holds {len(items):,} observations, "
                         f"more than the {MAX_ASSESS_ITEMS:,} this command assesses at once: {_too_big_hint(prog)}")
    parsed: list[Observation] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        try:
            parsed.append(parse_observation(item))
        except ObservationError as err:
            problems.extend(err.with_row(i).problems if isinstance(data, list) else err.problems)
    if isinstance(data, list) and not data:
        problems.append(Problem("<observation>", [], "the list is empty: expected at least one observation"))
    if problems:
        raise ObservationError(problems)
    results: list[dict[str, Any] | None] = [None] * len(parsed)
    for order in episode_orders([o.episode_id for o in parsed], [o.observed_at for o in parsed]):
        for i, a in zip(order, assess_episode([parsed[i] for i in order]), strict=True):
            results[i] = a.to_dict()
    out = [r if r is not None else assess_one(o).to_dict() for r, o in zip(results, parsed, strict=True)]
    sys.stdout.write(json.dumps(out if isinstance(data, list) else out[0], ensure_ascii=False,
                                indent=None if args.compact else 2) + "\n")
    return 0
