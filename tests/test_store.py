"""The observation log (kit.store): API, canonical form, history, migrations, drafts, failures."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import kit
import kit.engine.assessment
import kit.store.csvio
import kit.store.rows
from kit.engine.fields import FIELD_NAMES
from kit.engine.observation import ObservationError
from kit.store import (
    MIGRATIONS,
    SAMPLE_LOG,
    SCHEMA_VERSION,
    LogImportError,
    Store,
    StoreError,
    canonical_observation,
    default_store_path,
    ensure_sample_store,
)

ROOT = Path(__file__).resolve().parents[1]
OBS = {"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True, "blood_glucose": 62, "blood_glucose_unit": "mg/dL"}


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "log.sqlite")
    yield st
    st.close()


def test_save_returns_id_and_stores_contract_json_with_the_assessment_shown(store):
    i = store.save(OBS)
    row = store.get(i)
    assert row["observation"] == {"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True,
                                  "blood_glucose": 62.0, "blood_glucose_unit": "mg/dL"}
    assert row["assessment"] == kit.assess(OBS).to_dict()
    assert row["kit_version"] == kit.__version__
    db = sqlite3.connect(store.path)
    cols = {r[1] for r in db.execute("PRAGMA table_info(observations)")}
    assert {"athlete_id", "observed_at", "observation_json", "assessment_json", "kit_version"} <= cols
    idx = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observations'")]
    assert any("athlete_id" in s for s in idx) and any("observed_sort" in s for s in idx)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_observed_at_is_filled_with_utc_now_when_absent(store):
    i = store.save({"athlete_id": "ATH-02", "spasm": True})
    at = store.get(i)["observation"]["observed_at"]
    assert at.endswith("+00:00") and "T" in at
    assert list(store.get(i)["observation"]) == ["athlete_id", "observed_at", "spasm"]


def test_invalid_observation_is_rejected_and_nothing_is_stored(store):
    with pytest.raises(ObservationError, match="pain_score"):
        store.save({"athlete_id": "A", "pain_score": 11})
    with pytest.raises(ObservationError, match="did you mean 'tremor'"):
        store.save({"tremmor": True})
    assert store.count() == 0


def test_save_many_is_all_or_nothing_and_names_the_bad_item(store):
    with pytest.raises(ObservationError) as ei:
        store.save_many([OBS, {"athlete_id": "B", "core_temp_c": 60}, OBS])
    assert [p.row for p in ei.value.problems] == [1]
    assert store.count() == 0
    assert len(store.save_many([OBS, OBS])) == 2


def test_history_keeps_the_assessment_shown_at_the_time_after_a_rule_change(store, monkeypatch):
    shown = kit.assess(OBS)
    i = store.save(OBS, assessment=shown)
    real = kit.engine.assessment.assess

    def changed_rules(obs):  # a later kit version with different rules
        a = real(obs)
        from dataclasses import replace

        return replace(a, escalation="emergency")

    monkeypatch.setattr(kit.engine.assessment, "assess", changed_rules)
    monkeypatch.setattr(kit.store.rows, "__version__", "9.9.9")  # the store reads kit.__version__ once, at import
    j = store.save(OBS)
    h = store.history("ATH-01")
    assert h.set_index("id").loc[i, "escalation"] == shown.escalation
    assert h.set_index("id").loc[i, "kit_version"] == "0.1.0"
    assert h.set_index("id").loc[j, "escalation"] == "emergency"
    assert h.set_index("id").loc[j, "kit_version"] == "9.9.9"


def test_order_is_by_observed_time_then_id_and_frame_fits_assess_frame(store):
    store.save({"athlete_id": "B", "observed_at": "2026-05-02T10:00:00+02:00", "spasm": True})  # 08:00 UTC
    store.save({"athlete_id": "A", "observed_at": "2026-05-02T09:00:00Z", "tremor": True})
    store.save({"athlete_id": "A", "observed_at": "2026-05-01T09:00:00", "pain_score": 3})
    store.save({"athlete_id": "C", "observed_at": "2026-05-01T09:00:00"})
    assert [(o["athlete_id"], o["observed_at"][:10]) for o in store.observations()] == [
        ("A", "2026-05-01"), ("C", "2026-05-01"), ("B", "2026-05-02"), ("A", "2026-05-02")]
    assert store.athletes() == ["A", "B", "C"]
    df = store.frame()
    assert list(df.columns) == ["id", *FIELD_NAMES]
    out = kit.assess_frame(df, extra="ignore", progress=False)
    assert out["escalation"].tolist() == [kit.assess(o).escalation for o in store.observations()]
    assert len(store.frame("A")) == 2 and store.count("A") == 2
    assert list(store.history("C").columns[-6:]) == ["escalation", "top_cause", "flags", "kit_version", "saved_at", "rule_set"]


def test_empty_store_gives_empty_frames(store):
    assert store.frame().empty and list(store.frame().columns) == ["id", *FIELD_NAMES]
    assert store.history().empty and store.observations() == [] and store.athletes() == []


def test_canonical_form_strips_ids_normalises_line_breaks_and_refuses_control_chars_in_ids():
    c = canonical_observation({"athlete_id": "  ATH-01 ", "observed_at": " 2026-05-01T09:30:00 ", "notes": "a\r\nb\rc",
                               "pain_score": 3, "prior_episodes_30d": 2.0, "run_distance_km": -0.0})
    assert c == {"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "pain_score": 3.0, "run_distance_km": 0.0,
                 "prior_episodes_30d": 2, "notes": "a\nb\nc"}
    assert canonical_observation({"notes": "   ", "athlete_id": ""}) == {}
    with pytest.raises(ObservationError, match=r"control character \(U\+0000\) at position 7"):
        canonical_observation({"athlete_id": "ATH-01\x00"})
    with pytest.raises(ObservationError, match=r"too large|not allowed"):
        canonical_observation({"blood_glucose": 10**400, "blood_glucose_unit": "mg/dL"})


def test_sql_fragments_in_athlete_ids_are_stored_verbatim(store):
    evil = "'); DROP TABLE observations;--"
    i = store.save({"athlete_id": evil, "tremor": True})
    assert store.get(i)["observation"]["athlete_id"] == evil
    assert store.athletes() == [evil] and store.count(evil) == 1
    assert store.integrity_check() == "ok"


def test_default_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("KIT_STORE", str(tmp_path / "env.sqlite"))
    assert default_store_path(tmp_path / "explicit.sqlite") == tmp_path / "explicit.sqlite"
    assert default_store_path() == tmp_path / "env.sqlite"
    monkeypatch.delenv("KIT_STORE")
    import platformdirs

    assert default_store_path() == Path(platformdirs.user_data_dir("postrun-kit", appauthor=False)) / "postrun.sqlite"
    assert Store().path == default_store_path()


def test_migrations_upgrade_an_old_store_in_place_and_a_newer_one_is_refused(tmp_path):
    p = tmp_path / "v1.sqlite"
    db = sqlite3.connect(p, isolation_level=None)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL, "
               "kit_version TEXT NOT NULL)")
    MIGRATIONS[1][1](db)
    db.execute("INSERT INTO schema_version VALUES (1, 'v1', '2026-01-01T00:00:00+00:00', '0.0.1')")
    db.execute("INSERT INTO observations (athlete_id, observed_at, observed_sort, observation_json, assessment_json, escalation, "
               "kit_version, saved_at) VALUES ('OLD', '2026-01-01T00:00:00', '2026-01-01T00:00:00.000000', "
               "'{\"athlete_id\":\"OLD\",\"observed_at\":\"2026-01-01T00:00:00\"}', '{\"escalation\":\"monitor\"}', 'monitor', '0.0.1', 'x')")
    db.close()
    with Store(p) as st:
        assert st.schema_version() == SCHEMA_VERSION == 4  # 3: corrections, audit (issue 11); 4: rule_set, episode_id
        assert st.observations() == [{"athlete_id": "OLD", "observed_at": "2026-01-01T00:00:00"}]
        assert st.history()["escalation"].tolist() == ["monitor"]
        st.save_draft({"a": 1})  # the table added by migration 2
        versions = [r[0] for r in st._read("SELECT version FROM schema_version ORDER BY version")]
        assert versions == [1, 2, 3, 4]
        assert st.entries()[0]["superseded_by"] is None and st.audit() == []  # migration 3: an old row is current
        assert st.entries()[0]["rule_set"] == "0.1" and st.entries()[0]["episode_id"] is None  # migration 4
    db = sqlite3.connect(p)
    db.execute("INSERT INTO schema_version VALUES (99, 'future', 'x', '9.0')")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer postrun-kit") as ei:
        Store(p).count()
    assert ei.value.cause == "newer_schema"


def test_draft_survives_a_restart_of_the_process(tmp_path):
    p = tmp_path / "d.sqlite"
    code = ("import sys; from kit.store import Store; st = Store(sys.argv[1]); "
            "st.save_draft({'athlete_id': 'ATH-03', 'pain_score': '7?', 'tremor': True, 'blood_glucose': None})")
    subprocess.run([sys.executable, "-c", code, str(p)], check=True, cwd=ROOT)
    with Store(p) as st:  # a new process: the "kernel restart"
        assert st.load_draft() == {"athlete_id": "ATH-03", "pain_score": "7?", "tremor": True, "blood_glucose": None}
        assert st.load_draft("other") is None
        st.save_draft({"athlete_id": "ATH-04"})
        assert st.load_draft() == {"athlete_id": "ATH-04"}
        st.clear_draft()
        assert st.load_draft() is None
        assert st.count() == 0  # a draft is never an observation


def test_ensure_sample_store_imports_the_sample_once(tmp_path):
    p = tmp_path / "demo" / "postrun.sqlite"
    st = ensure_sample_store(p)
    n = st.count()
    assert n == sum(1 for _ in kit.store.csvio.parse_csv_rows(SAMPLE_LOG.read_text(encoding="utf-8"))[0]) == 322  # 22 episode entries
    assert len(st.athletes()) == 15
    st.close()
    st = ensure_sample_store(p)
    assert st.count() == n
    st.save({"athlete_id": "ATH-01", "tremor": True})
    assert ensure_sample_store(p).count() == n + 1
    assert set(st.history()["escalation"]) >= {"self_care", "monitor", "see_doctor", "emergency"}


def test_sample_log_is_reproducible_and_valid(tmp_path):
    code = ("import runpy, sys; sys.argv = ['x']; m = runpy.run_path('data/make_sample_log.py'); "
            "from kit.store.csvio import write_log_csv; write_log_csv(m['make_records'](), sys.stdin.readline().strip())")
    out = tmp_path / "again.csv"
    subprocess.run([sys.executable, "-c", code], input=str(out) + "\n", text=True, check=True, cwd=ROOT)
    assert out.read_bytes() == SAMPLE_LOG.read_bytes()
    df = kit.store.csvio.read_log_csv(SAMPLE_LOG)
    assert len(df) == 322 and df["athlete_id"].nunique() == 15  # 300 single rows + 22 entries of 8 episodes
    text = SAMPLE_LOG.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" in text and '""' in text  # hostile and quoted notes for escaping downstream


def test_read_only_store_gives_a_clear_error_and_keeps_the_observation(tmp_path):
    p = tmp_path / "ro.sqlite"
    Store(p).save(OBS)
    st = Store(p, read_only=True)
    assert st.count() == 1
    obs = {"athlete_id": "ATH-09", "spasm": True, "notes": "must not be lost"}
    with pytest.raises(StoreError, match="read-only") as ei:
        st.save(obs)
    assert ei.value.cause == "read_only" and ei.value.observation == obs and st.unsaved == [obs]
    assert "NOT saved" in str(ei.value)
    # a connection switched to query_only (what a locked-down file looks like to SQLite) fails the same way
    st2 = Store(p)
    st2._db().execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only") as ei:
        st2.save(obs)
    assert ei.value.observation == obs
    st2._db().execute("PRAGMA query_only = OFF")
    assert st2.retry_unsaved() and st2.count() == 2 and st2.unsaved == []


def test_disk_full_gives_a_clear_error_keeps_the_observation_and_the_store_intact(tmp_path):
    p = tmp_path / "full.sqlite"
    st = Store(p)
    st.save(OBS)
    db = st._db()
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")  # no room to grow: SQLITE_FULL
    big = {"athlete_id": "ATH-10", "notes": "x" * 2000}
    saved = 0
    with pytest.raises(StoreError, match="full") as ei:
        for _ in range(100):
            st.save(big)
            saved += 1
    assert ei.value.cause == "disk_full" and ei.value.observation == big and st.unsaved == [big]
    assert st.count() == 1 + saved and st.integrity_check() == "ok"
    db.execute("PRAGMA max_page_count = 1073741823")
    assert len(st.retry_unsaved()) == 1 and st.count() == 2 + saved


def test_a_file_that_is_not_a_store_gives_a_clear_error(tmp_path):
    p = tmp_path / "junk.sqlite"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable postrun-kit store") as ei:
        Store(p).save(OBS)
    assert ei.value.observation == OBS


def test_import_csv_reports_every_bad_row_with_its_line_and_stores_none(tmp_path, store):
    src = tmp_path / "in.csv"
    src.write_text('athlete_id,pain_score,notes\nA,3,"two\nlines"\nB,12,\nC,2,ok\nD,x,\n', encoding="utf-8")
    with pytest.raises(LogImportError) as ei:
        store.import_csv(src)
    msg = str(ei.value)
    assert "2 bad rows, nothing was stored" in msg and "line 4: pain_score" in msg and "line 6: pain_score" in msg
    assert store.count() == 0
    rep = store.import_csv(src, skip_bad=True)
    assert len(rep.ids) == 2 and [b[0] for b in rep.bad] == [4, 6]
    assert rep.rejects_path == tmp_path / "in.csv.rejects.csv"
    fixed = rep.rejects_path.read_text(encoding="utf-8").replace(",12,", ",2,").replace(",x,", ",1,")
    rep.rejects_path.write_text(fixed, encoding="utf-8")
    assert len(store.import_csv(rep.rejects_path).ids) == 2
    assert [o["athlete_id"] for o in store.observations()] == ["A", "C", "B", "D"]  # no observed_at: filled at save, in file order


def test_import_rejects_unknown_columns_and_unreadable_files(tmp_path, store):
    src = tmp_path / "cols.csv"
    src.write_text("athlete_id,pain_scor\nA,3\n", encoding="utf-8")
    with pytest.raises(LogImportError, match="did you mean 'pain_score'"):
        store.import_csv(src)
    src.write_bytes(b"athlete_id\n\xff\xfe\n")
    with pytest.raises(LogImportError, match="not UTF-8"):
        store.import_csv(src)
    with pytest.raises(LogImportError, match="does not exist"):
        store.import_csv(tmp_path / "missing.csv")
    (tmp_path / "x.json").write_text("[1, {\"tremor\": 1}]", encoding="utf-8")
    with pytest.raises(LogImportError, match=r"item \[0\].*\n.*item \[1\]: tremor"):
        store.import_json(tmp_path / "x.json")
    assert store.count() == 0


def test_export_writes_atomically_and_filters_by_athlete(tmp_path, store):
    store.save_many([OBS, {**OBS, "athlete_id": "ATH-02"}])
    store.export("json", tmp_path / "out" / "a.json", athlete_id="ATH-02")
    assert [o["athlete_id"] for o in json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))] == ["ATH-02"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.json"]  # no temporary file left behind
    with pytest.raises(ValueError, match="unknown export format"):
        store.export("xml")


def test_unsaved_observations_wait_in_memory_until_the_store_accepts_them(store):
    store.save(OBS)
    store._db().execute("PRAGMA query_only = ON")
    for k in range(3):
        with pytest.raises(StoreError):
            store.save({"athlete_id": f"U{k}"})
    with pytest.raises(StoreError):
        store.retry_unsaved()
    assert [u["athlete_id"] for u in store.unsaved] == ["U0", "U1", "U2"]  # nothing dropped, order kept
    store._db().execute("PRAGMA query_only = OFF")
    assert len(store.retry_unsaved()) == 3 and store.unsaved == [] and store.athletes() == ["ATH-01", "U0", "U1", "U2"]
