"""``python -m kit log ...`` as a user runs it: exit codes, stdout/stderr, --store and KIT_STORE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kit_log(*args: str, store: Path | None = None, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "kit", "log", *args]
    if store is not None:
        cmd += ["--store", str(store)]
    e = {k: v for k, v in os.environ.items() if k != "KIT_STORE"}
    e.update(env or {})
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=ROOT, env=e, timeout=120)


def test_add_list_and_export_one_observation(tmp_path):
    store = tmp_path / "s.sqlite"
    obs = {"athlete_id": "ATH-01", "observed_at": "2026-05-01T09:30:00", "tremor": True, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}
    (tmp_path / "o.json").write_text(json.dumps(obs), encoding="utf-8")
    r = kit_log("add", str(tmp_path / "o.json"), store=store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("saved #1 ATH-01 2026-05-01T09:30:00: monitor (hypoglycemia)") and r.stderr == ""
    r = kit_log("add", "-", "--json", store=store, stdin=json.dumps([{"athlete_id": "ATH-02", "spasm": True}]))
    assert r.returncode == 0 and json.loads(r.stdout)[0]["observation"]["observed_at"].endswith("+00:00")
    r = kit_log("list", "--athlete", "ATH-01", store=store)
    assert r.returncode == 0 and "hypoglycemia" in r.stdout and "ATH-02" not in r.stdout and "1 observation for 'ATH-01'" in r.stdout
    r = kit_log("export", "--format", "json", env={"KIT_STORE": str(store)})  # the environment variable picks the store
    assert r.returncode == 0 and [o["athlete_id"] for o in json.loads(r.stdout)] == ["ATH-01", "ATH-02"]
    assert json.loads(r.stdout)[0] == {**obs, "blood_glucose": 3.2}


def test_a_list_with_one_bad_item_stores_nothing_and_names_it(tmp_path):
    store = tmp_path / "s.sqlite"
    items = [{"athlete_id": "A", "tremor": True}, {"athlete_id": "B", "pain_score": 11}, {"athlete_id": "C", "tremmor": True}]
    r = kit_log("add", store=store, stdin=json.dumps(items))
    assert r.returncode == 2 and r.stdout == ""
    assert "2 bad items, nothing was stored" in r.stderr
    assert "item [1]: pain_score" in r.stderr and "item [2]: tremmor" in r.stderr and "did you mean 'tremor'" in r.stderr
    r = kit_log("info", store=store)  # nothing stored: not even an empty store was created
    assert r.returncode == 1 and f"no store at {store}" in r.stderr and not store.exists()


def test_unreadable_input_exits_2_with_nothing_on_stdout(tmp_path):
    store = tmp_path / "s.sqlite"
    for stdin, needle in [("{not json", "not valid JSON"), ("", "empty"), ("[]", "empty"), ('{"pain_score": NaN}', "pain_score"),
                          ('{"blood_glucose": 1' + "0" * 5000 + ', "blood_glucose_unit": "mg/dL"}', "cannot be read as JSON")]:
        r = kit_log("add", store=store, stdin=stdin)
        assert (r.returncode, r.stdout) == (2, ""), (stdin[:20], r)
        assert needle in r.stderr and "Traceback" not in r.stderr
    r = kit_log("add", str(tmp_path / "missing.json"), store=store)
    assert r.returncode == 2 and r.stdout == "" and "cannot read" in r.stderr
    r = kit_log("export", "--format", "xml", store=store)
    assert r.returncode == 2 and r.stdout == ""


def test_import_reports_every_bad_line_and_skip_bad_writes_a_reject_file(tmp_path):
    store = tmp_path / "s.sqlite"
    src = tmp_path / "team.csv"
    src.write_text("athlete_id,observed_at,pain_score\nA,2026-05-01T09:00:00,3\nB,yesterday,2\nC,2026-05-01T10:00:00,12\n"
                   "D,2026-05-01T11:00:00,1\n", encoding="utf-8")
    r = kit_log("import", str(src), store=store)
    assert r.returncode == 2 and r.stdout == ""
    assert "2 bad rows, nothing was stored" in r.stderr and "line 3: observed_at" in r.stderr and "line 4: pain_score" in r.stderr
    r = kit_log("import", str(src), "--skip-bad", store=store)
    assert r.returncode == 0 and r.stdout.startswith("imported 2 observations")
    rejects = tmp_path / "team.csv.rejects.csv"
    assert str(rejects) in r.stderr and "line 3" in r.stderr and rejects.exists()
    assert rejects.read_text(encoding="utf-8").splitlines()[1].startswith("3,")
    r = kit_log("export", "--format", "csv", "--out", str(tmp_path / "out.csv"), store=store)
    assert r.returncode == 0 and r.stdout == "" and (tmp_path / "out.csv").read_text(encoding="utf-8").count("\n") == 3


def test_a_store_that_cannot_be_used_exits_1_with_a_clear_message(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 64)
    r = kit_log("add", store=junk, stdin='{"athlete_id": "A", "tremor": true}')
    assert r.returncode == 1 and r.stdout == "" and "not a readable postrun-kit store" in r.stderr and "Nothing was stored" in r.stderr
    r = kit_log("list", store=tmp_path)  # a directory, not a file: said so (issue 11 item 9)
    assert r.returncode == 1 and r.stdout == "" and f"{tmp_path} is a folder, not a store file" in r.stderr
    r = kit_log("add", store=tmp_path, stdin='{"athlete_id": "A", "tremor": true}')
    assert r.returncode == 1 and "is a folder, not a store file" in r.stderr and (tmp_path.stat().st_mode & 0o777) != 0o600


def test_export_to_a_folder_exits_2_with_a_plain_message_and_writes_nothing(tmp_path):
    store = tmp_path / "s.sqlite"
    assert kit_log("add", store=store, stdin='{"athlete_id": "A", "tremor": true}').returncode == 0
    outdir = tmp_path / "out"
    outdir.mkdir()
    for fmt in ("csv", "json"):
        r = kit_log("export", "--format", fmt, "--out", str(outdir), store=store)
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr and "bug" not in r.stderr
        assert f"--out {outdir} is a folder" in r.stderr and f"postrun-log.{fmt}" in r.stderr
    assert list(outdir.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.sqlite"]
    afile = tmp_path / "afile.txt"
    afile.write_text("")
    r = kit_log("export", "--format", "csv", "--out", str(afile / "x.csv"), store=store)
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr


def test_list_export_and_info_open_only_an_existing_store_and_create_nothing(tmp_path):
    store = tmp_path / "nodir" / "sub" / "x.sqlite"
    for cmd in (["list"], ["list", "--json"], ["export", "--format", "csv"], ["export", "--format", "json", "--out", str(tmp_path / "o.json")],
                ["info"]):
        r = kit_log(*cmd, store=store)
        assert r.returncode == 1 and r.stdout == "" and f"no store at {store}" in r.stderr, (cmd, r.stderr)
        assert "Traceback" not in r.stderr
    r = kit_log("info", env={"KIT_STORE": str(store)})
    assert r.returncode == 1 and f"no store at {store}" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert kit_log("add", store=store, stdin='{"athlete_id": "A", "tremor": true}').returncode == 0  # add creates it
    r = kit_log("list", store=store)
    assert r.returncode == 0 and "1 observation in" in r.stdout


def test_importing_the_same_rows_twice_skips_the_duplicates_with_a_warning(tmp_path):
    store = tmp_path / "s.sqlite"
    team = tmp_path / "team.csv"
    team.write_text("athlete_id,observed_at,tremor,pain_score\nA,2026-05-01T10:00:00,true,3\nB,2026-05-01T11:00:00,false,\n",
                    encoding="utf-8")
    r = kit_log("import", str(team), store=store)
    assert r.returncode == 0 and r.stderr == "" and r.stdout.startswith("imported 2 observations")
    first = kit_log("export", "--format", "csv", store=store).stdout
    team2 = tmp_path / "team2.csv"  # one row already stored, one new, one stored but with another value
    team2.write_text("athlete_id,observed_at,tremor,pain_score\nA,2026-05-01T10:00:00,true,3\nC,2026-05-02T10:00:00,true,1\n"
                     "B,2026-05-01T11:00:00,false,2\n", encoding="utf-8")
    r = kit_log("import", str(team2), store=store)
    assert r.returncode == 0
    assert "1 row identical to observations already stored" in r.stderr and "line 2" in r.stderr and "--allow-duplicates" in r.stderr
    assert r.stdout.startswith("imported 2 observations") and "1 duplicate skipped" in r.stdout
    r = kit_log("import", str(team), store=store)
    assert "imported 0 observations" in r.stdout and "2 duplicates skipped" in r.stdout and "lines 2, 3" in r.stderr
    assert "observations: 4" in kit_log("info", store=store).stdout
    r = kit_log("import", str(team), "--allow-duplicates", store=store)
    assert r.returncode == 0 and r.stderr == "" and r.stdout.startswith("imported 2 observations")
    assert "observations: 6" in kit_log("info", store=store).stdout
    # JSON lists too; and export -> import into an empty store -> export stays byte-identical
    obs = tmp_path / "obs.json"
    obs.write_text(json.dumps([{"athlete_id": "A", "observed_at": "2026-05-01T10:00:00", "tremor": True, "pain_score": 3}]))
    r = kit_log("import", str(obs), store=store)
    assert "imported 0 observations" in r.stdout and "item 0" in r.stderr
    exported = tmp_path / "first.csv"
    exported.write_text(first, encoding="utf-8", newline="")
    fresh = tmp_path / "fresh.sqlite"
    assert kit_log("import", str(exported), store=fresh).returncode == 0
    assert kit_log("export", "--format", "csv", store=fresh).stdout == first


def test_a_file_that_is_not_a_store_says_what_happened_to_the_input_in_plain_words(tmp_path):
    case = tmp_path / "case.json"
    case.write_text('[{"athlete_id": "A"}]', encoding="utf-8")
    obs = tmp_path / "obs.json"
    obs.write_text('{"athlete_id": "A", "tremor": true}', encoding="utf-8")
    for args, stdin, said in [(["add"], '{"athlete_id": "A", "tremor": true}', "re-run the command with the same input"),
                              (["add", str(obs)], None, f"{obs} is unchanged"),
                              (["import", str(ROOT / "data" / "sample-team-log.csv")], None, "sample-team-log.csv is unchanged")]:
        r = kit_log(*args, store=case, stdin=stdin)
        assert r.returncode == 1 and r.stdout == "" and "not a readable postrun-kit store" in r.stderr
        assert "Nothing was stored" in r.stderr and said in r.stderr
        assert "StoreError" not in r.stderr and "Store.unsaved" not in r.stderr and "Traceback" not in r.stderr
    assert case.read_text(encoding="utf-8") == '[{"athlete_id": "A"}]'


def test_list_and_export_suggest_the_closest_athlete_id(tmp_path):
    store = tmp_path / "s.sqlite"
    assert kit_log("add", store=store, stdin='[{"athlete_id": "ATH-05", "tremor": true}, {"athlete_id": "ATH-12"}]').returncode == 0
    r = kit_log("list", "--athlete", "ath-05", store=store)
    assert r.returncode == 0 and "0 observations for 'ath-05'" in r.stdout
    assert "did you mean 'ATH-05'? (ids are case-sensitive)" in r.stderr
    r = kit_log("export", "--format", "json", "--athlete", "ath-05", store=store)
    assert r.returncode == 0 and json.loads(r.stdout) == [] and "did you mean 'ATH-05'?" in r.stderr
    r = kit_log("list", "--athlete", "nobody-like-this", store=store)
    assert "no observation of athlete 'nobody-like-this' (2 athletes stored" in r.stderr
    r = kit_log("list", "--athlete", "ATH-05", store=store)
    assert r.returncode == 0 and r.stderr == "" and "1 observation for 'ATH-05'" in r.stdout


def test_log_show_prints_the_whole_assessment_of_an_imported_recheck_with_its_history(tmp_path):
    """An imported recheck stores a summary; `log show` computes its detail with the episode's earlier entries."""
    from kit import assess

    store = tmp_path / "s.sqlite"
    src = tmp_path / "e.csv"
    rows = [("2026-05-01T16:00:00", "true", "30", ""), ("2026-05-01T16:20:00", "true", "", "stretch"),
            ("2026-05-01T16:40:00", "true", "", "")]
    src.write_text("athlete_id,observed_at,episode_id,spasm,spasm_duration_min,treatment_given\n"
                   + "".join(f"A,{t},E1,{s},{d},{g}\n" for t, s, d, g in rows), encoding="utf-8")
    assert kit_log("import", str(src), store=store).returncode == 0
    listed = json.loads(kit_log("list", "--json", store=store).stdout)
    last = listed[-1]
    assert last["assessment"]["stored"] == "assess_frame" and "actions" not in last["assessment"]  # a summary is stored
    r = kit_log("show", str(last["id"]), store=store)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    want = assess(last["observation"], history=[e["observation"] for e in listed[:-1]]).to_dict()
    assert shown["assessment"] == want and shown["id"] == last["id"] and shown["observation"] == last["observation"]
    assert want["escalation"] == "emergency" and "spasm_unrelieved" in want["recheck_reasons"]  # 30 + 40 min, after stretching
    missing = kit_log("show", "999", store=store)
    assert missing.returncode == 2 and "no observation #999" in missing.stderr
    assert kit_log("show", "0", store=store).returncode == 2
