"""Handouts without a kernel: template parameters, escaping, pseudonyms, chart and widget HTML, data sources."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import plotly.graph_objects as go
import pytest

from kit.handout import build as h
from kit.handout import offline_html
from kit.store.csvio import write_log_csv
from kit.views.history import history_chart, history_frame, history_summary
from tests.conftest import ROOT

XSS_NOTE = "<script>alert(1)</script> and <img src=x onerror=alert(2)> \"quoted\" & 'single'"
XSS_ID = "<img src=x onerror=alert(3)>"


def _obs(**kw):
    base = {"athlete_id": "ATH-X", "observed_at": "2026-05-01T10:00:00", "spasm": True, "spasm_duration_min": 5,
            "pain_score": 3}
    return {**base, **kw}


# ---- the template notebook ---------------------------------------------------------------

def test_template_has_one_tagged_parameters_cell_with_the_documented_names():
    nb = nbformat.read(h.TEMPLATE, as_version=4)
    tagged = [c for c in nb.cells if h.PARAMETERS_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0] is tagged[0]
    body = ast.parse(tagged[0].source).body  # plain literal assignments (papermill's convention, and run_template's)
    assert all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant | ast.List) for n in body)
    assert {n.targets[0].id for n in body} == {"athlete_label", "observations", "generated_on", "pseudonymised"}
    ns: dict = {}
    exec(tagged[0].source, ns)  # defaults are plain literals that work offline
    assert ns["observations"] == [] and ns["athlete_label"] == "" and ns["pseudonymised"] is False


def test_template_cells_only_import_kit_and_call_its_functions():
    nb = nbformat.read(h.TEMPLATE, as_version=4)
    assert all(c.cell_type == "code" for c in nb.cells)
    for cell in nb.cells[1:]:
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Import):
                assert all(a.name.startswith("kit") for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").startswith("kit")
            else:
                value = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
                assert isinstance(value, ast.Call), ast.dump(node)
                assert isinstance(value.func, ast.Attribute) and value.func.value.id == "handout"


def test_default_parameters_show_the_builtin_example_athlete():
    page = h.prepare([])
    assert page.example and page.label == h.EXAMPLE_ATHLETE
    assert len(page.history) == 3
    assert page.latest.observed_at.startswith("2026-07-05")  # the latest is the episode
    assert "Teaching example" in h.header(page).markup


def test_prepare_refuses_two_athletes():
    with pytest.raises(ValueError, match="one athlete"):
        h.prepare([_obs(), _obs(athlete_id="ATH-Y")])


def test_latest_observation_is_the_episode_whatever_the_input_order():
    page = h.prepare([_obs(observed_at="2026-06-01T08:00:00", pain_score=9), _obs(observed_at="2026-05-01T08:00:00")])
    assert page.latest.pain_score == 9
    assert page.assessment.escalation == "urgent"  # v0.2: severe pain alone is a same-day assessment (U16)


# ---- escaping ---------------------------------------------------------------------------

SECTIONS = ("header", "observation_section", "tier_section", "causes_section", "history_section",
            "prevention_section", "seek_help_section", "sources_section", "footer")


def test_typed_text_is_escaped_in_every_section():
    page = h.prepare([_obs(athlete_id=XSS_ID, notes=XSS_NOTE)])
    markup = "".join(getattr(h, name)(page).markup for name in SECTIONS)
    assert "<script" not in markup and "<img" not in markup  # no tag from typed text, only escaped text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(3)&gt;" in markup
    assert "&quot;quoted&quot; &amp; &#x27;single&#x27;" in markup


def test_every_section_has_a_plain_text_repr_without_data():
    page = h.prepare([_obs(notes=XSS_NOTE)])
    for name in SECTIONS:
        out = getattr(h, name)(page)
        assert "alert" not in repr(out)


def test_history_chart_holds_no_free_text():
    rows = [_obs(notes=XSS_NOTE, observed_at=f"2026-05-0{i}T10:00:00") for i in range(1, 4)]
    spec = json.dumps(history_chart(rows).to_plotly_json(), default=str)
    assert "alert" not in spec and "ATH-X" not in spec
    assert {t.type for t in history_chart(rows).data} == {"scatter"}  # drawn by the basic bundle


def test_chart_json_cannot_close_its_script_element():
    fig = go.Figure(go.Bar(x=["</script><script>alert(1)</script>"], y=[1], name="<!-- x -->"))
    div = h.plotly_div(json.loads(fig.to_json()), "c1")
    inner = div.split("<script", 1)[1]
    assert inner.count("</script>") == 1 and "<!--" not in inner
    assert "alert(1)" in inner  # still there, as data


def test_plotly_html_output_is_recovered_as_json():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="s"))
    spec = offline_html._newplot_spec(fig.to_html(include_plotlyjs=False, full_html=False))
    assert spec is not None and spec["data"][0]["name"] == "s"


# ---- pseudonyms and names ------------------------------------------------------------------

def test_pseudonym_is_stable_keyed_and_shaped():
    a = h.pseudonym("ATH-01", key="k1")
    assert a == h.pseudonym(" ATH-01 ", key="k1") and re.fullmatch(r"Runner-[0-9A-F]{6}", a)
    assert a != h.pseudonym("ATH-01", key="k2") and a != h.pseudonym("ATH-02", key="k1")


def test_pseudonym_key_from_environment_or_a_private_file(tmp_path, monkeypatch):
    monkeypatch.setenv(h.PSEUDONYM_ENV, "from-env")
    assert h.pseudonym_key(tmp_path / "k") == b"from-env"
    monkeypatch.delenv(h.PSEUDONYM_ENV)
    k1 = h.pseudonym_key(tmp_path / "k")
    assert k1 == h.pseudonym_key(tmp_path / "k") and len(k1) == 64
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0


def test_safe_filename_never_carries_markup_or_paths():
    for label in (XSS_ID, "../../etc/passwd", "Zoë Smith", ""):
        stem = h.safe_filename(label)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", stem)
    assert h.safe_filename("ATH-01") == "ATH-01"
    assert h.safe_filename("a b") != h.safe_filename("a_b")


# ---- data sources -------------------------------------------------------------------------

def test_team_log_csv_gives_only_the_chosen_athletes_rows(tmp_path):
    log = tmp_path / "log.csv"
    write_log_csv([_obs(), _obs(athlete_id="ATH-Y", notes="secret"), _obs(observed_at="2026-04-01T10:00:00")], log)
    src = h.TeamSource(log)
    rows = src.observations("ATH-X")
    assert [r["observed_at"] for r in rows] == ["2026-04-01T10:00:00", "2026-05-01T10:00:00"]
    assert all(r["athlete_id"] == "ATH-X" for r in rows) and src.athletes() == ["ATH-X", "ATH-Y"]


def test_unknown_athlete_is_a_clear_error(tmp_path):
    from kit.cli import InputError, main

    log = tmp_path / "log.csv"
    write_log_csv([_obs()], log)
    with pytest.raises(InputError, match="did you mean 'ATH-X'"):
        h.TeamSource(log).observations("ATH-x")
    assert main(["handout", "--athlete", "nobody", "--log", str(log), "--out", str(tmp_path)]) == 2
    assert main(["handout", "--athlete", "ATH-X", "--log", str(tmp_path / "missing.csv")]) == 2


def test_store_file_is_read_like_a_log(tmp_path):
    store_mod = pytest.importorskip("kit.store")
    path = tmp_path / "s.sqlite"
    st = store_mod.Store(path)
    st.save_many([_obs(), _obs(athlete_id="ATH-Y")])
    st.close()
    src = h.TeamSource(path)
    assert [r["athlete_id"] for r in src.observations("ATH-X")] == ["ATH-X"]
    src.close()


# ---- history -------------------------------------------------------------------------------

def test_history_of_a_sample_athlete():
    from kit.store.csvio import frame_to_records, read_log_csv

    df = read_log_csv(ROOT / "data" / "sample-team-log.csv")
    rows = frame_to_records(df[df["athlete_id"] == "ATH-05"])
    hist = history_frame(rows)
    assert len(hist) == len(rows) and hist["observed_at"].is_monotonic_increasing
    s = history_summary(hist)
    assert s["n_observations"] == len(rows) and sum(s["tier_counts"].values()) == len(rows)
    assert s["sentences"] and s["highest_tier"] in s["tier_counts"]


def test_history_keeps_the_stored_assessment_when_given():
    import pandas as pd

    df = pd.DataFrame([{**_obs(), "escalation": "see_doctor", "top_cause": "nerve_irritation", "flags": ""}])
    assert history_frame(df)["escalation"].tolist() == ["see_doctor"]


# ---- widgets rendered statically, remote references -----------------------------------------

def test_widget_state_is_rendered_with_its_last_values_and_no_script():
    models = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_d", "IPY_MODEL_x", "IPY_MODEL_t"]}},
        "s": {"model_name": "IntSliderModel", "state": {"value": 7, "min": 0, "max": 10, "description": "Pain",
                                                        "_dom_classes": ["kit-field-pain_score", "bad\"class"]}},
        "d": {"model_name": "DropdownModel", "state": {"_options_labels": ["easy", "hard"], "index": 1}},
        "x": {"model_name": "HTMLModel", "state": {"value": "<b>ok</b><script>alert(1)</script><img src=x onerror=alert(2)>"}},
        "t": {"model_name": "TextModel", "state": {"value": "\"><script>alert(3)</script>"}},
    }
    out = h.render_widget("box", models)
    assert 'value="7"' in out and "<output>7</output>" in out and "kit-field-pain_score" in out and "bad" not in out
    assert "<option selected>hard</option>" in out and "<b>ok</b>" in out
    assert "<script" not in out and "onerror" not in out
    assert "not saved" in h.render_widget("missing", models)


def test_remote_references_are_found_and_neutralised():
    page = ('<img src="https://example.com/a.png"><script src="//cdn.example/x.js"></script>'
            '<style>@import url("https://fonts.example/f.css"); .a{background:url(http://x/y.png)}</style>'
            '<a href="https://example.com">a link is fine</a>')
    assert len(h.remote_references(page)) == 4
    fixed, n = offline_html._neutralise_remote(page)
    assert n == 4 and h.remote_references(fixed) == [] and 'href="https://example.com"' in fixed


# ---- the template run in-process (no kernel) -------------------------------------------------

def _no_kernel(monkeypatch):
    from jupyter_client import KernelManager

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(KernelManager, "start_kernel", refuse)


def test_run_template_builds_each_cells_output_from_the_kit_functions_without_a_kernel(monkeypatch):
    _no_kernel(monkeypatch)
    rows = [_obs(notes=XSS_NOTE), _obs(observed_at="2026-04-01T10:00:00")]
    nb = h.run_template(rows, label="ATH-X", generated_on="2026-11-01")
    template = nbformat.read(h.TEMPLATE, as_version=4)
    assert [c.id for c in nb.cells] == [template.cells[0].id, h.INJECTED_TAG, *(c.id for c in template.cells[1:])]
    assert nb.cells[1].metadata["tags"] == [h.INJECTED_TAG]
    ns: dict = {}
    exec(nb.cells[1].source, ns)  # the injected values are this athlete's rows, as Python literals
    assert ns["observations"] == rows and ns["athlete_label"] == "ATH-X" and ns["generated_on"] == "2026-11-01"
    assert [c.execution_count for c in nb.cells] == list(range(1, len(nb.cells) + 1))
    page = h.prepare(rows, athlete_label="ATH-X", generated_on="2026-11-01")
    by_id = {c.id: c for c in nb.cells}
    assert by_id["handout-01"].outputs[0].data["text/html"] == h.header(page).markup
    assert by_id["handout-10"].outputs[0].data["text/html"] == h.footer(page).markup
    assert offline_html.PLOTLY_MIME in by_id["handout-06"].outputs[0].data
    assert all(o.output_type == "execute_result" for c in nb.cells for o in c.outputs)
    assert nb.cells[0].outputs == [] and by_id[h.INJECTED_TAG].outputs == []  # assignments display nothing
    nbformat.validate(nb)


def test_write_handout_in_process_is_byte_reproducible(monkeypatch, tmp_path):
    _no_kernel(monkeypatch)
    rows = [_obs(notes=XSS_NOTE, observed_at=f"2026-05-0{i}T10:00:00") for i in range(1, 4)]
    a = h.write_handout(rows, tmp_path / "a", generated_on="2026-11-01")
    b = h.write_handout(list(reversed(rows)), tmp_path / "b", generated_on="2026-11-01")
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
    assert text.count("plotly.js (basic - minified)") == 1 and h.remote_references(text) == []


@pytest.mark.parametrize("source", [
    "import os", "from os import path", "print('x')", "x = open('/etc/passwd')", "handout._plain('x')",
    "import kit.handout as handout\nhandout.header(page).markup", "for i in []: pass", "x = 1 + 1",
    "import kit.handout as handout\nhandout.header(__import__('os'))", "exec('1')", "handout.header(**{'page': page})",
    "handout.header(*[page])",
])
def test_a_template_cell_that_is_not_a_kit_call_is_refused_and_nothing_is_written(tmp_path, source):
    nb = nbformat.read(h.TEMPLATE, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    template = tmp_path / "template.ipynb"
    nbformat.write(nb, template)
    with pytest.raises(h.TemplateError):
        h.write_handout([_obs()], tmp_path / "out", generated_on="2026-11-01", template=template)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_handout_command_imports_jsonschema_without_the_iri_grammars():
    import subprocess
    import sys

    code = ("import sys; from kit.handout import build as h; h._import_jsonschema_without_iri_grammars(); "
            "print('jsonschema' in sys.modules, 'rfc3987_syntax' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["True", "False"]  # imported, the slow module skipped (and not left blocked in sys.modules)
