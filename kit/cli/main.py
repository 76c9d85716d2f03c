"""Command line: ``postrun-kit <command>`` or ``python -m kit <command>``.

Every command has a module of its own, named in :data:`SUBCOMMANDS` (the registry: one entry
per command, nothing found by naming convention). A command module defines
``configure(parser)`` (its arguments) and ``run(args) -> int`` (the exit status). Only the
module of the command that runs is imported, so a command that needs an optional package
(``lab``, ``app``, ``export``, ``handout``: the ``[lab]`` extra) costs nothing to the others:
without the ``[lab]`` extra, ``assess`` still works.

Exit status: 0 done; 2 the user's input or installation is wrong (a :class:`kit.errors.KitError`,
the base of every kit exception: an invalid observation, a file that cannot be read or written, a
store that cannot be used; or a missing optional package: one message on stderr, nothing on stdout);
1 anything else, which is a bug (a one-line message, no traceback); 130 interrupted. ``log`` keeps
its own documented statuses (1 when the store cannot be used; :mod:`kit.cli.log`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NamedTuple, Protocol, cast

from kit import __version__
from kit.errors import InputError, KitError

__all__ = ["main", "build_parser", "load_command", "prog_name", "Command", "CommandModule", "SUBCOMMANDS",
           "OPTIONAL_EXTRAS", "missing_extra", "InputError", "PYTHON_M_PROG"]

#: The program name when run as ``python -m kit`` (the console script is named by how it was called).
PYTHON_M_PROG = "python -m kit"


class Command(NamedTuple):
    """One entry of the registry: the module that implements the command and its one-line help."""

    module: str
    help: str


class CommandModule(Protocol):
    """What a command module provides."""

    def configure(self, parser: argparse.ArgumentParser) -> None: ...  # pragma: no cover - a protocol

    def run(self, args: argparse.Namespace) -> int: ...  # pragma: no cover - a protocol


#: The registry: command -> its module and one-line help (the order of ``--help``).
SUBCOMMANDS: dict[str, Command] = {
    "assess": Command("kit.cli.assess", "assess one observation or a list of them (JSON) and print the assessment JSON"),
    "demo": Command("kit.cli.demo", "assess the sample teaching cases and print a readable table"),
    "thresholds": Command("kit.cli.thresholds", "print the thresholds table (every clinical number with its source)"),
    "log": Command("kit.cli.log", "the observation log (SQLite): add, list, export, import"),
    "app": Command("kit.cli.app", "serve the triage form as a web app (Voila) on 127.0.0.1 behind a token (--lan: for a phone)"),
    "lab": Command("kit.cli.lab", "copy the notebooks to a working folder and open JupyterLab there on the triage notebook"),
    "handout": Command("kit.cli.handout", "write an HTML handout for an athlete (or --all)"),
    "export": Command("kit.cli.export", "export a notebook to a self-contained HTML handout"),
    "score": Command("kit.cli.score", "score a team-log CSV (vectorised batch path) and write the results as CSV"),
}

#: Optional packages -> the extra of postrun-kit that installs them (pyproject.toml).
OPTIONAL_EXTRAS: dict[str, str] = {
    **dict.fromkeys(("jupyterlab", "jupyter_server", "jupyter_client", "ipykernel", "ipywidgets", "anywidget", "plotly",
                     "nbformat", "nbconvert", "nbclient", "voila", "psutil", "segno", "nh3", "traitlets", "tornado"), "lab"),
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


def prog_name(argv0: str | None = None) -> str:
    """The program's name as the user called it: ``postrun-kit`` (the console script) or ``python -m kit``.

    ``python -m kit`` runs ``kit/__main__.py`` (which passes its own name to :func:`main`); a console
    script is named by its file (``postrun-kit``); anything else (a test runner, ``python -c``) is
    called ``python -m kit``, the command that works in every installation.
    """
    base = os.path.basename(sys.argv[0] if argv0 is None else argv0)
    if not base or base.endswith((".py", ".pyc")) or base.startswith(("python", "pytest", "-")) or base == "__main__":
        return PYTHON_M_PROG
    return base


def load_command(name: str) -> CommandModule:
    """Import the module of command ``name`` (only now: it may need an optional package).

    Raises
    ------
    ModuleNotFoundError
        When the module needs a package that is not installed (see :func:`missing_extra`).
    """
    return cast(CommandModule, importlib.import_module(SUBCOMMANDS[name].module))


def build_parser(prog: str = PYTHON_M_PROG, command: str | None = None, module: CommandModule | None = None) -> argparse.ArgumentParser:
    """The parser: every command's help line, and the arguments of ``command`` (configured by ``module``).

    Only the command that runs is configured: the other command modules are not imported.
    """
    p = argparse.ArgumentParser(prog=prog, description="postrun-kit: post-run tremor and spasm decision support. "
                                "It supports a trainer's judgement; it does not replace it.")
    p.add_argument("--version", action="version", version=f"postrun-kit {__version__}")
    p.set_defaults(prog=prog)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, entry in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=entry.help, description=entry.help)
        if name == command and module is not None:
            module.configure(sp)
    return p


def _report(message: str, status: int) -> int:
    sys.stderr.write(message + "\n")
    return status


def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Entry point of ``postrun-kit`` and ``python -m kit``; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    prog : str, optional
        The program's name in help and messages (default: :func:`prog_name`).
    """
    prog = prog or prog_name()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    try:
        module = load_command(command) if command in SUBCOMMANDS else None
        args = build_parser(prog, command, module).parse_args(argv)
        if module is None:  # no command: say what there is
            build_parser(prog).print_help(sys.stderr)
            return 2
        return int(module.run(args) or 0)
    except ModuleNotFoundError as err:
        hint = missing_extra(err)
        if hint is None:  # a package the kit always installs: that is a bug, said as such
            return _report(f"error: ModuleNotFoundError: {err}\n(this is a bug in postrun-kit; please report it)", 1)
        return _report(f"error: {hint}", 2)
    except KitError as err:  # what the user gave (every kit exception derives from it): a message, exit 2
        return _report(f"error: {err}", 2)
    except KeyboardInterrupt:
        return _report("interrupted", 130)
    except BrokenPipeError:
        return 0
    except Exception as err:  # no traceback reaches a user; say what and where
        return _report(f"error: {type(err).__name__}: {err}\n(this is a bug in postrun-kit; please report it)", 1)
