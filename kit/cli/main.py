"""Command line: ``python -m kit <command>``.

``assess`` is the contract's command. Other commands live in their own modules and
are registered in :data:`SUBCOMMANDS`; each module has ``configure(parser)`` and
``run(args) -> int`` and is imported only when its command is used (so ``assess``
starts fast). Invalid input exits with status 2 and a clear message on stderr, with
nothing on stdout; no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from typing import Any

from kit.errors import InputError

__all__ = ["main", "SUBCOMMANDS", "OPTIONAL_EXTRAS", "missing_extra", "read_json_input", "InputError", "MAX_ASSESS_BYTES", "MAX_ASSESS_ITEMS"]

#: The most ``assess`` reads (a file's size is checked before reading; standard input stops one byte past it).
#: Not a clinical number: it keeps ``assess`` within seconds and a few hundred MB (about 2,700 observations
#: a second on a 2-core machine); a season's log goes through ``python -m kit score`` (vectorised).
MAX_ASSESS_BYTES = 2 * 1024 * 1024
#: The most observations in one ``assess`` list (checked right after parsing, before any is assessed).
MAX_ASSESS_ITEMS = 10_000
_TOO_BIG_HINT = "split it, or score a team log with 'python -m kit score FILE.csv' (no size limit)"

#: command -> (module, one-line help). Modules that are not present are skipped.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "assess": ("kit.cli.main", "assess one observation or a list of them (JSON) and print the assessment JSON"),
    "demo": ("kit.cli.demo", "assess the sample teaching cases and print a readable table"),
    "thresholds": ("kit.cli.demo", "print the thresholds table (every clinical number with its source)"),
    "log": ("kit.cli.log", "the observation log (SQLite): add, list, export, import"),
    "app": ("kit.cli.app", "serve the triage form as a web app (Voila) on 127.0.0.1 behind a token (--lan: for a phone)"),
    "lab": ("kit.cli.lab", "JupyterLab on 127.0.0.1 on the triage notebook (your store; --demo: the sample season)"),
    "handout": ("kit.handout.build", "write an HTML handout for an athlete (or --all)"),
    "export": ("kit.handout.build", "export a notebook to a self-contained HTML handout"),
    "score": ("kit.cli.score", "score a team-log CSV (vectorised batch path) and write the results as CSV"),
}


#: Optional packages -> the extra of postrun-kit that installs them (pyproject.toml).
OPTIONAL_EXTRAS: dict[str, str] = {
    **dict.fromkeys(("jupyterlab", "jupyter_server", "ipykernel", "ipywidgets", "anywidget", "plotly", "nbformat",
                     "nbconvert", "nbclient", "voila", "psutil", "segno", "nh3"), "lab"),
    **dict.fromkeys(("dask", "distributed", "pyarrow"), "scale"),
}


def missing_extra(err: ModuleNotFoundError) -> str | None:
    """The install hint for a missing optional package, or ``None`` when it is not an optional one.

    Parameters
    ----------
    err : ModuleNotFoundError
        The error raised by an import.

    Returns
    -------
    str or None
        e.g. ``"this command needs the optional package 'nbformat': pip install 'postrun-kit[lab]'"``.
    """
    top = (err.name or "").split(".")[0]
    extra = OPTIONAL_EXTRAS.get(top)
    return None if extra is None else f"this command needs the optional package '{top}': pip install 'postrun-kit[{extra}]'"


def read_json_input(path: str | None, *, limit: int | None = None) -> Any:
    """Read JSON from a file path, or from stdin when ``path`` is ``None`` or ``"-"``.

    With ``limit`` (bytes), a larger file is refused from its size, before it is read, and
    standard input is read only up to one byte past the limit: :class:`InputError` either way.
    """
    where = "standard input" if path in (None, "-") else path
    too_big = (f"{where} is larger than {limit // (1024 * 1024) if limit and limit >= 1024 * 1024 else limit} "
               f"{'MiB' if limit and limit >= 1024 * 1024 else 'bytes'}, the most this command reads: {_TOO_BIG_HINT}")
    try:
        if path in (None, "-"):
            raw = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
            if raw is not None:
                data = raw.read() if limit is None else raw.read(limit + 1)
                if limit is not None and len(data) > limit:
                    raise InputError(too_big)
                text = data.decode("utf-8-sig")
            else:  # a text stream (tests)
                text = sys.stdin.read() if limit is None else sys.stdin.read(limit + 1)
                if limit is not None and len(text) > limit:
                    raise InputError(too_big)
        else:
            if limit is not None and os.path.getsize(path) > limit:
                raise InputError(too_big)
            with open(path, encoding="utf-8-sig") as fh:  # a BOM (Windows Notepad) is not an error
                text = fh.read()
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
    parser.add_argument("file", nargs="?", default="-",
                        help=f"JSON file with an observation or a list (default: stdin); at most "
                             f"{MAX_ASSESS_BYTES // (1024 * 1024)} MiB and {MAX_ASSESS_ITEMS:,} observations: "
                             "larger input exits 2 at once (score a team log with 'python -m kit score')")
    parser.add_argument("--compact", action="store_true", help="one-line JSON")


def run(args: argparse.Namespace) -> int:
    """``python -m kit assess``: print the assessment JSON; exit 2 on invalid input.

    In a list, observations sharing an ``episode_id`` are rechecks of one episode: each is
    assessed with the ones before it (observed_at order, :func:`kit.engine.episodes.episode_orders`)
    as history (clinical-reference §9.9). The output list keeps the input order.
    """
    from kit.engine.assessment import assess_episode, assess_one
    from kit.engine.episodes import episode_orders
    from kit.engine.observation import ObservationError, Problem, parse_observation

    data = read_json_input(args.file, limit=MAX_ASSESS_BYTES)
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_ASSESS_ITEMS:
        raise InputError(f"{'standard input' if args.file in (None, '-') else args.file} holds {len(items):,} observations, "
                         f"more than the {MAX_ASSESS_ITEMS:,} this command assesses at once: {_TOO_BIG_HINT}")
    parsed, problems = [], []
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


def _parser(available: dict[str, tuple[str, str]]) -> argparse.ArgumentParser:
    from kit import __version__

    p = argparse.ArgumentParser(prog="python -m kit", description="postrun-kit: post-run tremor and spasm decision "
                                "support. It supports a trainer's judgement; it does not replace it.")
    p.add_argument("--version", action="version", version=f"postrun-kit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_) in available.items():
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.set_defaults(_module=module)
        mod = sys.modules[__name__] if module == __name__ else importlib.import_module(module)
        conf = getattr(mod, f"configure_{name}", None) or mod.configure
        conf(sp)
    return p


def _available(command: str | None) -> dict[str, tuple[str, str]]:
    out = {}
    for name, (module, help_) in SUBCOMMANDS.items():
        if command not in (None, name) and command in SUBCOMMANDS:
            continue  # build only the parser that is used: imports stay lazy
        if module == __name__ or importlib.util.find_spec(module) is not None:
            out[name] = (module, help_)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    from kit.engine.observation import ObservationError

    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = _parser(_available(command))
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        mod = sys.modules[__name__] if args._module == __name__ else importlib.import_module(args._module)
        runner = getattr(mod, f"run_{args.command}", None) or mod.run
        return int(runner(args) or 0)
    except ModuleNotFoundError as err:
        hint = missing_extra(err)
        if hint is None:  # a package the kit always installs: that is a bug, said as such
            sys.stderr.write(f"error: ModuleNotFoundError: {err}\n(this is a bug in postrun-kit; please report it)\n")
            return 1
        sys.stderr.write(f"error: {hint}\n")
        return 2
    except ObservationError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # no traceback reaches a user; say what and where
        sys.stderr.write(f"error: {type(err).__name__}: {err}\n(this is a bug in postrun-kit; please report it)\n")
        return 1
