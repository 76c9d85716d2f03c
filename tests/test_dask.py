"""``assess_frame`` on a Dask DataFrame: lazy, partition by partition, equal to the pandas result.

Runs on a real local ``distributed`` cluster (2 worker processes, loopback only) over a
team log written as several Parquet files, as a league would store its logs.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from kit import ObservationError, assess_frame  # noqa: E402
from kit.engine.fields import BOOL_FIELDS  # noqa: E402
from kit.engine.frame import OUTPUT_COLUMNS, _dask_meta  # noqa: E402
from kit.store.csvio import read_log_csv  # noqa: E402

from .conftest import ROOT  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:The inplace keyword")]  # dask internals on pandas 3.1


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def league():
    """The sample team log, four times over with a unique index: a small league."""
    team = read_log_csv(ROOT / "data" / "sample-team-log.csv")
    df = pd.concat([team] * 4, ignore_index=True)
    df.index = pd.Index(np.arange(10_000, 10_000 + len(df)), name="obs_id")
    return df


def _as_pandas_result(df):
    """A computed Dask result with the pandas path's dtypes (label columns object, None for missing)."""
    labels = ["escalation", "top_cause", "flags", "trend"]
    return df.astype({c: object for c in labels}).replace({c: {pd.NA: None} for c in labels})


def _write_parquet(df, path, parts):
    path.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(df)), parts)):
        df.iloc[rows].to_parquet(path / f"part-{i:03d}.parquet")
    return path


def _typed(df):
    """Yes/no columns as pandas "boolean", ``treatment_given`` lists as ";"-joined text (the CSV form): what to do
    before ``dd.from_pandas``, which turns object columns into strings (a list would become "['rest']")."""
    out = df.astype({c: "boolean" for c in BOOL_FIELDS if c in df.columns})
    if "treatment_given" in out.columns:
        out["treatment_given"] = [";".join(v) if isinstance(v, list) else None for v in out["treatment_given"]]
    return out


def test_dask_input_gives_a_lazy_dask_dataframe_with_the_declared_meta(league):
    ddf = dd.from_pandas(_typed(league), npartitions=3)
    out = assess_frame(ddf)
    assert isinstance(out, dd.DataFrame)
    assert out.npartitions == 3
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out.dtypes.to_dict() == _dask_meta().dtypes.to_dict()
    result = out.compute(scheduler="synchronous")
    assert result.dtypes.to_dict() == _dask_meta().dtypes.to_dict()
    pd.testing.assert_frame_equal(_as_pandas_result(result), assess_frame(league, progress=False))


def test_object_yes_no_columns_turned_to_text_by_dask_are_rejected_not_misread(league):
    # dask's default "dataframe.convert-string" turns object columns of True/False/None into the
    # strings "True"/"False" in dd.from_pandas: the kit must refuse them, never read them as yes/no.
    ddf = dd.from_pandas(league.iloc[:50], npartitions=1)
    with pytest.raises(ObservationError) as exc:
        assess_frame(ddf).compute(scheduler="synchronous")
    assert "tremor" in exc.value.fields and "'True' is not allowed" in str(exc.value)


def test_league_parquet_scored_on_a_local_cluster_equals_pandas(client, league, tmp_path):
    path = _write_parquet(league, tmp_path / "league", parts=4)
    ddf = dd.read_parquet(path)
    assert ddf.npartitions == 4
    out = assess_frame(ddf)
    result = client.compute(out).result()
    expected = assess_frame(league, progress=False)
    pd.testing.assert_frame_equal(_as_pandas_result(result), expected, check_names=False)
    assert result["escalation"].value_counts().to_dict() == expected["escalation"].value_counts().to_dict()


def test_scored_league_goes_back_beside_the_log_and_writes_parquet(client, league, tmp_path):
    # the documented recipe; files written without an index, so every file's rows are numbered from 0.
    # Known limit (docs/speed.md): with episode rows the Dask result is not co-aligned with the log, so
    # logs.assign(scored) joins on that repeated index; that case is left out here (scores tested below).
    league = league[league["episode_id"].isna()].drop(columns=["episode_id", "treatment_given"])
    path = tmp_path / "league"
    path.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(league)), 3)):
        league.iloc[rows].to_parquet(path / f"team-{i}.parquet", index=False)
    logs = dd.read_parquet(path)
    scored = assess_frame(logs)
    result = logs[["athlete_id", "observed_at"]].assign(**{c: scored[c] for c in scored.columns})
    result.to_parquet(tmp_path / "scored", write_index=False)
    back = pd.read_parquet(tmp_path / "scored")
    expected = assess_frame(league, progress=False)
    assert len(back) == len(league)
    assert back["athlete_id"].tolist() == league["athlete_id"].tolist()
    assert back["escalation"].tolist() == expected["escalation"].tolist()
    assert back["top_cause"].astype(object).where(back["top_cause"].notna(), None).tolist() == expected["top_cause"].tolist()


def test_bad_row_in_one_partition_raises_observation_error_with_its_row_and_field(client, league, tmp_path):
    bad = league.copy()
    bad.loc[10_777, "pain_score"] = 12.0  # out of range (0-10)
    path = _write_parquet(bad, tmp_path / "bad", parts=4)
    out = assess_frame(dd.read_parquet(path))  # nothing is read yet
    with pytest.raises(ObservationError) as exc:
        client.compute(out).result()
    assert [(p.row, p.field, p.value) for p in exc.value.problems] == [(10_777, "pain_score", 12.0)]
    assert "row 10777: pain_score" in str(exc.value)


def test_unknown_column_of_a_dask_frame_is_reported_before_computing(league):
    ddf = dd.from_pandas(league.assign(tremr=True), npartitions=2)
    with pytest.raises(ObservationError) as exc:
        assess_frame(ddf)
    assert exc.value.fields == ["tremr"]
    assert isinstance(assess_frame(ddf, extra="ignore"), dd.DataFrame)


def test_error_from_a_worker_pickles_to_a_readable_observation_error():
    from kit.engine.observation import Problem

    err = ObservationError([Problem("tremor", "yes", "'yes' is not allowed", 7)])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ObservationError
    assert back.problems == err.problems
    assert str(back) == str(err)


def _league_with_episodes(league):
    """The league with multi-entry episodes whose rows lie far apart (so in different input partitions)."""
    df = league.copy()
    df["treatment_given"] = None
    df["episode_id"] = None  # the sample season's own episodes are left out: this test places its own
    n = len(df)
    spread = [0, n // 4, n // 2, (3 * n) // 4]  # one row in each quarter of the frame
    steps = [  # (fields) per recheck; times 0, 15, 30, 45 min
        {"spasm": True, "spasm_duration_min": 40.0},
        {"spasm": True, "spasm_duration_min": None, "treatment_given": "stretch"},
        {"spasm": True, "spasm_duration_min": None},
        {"spasm": False, "spasm_duration_min": None},
    ]
    rows = df.index.to_numpy()
    for e in range(12):
        for k, pos in enumerate(spread if e % 2 else spread[::-1]):  # odd episodes: later rows come first
            i = rows[pos + 7 * e]
            for col in df.columns:
                if col not in ("athlete_id", "notes"):
                    df.loc[i, col] = None
            df.loc[i, "episode_id"] = f"ep-{e}"
            df.loc[i, "observed_at"] = f"2026-05-0{1 + e % 9}T09:{15 * k:02d}:00Z" if e % 5 else None
            for col, val in steps[k].items():
                df.loc[i, col] = val
    return df


def test_episodes_split_across_partitions_meet_in_one_and_equal_pandas(client, league, tmp_path):
    df = _league_with_episodes(league)
    expected = assess_frame(df, progress=False)
    assert (expected["trend"] != "first").sum() == 12 * 3  # the episodes really are scored as episodes
    assert set(expected.loc[df["episode_id"].notna(), "escalation"]) >= {"monitor", "emergency"}
    path = _write_parquet(df, tmp_path / "episodes", parts=4)
    ddf = dd.read_parquet(path)
    assert ddf.npartitions == 4
    parts = [p.compute()["episode_id"] for p in ddf.partitions]  # every episode is split over the 4 input partitions
    assert all(sum(f"ep-{e}" in set(p) for p in parts) == 4 for e in range(12))
    out = assess_frame(ddf)
    assert out.npartitions == 4 and list(out.columns) == list(OUTPUT_COLUMNS)
    result = client.compute(out).result()
    pd.testing.assert_frame_equal(_as_pandas_result(result), expected, check_names=False)


def test_episode_rows_on_dask_equal_assess_with_history(league):
    from kit import assess

    df = _league_with_episodes(league)
    out = assess_frame(dd.from_pandas(_typed(df), npartitions=3)).compute(scheduler="synchronous")
    ep = df[df["episode_id"] == "ep-1"].drop(columns=["notes"]).sort_values("observed_at")  # episode order
    records = [{k: (v.split(";") if k == "treatment_given" else v) for k, v in row.items() if not pd.isna(v)}
               for row in ep.to_dict("records")]
    assert len(records) == 4
    for k, i in enumerate(ep.index):
        a = assess(records[k], history=records[:k])
        assert out.loc[i, "escalation"] == a.escalation and out.loc[i, "trend"] == a.trend
    assert out.loc[ep.index[2], "trend"] == "worsening" and out.loc[ep.index[2], "escalation"] == "emergency"  # 40 + 30 min
