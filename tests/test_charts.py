"""Plotly figures: the cause chart and the threshold bands, all read from kit.engine.thresholds."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from kit import assess
from kit.engine.rules import CAUSES, TIERS
from kit.engine.thresholds import THRESHOLDS, T
from kit.views.charts import (
    CAUSE_LABELS,
    TIER_COLORS,
    TIER_TITLES,
    band_sources,
    band_sources_table,
    body_mass_bands,
    cause_chart,
    cause_chart_spec,
    core_temp_bands,
    glucose_bands,
    mimebundle,
    spasm_duration_bands,
    threshold_figures,
)


def _edges(fig: go.Figure) -> list[tuple[float, float]]:
    return [(b.base[0], b.base[0] + b.x[0]) for b in fig.data]


def test_labels_and_colours_cover_every_cause_and_tier():
    assert set(CAUSE_LABELS) == set(CAUSES)
    assert set(TIER_COLORS) == set(TIERS) == set(TIER_TITLES)


def test_cause_chart_has_all_four_causes_highest_on_top_with_evidence_in_hover():
    a = assess({"tremor": True, "sweating": True, "blood_glucose": 60, "blood_glucose_unit": "mg/dL"})
    fig = cause_chart(a)
    assert isinstance(fig, go.Figure) and not isinstance(fig, go.FigureWidget)
    bar = fig.data[0]
    assert list(bar.x) == [c["score"] for c in a.to_dict()["causes"]][::-1]
    assert bar.y[-1] == CAUSE_LABELS[a.top_cause]
    top_hover = bar.customdata[-1]
    for e in a.to_dict()["causes"][0]["evidence"]:
        assert f"{e['finding']}: +{e['points']}" in top_hover
    assert "no finding for this cause" in bar.customdata[0]


def test_cause_chart_accepts_the_contract_dict():
    a = assess({"spasm": True})
    assert cause_chart_spec(a) == cause_chart_spec(a.to_dict())


def test_mimebundle_is_plotly_json_only_and_deterministic():
    a = assess({"spasm": True})
    b1, b2 = mimebundle(cause_chart_spec(a)), mimebundle(cause_chart(a))
    assert set(b1) == {"application/vnd.plotly.v1+json", "text/plain"}
    assert json.dumps(b1) == json.dumps(mimebundle(cause_chart_spec(a)))
    assert b2["application/vnd.plotly.v1+json"]["data"][0]["x"] == b1["application/vnd.plotly.v1+json"]["data"][0]["x"]
    assert "plotly.js" not in json.dumps(b1) and len(json.dumps(b1)) < 20_000


def test_glucose_bands_use_ada_levels_in_both_units():
    mg = _edges(glucose_bands("mg/dL"))
    assert mg[0][1] == T.hypo_level2_mg_dl and mg[1] == (T.hypo_level2_mg_dl, T.hypo_level1_mg_dl)
    mmol = _edges(glucose_bands("mmol/L"))
    assert mmol[1][1] == round(T.hypo_level1_mg_dl / T.glucose_mmol_to_mg_dl, 1)  # 3.9
    fig = glucose_bands()
    assert "Level 3" in fig.layout.annotations[-1].text  # no cut-off: stated, not drawn
    assert any(str(int(T.whipple_mg_dl)) in a.text for a in fig.layout.annotations)


def test_body_mass_spasm_and_core_temperature_bands_read_thresholds():
    assert _edges(body_mass_bands())[1] == (-T.mass_loss_pct, T.eah_gain_pct)
    assert [e for _, e in _edges(spasm_duration_bands())][:2] == [T.spasm_amber_min, T.prolonged_spasm_min]
    core = _edges(core_temp_bands())
    assert [s for s, _ in core][1:] == [T.heat_context_core_c, T.core_emergency_c, T.ehs_core_c]


def test_every_band_figure_cites_its_sources():
    figs = threshold_figures()
    assert set(figs) == {"glucose", "body_mass", "spasm_duration", "core_temp"}
    for name, fig in figs.items():
        sources = band_sources(name)
        assert sources and all(t.key in THRESHOLDS for t in sources)
        note = fig.layout.annotations[-1].text
        assert "Sources:" in note
        table = band_sources_table(name)
        assert list(table["key"]) == [t.key for t in sources]
        assert table["source"].str.len().min() > 0


@pytest.mark.parametrize("unit", ["mg/dL", "mmol/L"])
def test_band_hover_names_the_source(unit):
    fig = glucose_bands(unit)
    assert "ADA 2024, level 2" in fig.data[0].hovertemplate
