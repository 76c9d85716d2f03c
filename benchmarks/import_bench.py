"""Benchmark of ``kit log import`` (issue 11 item 8): rows per second and peak memory for a large team log.

Usage::

    python benchmarks/import_bench.py [--rows N] [--workers W] [--json]

Writes a synthetic, seeded team-log CSV of N rows (default 1,000,000: the sample season's 300
rows cycled over 60 athletes, one minute apart, so every row is distinct), then imports it into an
empty store in a fresh process (``Store.import_csv``, as ``kit log import`` does) and prints:

``rows``, ``file_mb``
    rows in the CSV and its size.
``import_s``, ``import_rows_per_s``
    wall-clock time of the import (read, validate, assess, stage, copy into the log, commit).
``cpu_s``, ``cpu_main_s``, ``cpu_workers_s``
    CPU time of the import, worker processes included (on a shared machine, wall time
    also counts other people's work: ``cpu_s`` divided by the cores used is the floor), and
    its two parts: the importing process (reading, handing out chunks, staging, the final
    copy) and the workers (converting, validating, assessing).
``peak_rss_mb``
    peak resident memory of the importing process (Linux ``VmHWM``; ``ru_maxrss`` elsewhere).
``peak_rss_worker_mb``
    the largest peak of a worker process (0 when the import used none).
``workers``, ``store_mb``
    worker processes used, and the size of the store afterwards.
``load_before``, ``load_after``
    the machine's 1-minute load average before and after the import (other people's jobs on
    the same cores make the wall time longer; CPU time hardly changes).

The target (issue 11 item 8): under 60 s and under 1 GB on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_log(path: Path, rows: int) -> None:
    """A team-log CSV of ``rows`` rows: the sample season cycled, 60 athletes, one minute apart."""
    from kit.engine.fields import FIELD_NAMES

    with open(ROOT / "data" / "sample-team-log.csv", encoding="utf-8", newline="") as fh:
        sample = list(csv.DictReader(fh))
    start = dt.datetime(2026, 3, 1, 6, 0)
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(FIELD_NAMES)
        for i in range(rows):
            r = dict(sample[i % len(sample)])
            r["athlete_id"] = f"ATH-{i % 60 + 1:02d}"
            r["observed_at"] = (start + dt.timedelta(minutes=i)).isoformat()
            if r.get("episode_id"):  # each pass over the season has its own episodes (not one episode of thousands)
                r["episode_id"] = f"{r['episode_id']}-{i // len(sample)}"
            w.writerow([r.get(n, "") for n in FIELD_NAMES])


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(csv_path: str, store_path: str, workers: int | None) -> dict:
    """Import in this (fresh) process; the measurements."""
    from kit.store import Store

    t0 = time.perf_counter()
    with Store(store_path) as st:
        report = st.import_csv(csv_path, workers=workers)
        n = len(report.ids)
    seconds = time.perf_counter() - t0
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"stored": n, "import_s": round(seconds, 2), "import_rows_per_s": round(n / seconds),
            "cpu_s": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 1),
            "cpu_main_s": round(me.ru_utime + me.ru_stime, 1), "cpu_workers_s": round(kids.ru_utime + kids.ru_stime, 1),
            "peak_rss_mb": round(_peak_mb(), 1), "peak_rss_worker_mb": round(kids.ru_maxrss / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: as kit log import chooses)")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--child", nargs=2, metavar=("CSV", "STORE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.workers)))
        return 0
    with tempfile.TemporaryDirectory(prefix="kit-import-bench-") as tmp:
        src, store = Path(tmp) / "team.csv", Path(tmp) / "bench.sqlite"
        write_log(src, args.rows)
        cmd = [sys.executable, __file__, "--child", str(src), str(store)]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            return 1
        out = {"rows": args.rows, "file_mb": round(src.stat().st_size / 2**20, 1), **json.loads(p.stdout)}
        out["store_mb"] = round(store.stat().st_size / 2**20, 1)
        out["load_before"], out["load_after"] = load_before, load_after
        from kit.store.transfer import PARALLEL_FROM_BYTES

        out["workers"] = args.workers if args.workers is not None else (
            1 if src.stat().st_size < PARALLEL_FROM_BYTES else min(2, os.cpu_count() or 1))
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>22}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
