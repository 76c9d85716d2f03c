"""``python -m kit assess``: the contract's command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_assess_one_observation_from_stdin():
    p = run("assess", stdin='{"tremor": true, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}')
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["escalation"] == "monitor" and out["top_cause"] == "hypoglycemia"
    assert set(out) >= {"escalation", "top_cause", "causes", "flags", "actions", "contraindicated",
                        "reassess_in_min", "missing", "warnings"}


def test_assess_a_list_from_a_file(tmp_path):
    f = tmp_path / "obs.json"
    f.write_text(json.dumps([{"spasm": True}, {"pain_score": 9}, {"pain_score": 9, "muscle_weakness": True}]))
    p = run("assess", str(f))
    assert p.returncode == 0
    out = json.loads(p.stdout)
    # v0.2: pain 8+ alone is urgent (U16); with a tissue-damage sign it is a red flag
    assert [o["escalation"] for o in out] == ["self_care", "urgent", "emergency"]
    assert all(o["rule_set"] == "0.2" for o in out)


@pytest.mark.parametrize(("stdin", "needle"), [
    ('{"glucose": 5}', "did you mean 'blood_glucose'"),
    ('{"pain_score": 12}', "pain_score"),
    ('[{"spasm": true}, {"tremor": "yes"}]', "row 1: tremor"),
    ("not json", "not valid JSON"),
    ("", "empty"),
    ("[]", "empty"),
    ('{"core_temp_c": NaN}', "core_temp_c"),
    ("[[1, 2]]", "<observation>"),
    ('{"blood_glucose": 5}', "blood_glucose_unit"),
])
def test_invalid_input_exits_2_with_message_and_nothing_on_stdout(stdin, needle):
    p = run("assess", stdin=stdin)
    assert p.returncode == 2
    assert p.stdout == ""
    assert needle in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_file_exits_2():
    p = run("assess", "/nonexistent/obs.json")
    assert p.returncode == 2 and "cannot read" in p.stderr and p.stdout == ""


def test_list_with_one_bad_item_prints_nothing():
    p = run("assess", stdin='[{"spasm": true}, {"spasm": true, "pain_score": -2}]')
    assert p.returncode == 2 and p.stdout == "" and "row 1: pain_score" in p.stderr


def test_demo_and_thresholds_commands():
    p = run("demo")
    assert p.returncode == 0 and "pub-12-downhill-race-cola-urine" in p.stdout and "judgement" in p.stdout
    t = run("thresholds")
    assert t.returncode == 0 and "hypo_level1_mg_dl" in t.stdout


def test_help_lists_commands():
    p = run("--help")
    assert p.returncode == 0 and "assess" in p.stdout


def test_integer_beyond_pythons_digit_limit_is_invalid_input_not_a_crash():
    p = run("assess", stdin='{"pain_score": 1' + "0" * 5000 + "}")
    assert p.returncode == 2 and p.stdout == "" and "cannot be read as JSON" in p.stderr


def test_json_file_with_a_byte_order_mark_is_read(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + b'{"spasm": true}')
    p = run("assess", str(f))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["escalation"] == "self_care"
    q = run("assess", stdin="\ufeff" + '{"spasm": true}')
    assert q.returncode == 0, q.stderr


# ---- size limits (issue 11 item 8, assess part) ----

def test_assess_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    import time

    from kit.cli import MAX_ASSESS_BYTES, main

    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # 200 MB, sparse: nothing to read or parse
        fh.truncate(200 * 1024 * 1024)
    t0 = time.perf_counter()
    assert main(["assess", str(big)]) == 2
    assert time.perf_counter() - t0 < 1.0
    assert MAX_ASSESS_BYTES < 200 * 1024 * 1024


def test_assess_refuses_stdin_over_the_limit_without_reading_it_all():
    from kit.cli import MAX_ASSESS_BYTES

    item = '{"tremor": true, "blood_glucose": 3.2, "blood_glucose_unit": "mmol/L"}, '
    text = "[" + item * (20 * 1024 * 1024 // len(item)) + '{"spasm": true}]'  # 20 MB, valid JSON
    assert len(text) > MAX_ASSESS_BYTES
    p = run("assess", stdin=text)
    assert p.returncode == 2 and p.stdout == ""
    assert "larger than" in p.stderr and "python -m kit score" in p.stderr


def test_assess_refuses_a_list_over_the_item_limit(tmp_path):
    import time

    from kit.cli import MAX_ASSESS_ITEMS, main

    f = tmp_path / "many.json"
    f.write_text("[" + ",".join(["{}"] * (MAX_ASSESS_ITEMS + 1)) + "]")
    t0 = time.perf_counter()
    assert main(["assess", str(f)]) == 2
    assert time.perf_counter() - t0 < 1.0


def test_assess_help_and_readme_state_the_limits():
    from kit.cli import MAX_ASSESS_BYTES, MAX_ASSESS_ITEMS

    h = " ".join(run("assess", "--help").stdout.split())
    mib, n = f"{MAX_ASSESS_BYTES // (1024 * 1024)} MiB", f"{MAX_ASSESS_ITEMS:,}"
    assert mib in h and n in h
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert mib in readme and n in readme


@pytest.mark.parametrize(("blocked", "argv", "extra"), [
    ("nbformat", ["export", "notebooks/01-triage.ipynb"], "lab"),
    ("nbconvert", ["export", "notebooks/01-triage.ipynb"], "lab"),
])
def test_a_missing_optional_package_names_the_extra_to_install(blocked, argv, extra):
    """Without the [lab] extra a command says which extra to install (exit 2), never 'this is a bug'."""
    code = ("import sys\n"
            f"sys.modules[{blocked!r}] = None  # as if the package were not installed\n"
            "from kit.cli import main\n"
            f"sys.exit(main({argv!r}))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert f"pip install 'postrun-kit[{extra}]'" in r.stderr and "bug" not in r.stderr
    assert r.stdout == ""


def test_missing_extra_only_names_optional_packages():
    from kit.cli import missing_extra

    assert missing_extra(ModuleNotFoundError("x", name="plotly.graph_objects")).endswith("pip install 'postrun-kit[lab]'")
    assert missing_extra(ModuleNotFoundError("x", name="dask")).endswith("pip install 'postrun-kit[scale]'")
    assert missing_extra(ModuleNotFoundError("x", name="numpy")) is None  # a core dependency: not an extra
