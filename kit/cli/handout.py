"""``handout``: one athlete's episode on one self-contained HTML page (or one page per athlete with ``--all``).

The build is :mod:`kit.handout.build` (where the observations come from, running the template,
writing the file); this module holds the command's arguments and its run.

Where the observations come from: ``--log`` (a team-log CSV or a store file), else ``--store``
or the trainer's store (:func:`kit.store.db.default_store_path`) when it exists; with neither
(a fresh installation), the synthetic sample team log shipped with the kit
(:func:`kit.resources.sample_log_path`), said so on stderr.

This module is imported only when ``handout`` runs: it needs the ``[lab]`` extra (nbconvert).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import nbconvert  # noqa: F401  (imported before --jobs forks its workers, which inherit it)
from tqdm import tqdm

from kit.cli.argtypes import non_negative_int
from kit.errors import InputError
from kit.handout.build import (
    PSEUDONYM_ENV,
    TeamSource,
    _import_jsonschema_without_iri_grammars,
    out_path,
    pseudonym_key,
    write_handout,
)
from kit.resources import sample_log_path
from kit.store.db import default_store_path

__all__ = ["configure", "run", "team_log_source", "MAX_WORKERS"]

#: The most worker processes ``--jobs 0`` starts (a handout takes a fraction of a second in-process).
MAX_WORKERS = 4

#: One handout to write: (records, output folder, pseudonymise, pseudonym key, date printed).
Job = tuple[list[dict[str, Any]], str, bool, str | None, str]


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``handout``."""
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--athlete", metavar="ID", help="the athlete's id")
    who.add_argument("--all", action="store_true", help="one handout per athlete (with a progress bar)")
    parser.add_argument("--log", metavar="PATH", help="a team-log CSV or a SQLite store file (default: your store; "
                                                      "without one yet, the sample team log shipped with the kit)")
    parser.add_argument("--store", metavar="PATH", help="the store to read when --log is not given")
    parser.add_argument("--out", metavar="DIR", default="handouts",
                        help="output folder (default: handouts); with --athlete, a path ending in .html is the file itself")
    parser.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                        help=f"show a stable pseudonym (Runner-XXXXXX) instead of the id (key: ${PSEUDONYM_ENV} or a "
                             "key file in the user data folder)")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="date printed on the handout (default: today)")
    parser.add_argument("--jobs", type=non_negative_int, default=1, metavar="N",
                        help=f"parallel worker processes for --all (default 1: a handout takes a fraction of a second "
                             f"in-process; 0 = CPUs, at most {MAX_WORKERS})")


def team_log_source(log: str | None, store: str | None) -> str | None:
    """The ``--log`` to read: the one given; ``None`` (the store) when a store is named or exists; else the sample log.

    The sample log is used only when the user gave neither and has no store yet (a fresh
    installation); :func:`run` says so on stderr.
    """
    if log is not None or store is not None or default_store_path().exists():
        return log
    return os.fspath(sample_log_path())


def run(args: argparse.Namespace) -> int:
    """Write the handout(s) and print the path of each."""
    if args.date:
        try:
            dt.date.fromisoformat(args.date)
        except ValueError:
            raise InputError(f"--date {args.date!r} is not a date like 2026-05-01") from None
    day = args.date or dt.date.today().isoformat()
    out_path(args.out, "handout.html", single=not args.all, create=False)  # a bad --out fails before any work
    log = team_log_source(args.log, args.store)
    if log is not None and args.log is None:
        sys.stderr.write(f"note: no store yet ({default_store_path()}): using the SAMPLE team log shipped with the kit "
                         f"({Path(log).name}, made-up athletes); give --log or --store for your team\n")
    _import_jsonschema_without_iri_grammars()  # measured start-up reason: see its docstring
    src = TeamSource(log, args.store, prog=args.prog)
    try:
        if not args.all:
            records = src.observations(args.athlete)
            print(write_handout(records, args.out, pseudonymise=args.pseudonymise, generated_on=day))
            src.record(1, len(records))
            return 0
        athletes = src.athletes()
        if not athletes:
            raise InputError(f"no athlete in {src.where}")
        key = pseudonym_key().decode("utf-8") if args.pseudonymise else None
        jobs: list[Job] = [(src.observations(a), args.out, args.pseudonymise, key, day) for a in athletes]
    finally:
        src.close()
    status = _run_all(jobs, args.jobs)
    src.record(len(jobs), sum(len(j[0]) for j in jobs))
    return status


def _one(job: Job) -> str:
    records, out_dir, pseudo, key, day = job
    return str(write_handout(records, out_dir, pseudonymise=pseudo, key=key, generated_on=day))


def _run_all(jobs: list[Job], workers: int) -> int:
    """Write every handout (in ``workers`` processes; 0: the CPUs, at most :data:`MAX_WORKERS`) and print the paths."""
    n = workers if workers > 0 else min(MAX_WORKERS, os.cpu_count() or 1)
    n = max(1, min(n, len(jobs)))
    t0 = time.perf_counter()
    written = []
    if n == 1:
        with tqdm(total=len(jobs), desc="handouts", unit="athlete", file=sys.stderr, disable=None) as bar:
            for j in jobs:
                written.append(_one(j))
                bar.update()
    else:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:  # workers start before any tqdm thread
            futures = [pool.submit(_one, j) for j in jobs]
            with tqdm(total=len(jobs), desc="handouts", unit="athlete", file=sys.stderr, disable=None) as bar:
                for f in as_completed(futures):
                    written.append(f.result())
                    bar.update()
    for p in sorted(written):
        print(p)
    sys.stderr.write(f"{len(written)} handouts in {time.perf_counter() - t0:.1f} s\n")
    return 0
