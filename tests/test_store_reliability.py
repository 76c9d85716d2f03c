"""The log never loses a save that returned: SIGKILL at random moments, two writers at once.

Children are forked (multiprocessing "fork" context, so a child starts saving within
milliseconds and the kills land mid-save, mid-commit or mid-checkpoint) plus a few real
``python`` subprocesses. A child acknowledges a save by appending "seq id" to an ack file
with one ``os.write`` *after* ``Store.save`` returned; a kill between the commit and the
ack leaves an unacknowledged row, which is allowed; an acknowledged row that is missing
is a lost observation, which is not.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.store import Store, ensure_sample_store

ROOT = Path(__file__).resolve().parents[1]
CTX = mp.get_context("fork")
KILLS = 30  # forked children killed with SIGKILL
SUBPROCESS_KILLS = 4  # plus real interpreter processes killed the same way


def _obs(seq: int) -> dict:
    return {"athlete_id": f"K{seq % 7:02d}", "observed_at": f"2026-06-{1 + seq % 28:02d}T10:{seq % 60:02d}:00",
            "tremor": seq % 2 == 0, "pain_score": float(seq % 10), "notes": f"seq={seq} " + "x" * (seq % 300)}


def _saver(path: str, ack: str, first_seq: int) -> None:
    """Save forever (single saves, batches and drafts), acknowledging each save after it returned."""
    st = Store(path)
    st._db().execute("PRAGMA wal_autocheckpoint = 20")  # checkpoint often, so kills land in checkpoints too
    fd = os.open(ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    seq = first_seq
    while True:
        if seq % 9 == 0:
            seqs = list(range(seq, seq + 4))
            ids = st.save_many([_obs(s) for s in seqs])
            os.write(fd, "".join(f"{s} {i}\n" for s, i in zip(seqs, ids, strict=True)).encode())
            seq += 4
            continue
        if seq % 5 == 0:
            st.save_draft({"athlete_id": "K00", "pain_score": str(seq)})
        i = st.save(_obs(seq))
        os.write(fd, f"{seq} {i}\n".encode())
        seq += 1


def _acks(ack: Path) -> dict[int, int]:
    out = {}
    for line in ack.read_text().splitlines(keepends=True):
        if line.endswith("\n"):
            s, i = line.split()
            out[int(s)] = int(i)
    return out


def _check_nothing_lost(path: Path, ack: Path, kills: int) -> dict[str, int]:
    acks = _acks(ack)
    with Store(path) as st:
        assert st.integrity_check() == "ok"
        rows = {e["id"]: e["observation"] for e in st.entries()}
    lost = [s for s, i in acks.items() if i not in rows or rows[i] != _obs(s)]
    assert lost == [], f"acknowledged saves missing after kills: {lost[:10]}"
    seqs = [int(o["notes"].split()[0][4:]) for o in rows.values()]
    assert len(seqs) == len(set(seqs)), "an observation was stored twice"
    unacked = len(rows) - len(acks)
    assert 0 <= unacked <= kills * 4  # at most the save (or batch of 4) in flight at each kill
    return {"acked": len(acks), "rows": len(rows), "committed_not_acked": unacked, "lost": len(lost)}


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_an_acknowledged_save(tmp_path):
    path, ack = tmp_path / "crash.sqlite", tmp_path / "acks.txt"
    Store(path).count()  # create the file once, so kills exercise saving rather than creation
    rng = random.Random(1234)
    killed = 0
    for life in range(KILLS):
        p = CTX.Process(target=_saver, args=(str(path), str(ack), life * 1_000_000), daemon=True)
        p.start()
        time.sleep(rng.uniform(0.01, 0.12))
        os.kill(p.pid, signal.SIGKILL)
        p.join(10)
        assert p.exitcode == -signal.SIGKILL, f"child {life} was not killed mid-loop (exit {p.exitcode})"
        killed += 1
        if life % 10 == 9:  # the store must be usable (and intact) between crashes too
            with Store(path) as st:
                assert st.integrity_check() == "ok"
    stats = _check_nothing_lost(path, ack, killed)
    assert killed >= 20 and stats["acked"] >= KILLS, stats
    print(f"\nSIGKILL crash test: {killed} kills, {stats}")


_CHILD = """
import os, sys
sys.path.insert(0, {root!r})
from kit.store import Store
sys.path.insert(0, {tests!r})
from test_store_reliability import _obs
st = Store(sys.argv[1]); st.count()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
seq = int(sys.argv[3])
print("ready", flush=True)
while True:
    i = st.save(_obs(seq)); os.write(fd, f"{{seq}} {{i}}\\n".encode()); seq += 1
"""


@pytest.mark.slow
def test_sigkill_of_a_separate_interpreter_never_loses_an_acknowledged_save(tmp_path):
    path, ack = tmp_path / "crash2.sqlite", tmp_path / "acks2.txt"
    code = _CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"))
    rng = random.Random(99)
    for life in range(SUBPROCESS_KILLS):
        p = subprocess.Popen([sys.executable, "-c", code, str(path), str(ack), str(life * 1_000_000)], stdout=subprocess.PIPE, text=True)
        try:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.02, 0.15))
            p.send_signal(signal.SIGKILL)
        finally:
            p.wait(10)
            if p.stdout:
                p.stdout.close()
        assert p.returncode == -signal.SIGKILL
    stats = _check_nothing_lost(path, ack, SUBPROCESS_KILLS)
    assert stats["acked"] > 10, stats


def _burst(path: str, who: int, n: int, barrier: mp.synchronize.Barrier, times: mp.Array | None = None) -> None:
    st = Store(path)
    barrier.wait(30)
    t0 = time.time()
    for k in range(n):
        st.save({"athlete_id": f"P{who}", "observed_at": "2026-07-01T10:00:00", "spasm": True, "notes": f"{who}:{k}"})
    if times is not None:
        times[2 * who], times[2 * who + 1] = t0, time.time()
    st.close()


@pytest.mark.slow
def test_two_processes_saving_500_each_at_once_store_all_1000(tmp_path):
    path = tmp_path / "two.sqlite"
    Store(path).count()
    barrier = CTX.Barrier(3)
    times = CTX.Array("d", 4)
    procs = [CTX.Process(target=_burst, args=(str(path), w, 500, barrier, times)) for w in (0, 1)]
    for p in procs:
        p.start()
    barrier.wait(30)
    t0 = time.perf_counter()
    for p in procs:
        p.join(120)
    elapsed = time.perf_counter() - t0
    assert [p.exitcode for p in procs] == [0, 0]
    with Store(path) as st:
        assert st.count() == 1000 and st.integrity_check() == "ok"
        notes = {o["notes"] for o in st.observations()}
        assert notes == {f"{w}:{k}" for w in (0, 1) for k in range(500)}
        order = [o["athlete_id"] for o in st.observations()]
        switches = sum(1 for a, b in itertools.pairwise(order) if a != b)  # how often the lock changed hands
    assert max(times[0], times[2]) < min(times[1], times[3]), "the two writers did not overlap in time"
    print(f"\ntwo writers: 1000 saves in {elapsed:.2f} s, {switches} switches between writers, 0 lost")


def test_a_save_waits_for_a_writer_that_holds_the_lock(tmp_path):
    path = tmp_path / "lock.sqlite"
    Store(path).count()
    barrier = CTX.Barrier(2)
    p = CTX.Process(target=_burst, args=(str(path), 7, 3, barrier))
    p.start()  # fork first: SQLite must not be open in the parent when a child is forked
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
    barrier.wait(30)
    t0 = time.perf_counter()
    time.sleep(1.0)
    holder.execute("COMMIT")
    holder.close()
    p.join(30)
    assert p.exitcode == 0 and time.perf_counter() - t0 >= 1.0
    assert Store(path).count() == 3


def _sample(path: str, barrier: mp.synchronize.Barrier) -> None:
    barrier.wait(30)
    ensure_sample_store(path).close()


def test_two_processes_preparing_the_demo_store_import_the_sample_once(tmp_path):
    path = tmp_path / "demo.sqlite"
    barrier = CTX.Barrier(2)
    procs = [CTX.Process(target=_sample, args=(str(path), barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert Store(path).count() == 322  # the sample log: 300 single rows + 22 episode entries
