"""``python -m kit log``: the observation log (SQLite store) from the command line.

Subcommands (each accepts ``--store PATH``; default: ``KIT_STORE``, else the user data dir):

* ``log add [FILE|-]``: one observation object or a list (JSON); all or nothing, a bad
  item is named by its position;
* ``log list [--athlete ID] [--json]``: the log with the assessment stored at the time;
* ``log export --format csv|json [--out PATH] [--athlete ID]``: stdout without ``--out``;
* ``log import FILE [--skip-bad] [--rejects PATH] [--allow-duplicates]``: a CSV team log (or a JSON list);
  rows identical to stored observations are skipped with a warning (unless ``--allow-duplicates``);
  every bad row is reported with its line number and nothing is stored, unless
  ``--skip-bad`` (good rows stored, bad rows written to a reject file);
* ``log info``: where the store is, schema version, counts, integrity check;
* ``log correct ID [FILE|-]``: a corrected observation that supersedes ID (the old one kept, marked);
* ``log erase --athlete ID | --id ID [--yes]``: remove observations and drafts for good (file and -wal scrubbed);
* ``log audit [--json]``: who did what and when (counts only, never health data);
* ``log list --episode ID`` and ``log episodes [--athlete ID] [--json]``: episodes (contract v0.2 ``episode_id``).

``list``, ``export``, ``info``, ``episodes`` and ``audit`` open only an existing store, read-only (else exit 1 "no store at
PATH"); ``add`` and ``import`` create it.

Exit status: 0 done; 2 invalid input (message on stderr, nothing on stdout); 1 the store
could not be used (read-only, disk full, locked, not a store), with a message on stderr.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

from kit.cli.argtypes import row_id
from kit.cli.assess import read_json_input
from kit.engine.ids import lookalike_warnings
from kit.engine.observation import ObservationError, Problem
from kit.errors import InputError
from kit.store.db import (
    SCHEMA_VERSION,
    UNSAVED_NOTE,
    LogImportError,
    Store,
    StoreError,
    StoreRequestError,
    default_store_path,
    unreadable_store,
)

__all__ = ["configure", "run"]


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="PATH", default=None,
                   help="the store file (default: $KIT_STORE, else postrun.sqlite in the user data directory)")


def _id_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("id", type=row_id, metavar="ID", help=f"{what} (as the 'log list' command shows it)")


def configure(parser: argparse.ArgumentParser) -> None:
    """Build the ``log`` sub-subcommands."""
    sub = parser.add_subparsers(dest="log_command", metavar="SUBCOMMAND")
    sub.required = True
    p = sub.add_parser("add", help="store one observation or a list (JSON): all or nothing",
                       description="Validate, assess and store observations (JSON object or list). "
                                   "observed_at is filled with the current UTC time when absent.")
    p.add_argument("file", nargs="?", default="-", help="JSON file (default: stdin)")
    p.add_argument("--json", action="store_true", help="print the stored ids and assessments as JSON")
    _store_arg(p)
    p = sub.add_parser("list", help="list the log with the assessment stored at the time")
    p.add_argument("--athlete", metavar="ID", default=None, help="only this athlete")
    p.add_argument("--all", action="store_true", help="also the versions a correction replaced (marked 'superseded by #N')")
    p.add_argument("--episode", metavar="ID", default=None, help="only this episode (its first entry and rechecks)")
    p.add_argument("--json", action="store_true", help="JSON: id, observation, assessment, kit_version, saved_at")
    _store_arg(p)
    p = sub.add_parser("export", help="export the log (CSV or JSON) with the contract's field names")
    p.add_argument("--format", choices=("csv", "json"), required=True, help="csv (team-log columns) or json (list of observations)")
    p.add_argument("--out", metavar="PATH", default=None, help="write here (atomically) instead of stdout")
    p.add_argument("--with-assessment", action="store_true",
                   help="add what was shown: escalation, top_cause, flags, rule_set, kit_version, saved_at")
    p.add_argument("--athlete", metavar="ID", default=None, help="only this athlete")
    _store_arg(p)
    p = sub.add_parser("import", help="import a team-log CSV (or JSON list): every row validated first",
                       description="Import a team-log CSV (contract field names as columns) or a JSON list. Nothing is "
                                   "stored if any row is bad, unless --skip-bad.")
    p.add_argument("file", help="CSV file (.json files are read as JSON)")
    p.add_argument("--skip-bad", action="store_true", help="store the good rows; write the bad ones to a reject file")
    p.add_argument("--rejects", metavar="PATH", default=None, help="reject file (default: FILE.rejects.csv)")
    p.add_argument("--allow-duplicates", action="store_true",
                   help="also store rows identical to observations already stored (default: skip them, with a warning)")
    _store_arg(p)
    p = sub.add_parser("info", help="where the store is, schema version, counts, integrity check")
    _store_arg(p)
    p = sub.add_parser("show", help="one observation with its whole assessment (actions, evidence, reasons) as JSON",
                       description="Print one stored observation and its whole assessment as JSON. An imported row stores "
                                   "a summary; its detail is computed now (a recheck with its episode's earlier entries) "
                                   "and checked against the stored summary.")
    _id_arg(p, "the observation")
    _store_arg(p)
    p = sub.add_parser("correct", help="store a corrected observation that supersedes observation ID (the old one is kept)",
                       description="Store a corrected observation (JSON object) that supersedes observation ID. The old "
                                   "version is kept for the record, marked superseded; list, export and handouts show "
                                   "the current one ('list --all' shows both).")
    _id_arg(p, "the observation to correct")
    p.add_argument("file", nargs="?", default="-", help="JSON file with the whole corrected observation (default: stdin)")
    _store_arg(p)
    p = sub.add_parser("erase", help="erase an athlete's observations and drafts (or one observation) for good",
                       description="Remove every observation and draft of an athlete (--athlete), or one observation with "
                                   "its corrections (--id), and scrub the file and its -wal so no readable copy stays. "
                                   "Recorded in the audit trail without the id. Asks for confirmation unless --yes.")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--athlete", metavar="ID", help="every observation and draft of this athlete")
    who.add_argument("--id", type=row_id, metavar="ID", help="this observation (and its earlier/later versions)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _store_arg(p)
    p = sub.add_parser("episodes", help="one line per episode: start, end, entries, highest and final tier, treatments, "
                                        "time to resolution")
    p.add_argument("--athlete", metavar="ID", default=None, help="only this athlete's episodes")
    p.add_argument("--json", action="store_true", help="JSON list of episode summaries")
    _store_arg(p)
    p = sub.add_parser("audit", help="who did what and when (add, import, export, correct, erase, handout)")
    p.add_argument("--json", action="store_true", help="JSON list of audit entries")
    _store_arg(p)


def _read_json(path: str) -> Any:
    try:
        return read_json_input(path)
    except ValueError as err:  # e.g. an integer with more than 4300 digits
        raise InputError(f"{'standard input' if path in (None, '-') else path} cannot be read as JSON: {err}") from None


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Run a ``log`` subcommand; returns the exit status."""
    if getattr(args, "athlete", None):  # ids are stored in NFC (kit.engine.ids): "Zoe" + U+0301 finds "Zoé"
        args.athlete = unicodedata.normalize("NFC", args.athlete)
    read_only = args.log_command in _READ_ONLY
    if read_only:  # reading never creates a store (nor its folders), and works on a read-only file or folder
        path = default_store_path(args.store)
        problem = unreadable_store(path)
        if problem is not None:
            more = (f" (nothing was created; '{args.prog} log add' or '{args.prog} log import' make one, or give --store PATH / "
                    "KIT_STORE)"
                    if not path.exists() else "")
            sys.stderr.write(f"error: {problem}{more}\n")
            return 1
    try:
        with Store(args.store, read_only=read_only) as st:
            before = (set(st.athletes()) if os.path.exists(st.path) else set()) if args.log_command in ("add", "import") else None
            rc = _COMMANDS[args.log_command](st, args)
            if before is not None:
                _warn_lookalikes(before, set(st.athletes()))
            return rc
    except StoreError as err:
        sys.stderr.write(f"error: {_cli_store_message(err, args)}\n")
        return 1
    except StoreRequestError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2


def _warn_lookalikes(before: set[str], after: set[str]) -> None:
    """Warn about each newly stored athlete id that mixes scripts or looks like another id (kit.engine.ids, TR39 skeletons)."""
    for w in lookalike_warnings(after - before, after):
        sys.stderr.write(f"warning: {w}\n")


def _cli_store_message(err: Exception, args: argparse.Namespace) -> str:
    """A store error in the CLI's words: what happened to the input (never Python attribute names)."""
    text = str(err).replace(UNSAVED_NOTE, "").rstrip()
    if args.log_command not in ("add", "import", "correct"):
        return text
    if not text.endswith((".", "!", "?")):  # one sentence ends before the next begins
        text += "."
    file = getattr(args, "file", None)
    if file in (None, "-"):
        return text + " Nothing was stored; re-run the command with the same input once the store is fixed."
    return text + f" Nothing was stored; {file} is unchanged: re-run the command once the store is fixed."


def _add(st: Any, args: argparse.Namespace) -> int:
    data = _read_json(args.file)
    source = "standard input" if args.file in (None, "-") else args.file
    if isinstance(data, list) and not data:
        raise ObservationError([Problem("<observation>", [], "the list is empty: expected at least one observation")])
    if isinstance(data, list):
        try:
            ids = st.save_many(data, source="cli")
        except LogImportError:
            raise
        except ObservationError as err:  # name each bad item by its position in the list (0-based)
            n_bad = len({p.row for p in err.problems})
            raise LogImportError(err.problems, source=f"{source} (list of {len(data)})", what="item", n_bad=n_bad) from None
    else:
        ids = [st.save(data, source="cli")]
    rows = [st.get(i) for i in ids]
    if args.json:
        _out(json.dumps([{"id": r["id"], "observation": r["observation"], "assessment": r["assessment"]} for r in rows],
                        ensure_ascii=False, indent=2) + "\n")
    else:
        lines = [f"saved #{r['id']} {_who(r['observation'])} {r['observation']['observed_at']}: "
                 f"{r['assessment']['escalation']} ({r['assessment']['top_cause'] or 'no leading cause'})" for r in rows]
        _out("\n".join(lines) + f"\n{len(rows)} observation{'s' if len(rows) != 1 else ''} saved to {st.path}\n")
    return 0


def _who(obs: dict[str, Any]) -> str:
    return obs.get("athlete_id") or "(no athlete id)"


def _suggest_athlete(st: Any, athlete: str | None, prog: str) -> None:
    """On stderr: the stored athlete id closest to an ``--athlete`` that matched nothing."""
    if not athlete or st.count(athlete):
        return
    known = st.athletes()
    same_case = [a for a in known if a.casefold() == athlete.casefold()]
    close = same_case or difflib.get_close_matches(athlete, known, n=1) or difflib.get_close_matches(
        athlete.casefold(), [a.casefold() for a in known], n=1)
    if close and close[0] not in known:  # matched case-insensitively: show the stored spelling
        close = [next(a for a in known if a.casefold() == close[0])]
    case = " (ids are case-sensitive)" if close and close[0].casefold() == athlete.casefold() else ""
    hint = f"; did you mean {close[0]!r}?{case}" if close else f" ({len(known)} athletes stored; '{prog} log list' shows them)"
    sys.stderr.write(f"note: no observation of athlete {athlete!r}{hint}\n")


def _list(st: Any, args: argparse.Namespace) -> int:
    entries = st.entries(args.athlete, include_superseded=args.all, episode_id=args.episode)
    if not entries:
        _suggest_athlete(st, args.athlete, args.prog)
    if args.json:
        _out(json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
        return 0
    head = ("id", "observed_at", "athlete", "episode", "escalation", "top cause", "flags", "rules", "kit")
    rows = [(str(e["id"]), e["observation"]["observed_at"], _clean(_who(e["observation"]), 24), _clean(e.get("episode_id") or "-", 24),
             e["assessment"].get("escalation") or "-", e["assessment"].get("top_cause") or "-", ",".join(e["assessment"].get("flags") or ()) or "-",
             e.get("rule_set") or "-", e["kit_version"] + (f"  superseded by #{e['superseded_by']}" if e.get("superseded_by") else "")
             + (f"  corrects #{e['supersedes']}" if args.all and e.get("supersedes") else ""))
            for e in entries]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip()] + [fmt.format(*r).rstrip() for r in rows]
    who = f" for {args.athlete!r}" if args.athlete else ""
    who += f" in episode {args.episode!r}" if args.episode else ""
    lines.append(f"{len(rows)} observation{'s' if len(rows) != 1 else ''}{who} in {st.path}")
    _out("\n".join(lines) + "\n")
    return 0


def _clean(text: str, width: int) -> str:
    """Printable, one line, at most ``width`` characters (ids are shown, never interpreted)."""
    t = "".join(c if c.isprintable() else "?" for c in text)
    return t if len(t) <= width else t[: width - 1] + "…"


def _file_arg(option: str, value: str | None, example: str) -> None:
    """Exit 2 (InputError) when a file option names a folder or a path under a file."""
    if value is None:
        return
    p = Path(value)
    if p.is_dir():
        raise InputError(f"{option} {value} is a folder; give a file name, e.g. {p / example}")
    parent = next((a for a in p.parents if a.exists()), None)
    if parent is not None and not parent.is_dir():
        raise InputError(f"{option} {value}: {parent} is a file, not a folder")


def _export(st: Any, args: argparse.Namespace) -> int:
    _file_arg("--out", args.out, f"postrun-log.{args.format}")
    _suggest_athlete(st, args.athlete, args.prog)
    if args.out:
        st.export(args.format, args.out, athlete_id=args.athlete, with_assessment=args.with_assessment)  # audited
        sys.stderr.write(f"exported {st.count(args.athlete)} observations to {args.out}\n")
        recorded = True
    else:
        _out(st.export_text(args.format, args.athlete, with_assessment=args.with_assessment))
        recorded = st.record("export", st.count(args.athlete), f"{args.format} {'one athlete' if args.athlete else 'whole log'} "
                                                               "to standard output")
    if not recorded:
        sys.stderr.write("note: this export is not in the audit trail (the store cannot be written here)\n")
    return 0


def _import(st: Any, args: argparse.Namespace) -> int:
    _file_arg("--rejects", args.rejects, "rejects.csv")
    if str(args.file).lower().endswith(".json"):
        report = st.import_json(args.file, skip_bad=args.skip_bad, allow_duplicates=args.allow_duplicates)
        if report.bad:
            sys.stderr.write(f"{len(report.bad)} bad items skipped (not stored):\n")
            for i, _, probs in report.bad:
                for p in probs:
                    sys.stderr.write(f"  - item {i}: {p.field}: {p.message}\n")
    else:
        report = st.import_csv(args.file, skip_bad=args.skip_bad, rejects=args.rejects, allow_duplicates=args.allow_duplicates)
        if report.bad:
            n = report.n_bad or len(report.bad)
            sys.stderr.write(f"{n} bad row{'s' if n != 1 else ''} not stored, written to "
                             f"{report.rejects_path} (fix them there and import that file):\n")
            for line, _, probs in report.bad[:100]:
                for p in probs:
                    sys.stderr.write(f"  - line {line}: {p.field}: {p.message}\n")
            if n > 100:
                sys.stderr.write(f"  ... and {n - 100} more rows in {report.rejects_path}\n")
    dup = report.duplicates
    if dup:
        what = "item" if str(args.file).lower().endswith(".json") else "line"
        shown = ", ".join(map(str, dup[:20])) + (f", ... ({len(dup) - 20} more)" if len(dup) > 20 else "")
        sys.stderr.write(f"warning: {len(dup)} row{'s' if len(dup) != 1 else ''} identical to observations already stored "
                         f"(same athlete, observed_at and values) skipped ({what}{'s' if len(dup) != 1 else ''} {shown}); "
                         "--allow-duplicates stores them\n")
    skipped = f", {len(dup)} duplicate{'s' if len(dup) != 1 else ''} skipped" if dup else ""
    _out(f"imported {len(report.ids)} observation{'s' if len(report.ids) != 1 else ''} from {args.file} into {st.path}{skipped}\n")
    return 0


def _correct(st: Any, args: argparse.Namespace) -> int:
    data = _read_json(args.file)
    if not isinstance(data, dict):
        raise ObservationError([Problem("<observation>", None, "a correction is one observation (a JSON object), not a list")])
    new = st.correct(args.id, data, source="cli:correct")
    r = st.get(new)
    _out(f"saved #{new} {_who(r['observation'])} {r['observation']['observed_at']}: {r['assessment']['escalation']} "
         f"({r['assessment']['top_cause'] or 'no leading cause'}); it corrects #{args.id}, which is kept as superseded\n")
    return 0


def _erase(st: Any, args: argparse.Namespace) -> int:
    what = f"every observation and draft of athlete {args.athlete!r}" if args.athlete is not None else \
        f"observation #{args.id} and its corrections"
    if not args.yes:
        sys.stderr.write(f"This erases {what} from {st.path} for good. Type 'yes' to erase: ")
        sys.stderr.flush()
        answer = sys.stdin.readline().strip().lower() if sys.stdin else ""
        if answer != "yes":
            raise InputError(f"not confirmed: nothing was erased (type 'yes', or add --yes to erase {what})")
    rep = st.erase(athlete_id=args.athlete, row_id=args.id)
    _out(f"erased {rep.observations} observation{'s' if rep.observations != 1 else ''} and {rep.drafts} "
         f"draft{'s' if rep.drafts != 1 else ''} from {st.path}\n")
    if not rep.scrubbed:
        sys.stderr.write("warning: another program has the store open, so its -wal file could not be emptied; close it "
                         f"(notebooks, the app) and run '{args.prog} log erase' again to remove every copy\n")
        return 1
    sys.stderr.write("note: files written earlier (exports, handouts, score output) are not touched: delete them too "
                     f"('{args.prog} log audit' lists when they were made)\n")
    return 0


def _episodes(st: Any, args: argparse.Namespace) -> int:
    eps = st.episodes(args.athlete)
    if not eps:
        _suggest_athlete(st, args.athlete, args.prog)
    if args.json:
        _out(json.dumps([e.to_dict() for e in eps], ensure_ascii=False, indent=2) + "\n")
        return 0
    head = ("episode", "athlete", "start", "end", "entries", "highest", "final", "treatments", "resolved after")
    cells = [(_clean(e.episode_id, 24), _clean(e.athlete_id or "-", 24), e.start, e.end, str(e.entries), e.highest_tier, e.final_tier,
              _clean(", ".join(f"{a} x{n}" if n > 1 else a for a, n in e.treatments.items()) or "-", 60),
              f"{e.minutes_to_resolution:g} min" if e.minutes_to_resolution is not None else "not resolved")
             for e in eps]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip()] + [fmt.format(*c).rstrip() for c in cells]
    who = f" for {args.athlete!r}" if args.athlete else ""
    lines.append(f"{len(eps)} episode{'s' if len(eps) != 1 else ''}{who} in {st.path}")
    _out("\n".join(lines) + "\n")
    return 0


def _audit_list(st: Any, args: argparse.Namespace) -> int:
    rows = st.audit()
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    head = ("at (UTC)", "user", "action", "rows", "detail")
    cells = [(a["at"], _clean(a["os_user"], 24), a["action"], str(a["rows"]), _clean(a["detail"], 80)) for a in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip()] + [fmt.format(*c).rstrip() for c in cells]
    lines.append(f"{len(rows)} audit entr{'ies' if len(rows) != 1 else 'y'} in {st.path}")
    _out("\n".join(lines) + "\n")
    return 0


def _show(st: Any, args: argparse.Namespace) -> int:
    entry = st.get(args.id)
    if entry is None:
        raise StoreRequestError(f"there is no observation #{args.id} in {st.path} ('{args.prog} log list' shows the ids)")
    _out(json.dumps({**entry, "assessment": st.assessment_detail(args.id)}, ensure_ascii=False, indent=2) + "\n")
    return 0


def _info(st: Any, args: argparse.Namespace) -> int:
    _out(f"store: {st.path}\nschema version: {st.schema_version()} (this kit: {SCHEMA_VERSION})\n"
         f"observations: {st.count()}\nathletes: {len(st.athletes())}\nintegrity check: {st.integrity_check()}\n")
    return 0


_READ_ONLY = frozenset({"list", "export", "info", "audit", "episodes", "show"})
_COMMANDS = {"add": _add, "list": _list, "export": _export, "import": _import, "info": _info, "correct": _correct,
             "erase": _erase, "audit": _audit_list, "episodes": _episodes, "show": _show}
