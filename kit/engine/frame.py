"""``kit.assess_frame``: the rules over a whole team log, vectorised.

Validation is column-wise (numpy / pandas / pyarrow operations, no pydantic call per
row) and reports every bad row with its index and field. Scoring calls the same rule
kernel as :func:`kit.assess` (:func:`kit.engine.rules.evaluate`) on whole numpy columns, so
the two paths agree row for row by construction (tests check it on random observations).

How it is fast (see ``docs/speed.md`` for the measurements):

* each column is decoded once to a float array (NaN unknown, yes/no 1.0/0.0) with a
  dtype check instead of a per-cell ``isinstance``. A yes/no column of Python objects
  (``True``/``False``/``None``, as a CSV or records load gives) is converted by
  pyarrow's strict boolean conversion, which refuses anything that is not a boolean or a
  missing value; only a column that holds a bad cell takes the slow, exact path that
  finds every bad cell;
* text columns are checked on their distinct values (choices, dates) or with one C
  pass (lengths);
* the kernel runs on slices of :data:`KERNEL_ROWS` rows, so its temporaries stay in
  the CPU cache; the frame is decoded :data:`CHUNK_ROWS` rows at a time, which bounds
  memory on very large logs and drives the progress bar.

A Dask DataFrame is scored partition by partition with ``map_partitions`` (declared
``meta``) and returns a Dask DataFrame (``pip install postrun-kit[scale]``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype, is_string_dtype
from tqdm.auto import tqdm

from kit.engine.advice import kernel_reassess
from kit.engine.episodes import SpasmRow, episode_orders, recheck_episode, spasm_totals, step_summaries
from kit.engine.fields import FIELD_NAMES, FIELDS, FieldSpec, parse_datetime, plain_value
from kit.engine.ids import refused_ids
from kit.engine.observation import (
    CROSS_FIELD,
    ObservationError,
    Problem,
    suggest_field,
)
from kit.engine.rules import CAUSES, FLAGS, INTENSITY_CODES, KERNEL_INPUTS, TIERS, VECTOR, KernelResult, evaluate

try:  # optional: a fast strict converter for object columns (a pandas 3 companion; in postrun-kit[scale])
    import pyarrow as _pa
    import pyarrow.compute as _pc
except ImportError:  # pragma: no cover - exercised only without pyarrow
    _pa = None
    _pc = None

__all__ = ["assess_frame", "validate_frame", "frame_inputs", "OUTPUT_COLUMNS", "CHUNK_ROWS", "KERNEL_ROWS"]

#: Output columns (contract v0.2), in order.
OUTPUT_COLUMNS: tuple[str, ...] = ("escalation", "top_cause", *(f"score_{c}" for c in CAUSES), "flags", "reassess_in_min", "trend")
#: Rows decoded and validated at a time (bounds peak memory on very large logs).
CHUNK_ROWS = 262_144
#: Rows per rule-kernel call (the kernel's temporaries then fit in the CPU cache).
KERNEL_ROWS = 65_536
#: Rows from which ``progress="auto"`` shows a progress bar.
PROGRESS_MIN_ROWS = 100_000

_OBJECT = np.dtype(object)
_TIER_LABELS = np.array(TIERS, dtype=object)
_CAUSE_LABELS = np.array([None, *CAUSES], dtype=object)  # index top + 1
_FLAG_SORTED = tuple(sorted(FLAGS))
_FIELD_ORDER = {name: i for i, name in enumerate(FIELD_NAMES)}


def _is_dask(df: Any) -> bool:
    return type(df).__module__.startswith("dask") and hasattr(df, "map_partitions")


def _meta() -> pd.DataFrame:
    cols: dict[str, Any] = {"escalation": pd.Series([], dtype=object), "top_cause": pd.Series([], dtype=object)}
    for c in CAUSES:
        cols[f"score_{c}"] = pd.Series([], dtype="int64")
    cols["flags"] = pd.Series([], dtype=object)
    cols["reassess_in_min"] = pd.Series([], dtype="float64")
    cols["trend"] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)


def assess_frame(df: Any, *, extra: str = "error", progress: bool | str = "auto") -> Any:
    """Assess every row of a team log; equal row for row to :func:`kit.assess`.

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        Columns are contract fields. An absent column, NaN, None or ``pd.NA`` is unknown.
        Yes/no columns may be ``bool``, pandas ``boolean`` or object (``True``/``False``/
        ``None``); numbers any numeric dtype; text columns object, ``str`` or ``category``.
    extra : {"error", "ignore"}
        What to do with columns that are not contract fields (default: an error that
        names them and suggests the closest field).
    progress : bool or "auto"
        Show a progress bar (tqdm, on stderr); ``"auto"`` shows one from 100,000 rows on.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Same index as ``df``; columns ``escalation`` (five tiers), ``top_cause`` (None when
        no cause leads), ``score_<cause>`` for each cause (int), ``flags`` (";"-joined,
        sorted), ``reassess_in_min`` (float minutes, NaN exactly for self_care) and
        ``trend`` ("first": a row without history).
        Lazy for a Dask input, with the label columns as ``string[pyarrow]`` (``<NA>`` for
        no top cause) so that the result can be written to Parquet.

    Raises
    ------
    ObservationError
        Naming each bad row's index and field (for Dask: when the partition is computed).

    References
    ----------
    clinical-reference.md §9; see :func:`kit.assess`.

    Examples
    --------
    >>> import pandas as pd
    >>> from kit import assess_frame
    >>> df = pd.DataFrame({"spasm": [True, None, True], "spasm_duration_min": [75, None, 3]})
    >>> assess_frame(df)[["escalation", "flags", "reassess_in_min"]]
      escalation            flags  reassess_in_min
    0  emergency  prolonged_spasm              5.0
    1    monitor                              15.0
    2  self_care                               NaN
    """
    if _is_dask(df):
        names, col_problems = _check_columns(df, extra)  # the columns are known before any partition is read
        if col_problems:
            raise ObservationError(col_problems)
        if "episode_id" in dict(names):
            return _assess_dask_episodes(df, extra)
        return df.map_partitions(_assess_partition, extra=extra, meta=_dask_meta())
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"assess_frame needs a pandas or Dask DataFrame, not {type(df).__name__}")
    n = len(df)
    names, col_problems = _check_columns(df, extra)
    series = {name: df.iloc[:, j] for name, j in names}
    tier = np.zeros(n, dtype=np.int8)
    top = np.zeros(n, dtype=np.int8)
    scores = {c: np.zeros(n, dtype=np.int64) for c in CAUSES}
    mask = np.zeros(n, dtype=np.int64)
    reassess = np.full(n, np.nan)
    problems: list[tuple[int, int, Problem]] = []
    bar = None
    if progress is True or (progress == "auto" and n >= PROGRESS_MIN_ROWS):
        bar = tqdm(total=n, unit="rows", desc="scoring", unit_scale=True)
    try:
        for start in range(0, n, CHUNK_ROWS):
            stop = min(n, start + CHUNK_ROWS)
            cols, found = _validate(series, df.index, start, stop, keep=_KEEP)
            problems.extend(found)
            if not problems and not col_problems:  # once anything is wrong, only look for more problems
                v = _kernel_inputs(cols, stop - start)
                for a in range(0, stop - start, KERNEL_ROWS):
                    b = min(stop - start, a + KERNEL_ROWS)
                    part = {k: x[a:b] for k, x in v.items()}
                    r = evaluate(part, VECTOR)
                    sl = slice(start + a, start + b)
                    tier[sl] = r.base_tier
                    top[sl] = r.top
                    for c in CAUSES:
                        scores[c][sl] = r.scores[c]
                    mask[sl] = flag_mask(r)
                    reassess[sl] = vector_reassess(r, r.base_tier, part["spasm"] == 1.0)
            if bar is not None:
                bar.update(stop - start)
    finally:
        if bar is not None:
            bar.close()
    if col_problems or problems:
        raise ObservationError(col_problems + _sorted(problems))
    trend = np.full(n, "first", dtype=object)
    if "episode_id" in series:
        _recheck_episodes(series, df.index, tier, top, scores, mask, reassess, trend)
    idx = df.index
    out: dict[str, Any] = {  # object dtype keeps top_cause None (pandas 3 would infer str with NaN)
        "escalation": pd.Series(_TIER_LABELS[tier], index=idx, dtype=object, copy=False),
        "top_cause": pd.Series(_CAUSE_LABELS[top.astype(np.intp) + 1], index=idx, dtype=object, copy=False),
    }
    for c in CAUSES:
        out[f"score_{c}"] = pd.Series(scores[c], index=idx, copy=False)
    out["flags"] = pd.Series(_flag_labels(mask), index=idx, dtype=object, copy=False)
    out["reassess_in_min"] = pd.Series(reassess, index=idx, copy=False)
    out["trend"] = pd.Series(trend, index=idx, dtype=object, copy=False)
    return pd.DataFrame(out, index=idx, copy=False)


def _recheck_episodes(series: dict[str, pd.Series], index: pd.Index, tier: np.ndarray, top: np.ndarray,
                      scores: dict[str, np.ndarray], mask: np.ndarray, reassess: np.ndarray, trend: np.ndarray) -> None:
    """§9.9 on the rows that share an ``episode_id`` with another row (in place; the frame is already valid).

    The rows of each episode are put in episode order (:func:`kit.engine.episodes.episode_orders`:
    observed_at order), their K4 spasm totals computed, the kernel run again on all of them
    at once (vectorised) with those totals, and then the recheck rules run per episode, each
    row with its predecessors as history. Every output of those rows is overwritten, so each
    equals ``kit.assess(row, history=predecessors)``. Rows without an ``episode_id``, and
    episodes of one row, keep the single-observation result.
    """
    known = series["episode_id"].notna()
    if known.sum() < 2:  # most logs: no episode ids at all
        return
    eid = series["episode_id"]
    shared = np.flatnonzero((known & eid.duplicated(keep=False)).to_numpy())  # ids on two or more rows (vectorised)
    if not len(shared):
        return
    at_all = series["observed_at"].to_numpy(dtype=object) if "observed_at" in series else np.full(len(eid), None, dtype=object)
    orders = [[int(shared[k]) for k in o] for o in episode_orders(eid.to_numpy(dtype=object)[shared], at_all[shared])]
    pos = np.concatenate([np.asarray(o, dtype=np.intp) for o in orders])
    cols, _ = _validate({name: s.iloc[pos] for name, s in series.items()}, index[pos], 0, len(pos), keep=_KEEP)
    v = _kernel_inputs(cols, len(pos))
    given = series["treatment_given"].to_numpy(dtype=object)[pos] if "treatment_given" in series else [None] * len(pos)
    at = at_all[pos]
    totals = np.empty(len(pos))
    bounds = np.cumsum([0, *map(len, orders)])
    for a, b in pairwise(bounds):
        totals[a:b] = spasm_totals([SpasmRow(*row) for row in zip(v["spasm"][a:b], v["spasm_duration_min"][a:b], at[a:b],
                                                                    strict=True)])
    v["spasm_total_min"] = totals  # a new array: the decoded spasm_duration_min column is left as it is
    r = evaluate(v, VECTOR)
    steps = step_summaries(r, core_temp_c=v["core_temp_c"], spasm=v["spasm"], treatment_given=given, observed_at=at)
    final = np.asarray(r.base_tier, dtype=np.int64).copy()
    k8 = np.zeros(len(pos), dtype=bool)
    trends = np.empty(len(pos), dtype=object)
    for a, b in pairwise(bounds):
        for j, rc in enumerate(recheck_episode(steps[a:b]), start=a):
            final[j] = max(final[j], rc.tier_code)
            k8[j] = rc.k8
            trends[j] = rc.trend
    tier[pos] = final
    top[pos] = r.top
    for c in CAUSES:
        scores[c][pos] = r.scores[c]
    mask[pos] = flag_mask(r)
    reassess[pos] = vector_reassess(r, final, v["spasm"] == 1.0, k8)
    trend[pos] = trends


def vector_reassess(r: KernelResult, tier: np.ndarray, spasm: np.ndarray, k8: Any = False) -> np.ndarray:
    """``reassess_in_min`` for kernel columns at final tiers ``tier`` (§9.10); NaN for self_care."""
    return np.asarray(kernel_reassess(r, np.asarray(tier), spasm, k8, VECTOR), dtype=np.float64)


def flag_mask(r: KernelResult) -> np.ndarray:
    """The flags of kernel columns as one int64 bitmask per row (bit i = the i-th flag of the sorted ids)."""
    m = np.zeros(np.shape(r.base_tier), dtype=np.int64)
    for bit, name in enumerate(_FLAG_SORTED):
        m |= np.asarray(getattr(r.flags, name), dtype=np.int64) << bit
    return m


_LABELS = ("escalation", "top_cause", "flags", "trend")


def _dask_meta() -> pd.DataFrame:
    """The Dask result's columns: labels as pandas' pyarrow-backed strings (missing ``top_cause`` is ``<NA>``).

    Object columns would stop ``to_parquet`` on a Dask result (dask cannot infer a Parquet
    type for an object column from its meta); strings are what dask itself uses for text.
    """
    meta = _meta()
    if _pa is None:  # pragma: no cover - postrun-kit[scale] brings pyarrow
        return meta
    return meta.astype({c: pd.StringDtype("pyarrow") for c in _LABELS})


def _assess_partition(part: pd.DataFrame, extra: str) -> pd.DataFrame:
    """One Dask partition (a pandas DataFrame), scored without a progress bar, with the dtypes of :func:`_dask_meta`."""
    out: pd.DataFrame = assess_frame(part, extra=extra, progress=False)  # ObservationError pickles as itself (worker -> client)
    return out.astype(_dask_meta().dtypes.to_dict())


#: Helper columns of the Dask episode path: the row's input partition and its position in it.
_PART, _POS = "__kit_partition", "__kit_row"


def _assess_dask_episodes(df: Any, extra: str) -> Any:
    """A Dask frame with an ``episode_id`` column: one episode's rows meet in one partition.

    The rows with an ``episode_id`` are shuffled on it (so every episode is whole in one
    partition) and scored there, each with its predecessors as history; each scored row is
    then routed back to the partition it came from (by partition number) and put in its
    place. Rows without an ``episode_id`` are scored where they are. The result has the
    input's partitions, index and row order, equal row for row to the pandas result.
    """
    # Imported here: dask is the optional postrun-kit[scale] extra, and importing it takes about 1.2 s
    # (python -X importtime), which every pandas-only call would otherwise pay.
    import dask.dataframe as dd

    n = df.npartitions
    helpers = {_PART: pd.Series([], dtype="int64"), _POS: pd.Series([], dtype="int64")}
    tagged = df.map_partitions(_tag_rows, meta=df._meta.assign(**helpers))
    # task-based shuffles: they run on any scheduler (p2p, dask's default under a Client, needs its workers)
    episodes = tagged[tagged["episode_id"].notnull()].shuffle(on="episode_id", shuffle_method="tasks")
    scored = episodes.map_partitions(_assess_episode_partition, extra=extra, meta=_meta().assign(**helpers))
    routed = scored.set_index(_PART, divisions=[*range(n), n - 1], sort=True, shuffle_method="tasks").clear_divisions()
    return dd.map_partitions(  # type: ignore[no-untyped-call]  # dask.dataframe.map_partitions has no annotations
        _merge_partition, df, routed, extra=extra, meta=_dask_meta(), align_dataframes=False)


def _tag_rows(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    return part.assign(**{_PART: np.full(len(part), number, dtype=np.int64), _POS: np.arange(len(part), dtype=np.int64)})


def _assess_episode_partition(part: pd.DataFrame, extra: str) -> pd.DataFrame:
    """Shuffled episode rows, back in input order (a shuffle does not keep it), scored; helper columns kept."""
    part = part.sort_values([_PART, _POS], kind="stable")
    out: pd.DataFrame = assess_frame(part.drop(columns=[_PART, _POS]), extra=extra, progress=False)
    return out.assign(**{_PART: part[_PART].to_numpy(), _POS: part[_POS].to_numpy()})


def _merge_partition(part: pd.DataFrame, episodes: pd.DataFrame, extra: str) -> pd.DataFrame:
    """One input partition scored, with its episode rows replaced by their episode-wide results."""
    out: pd.DataFrame = assess_frame(part, extra=extra, progress=False)
    if len(episodes):
        rows = episodes[_POS].to_numpy()
        for c in out.columns:
            col = out[c].to_numpy(copy=True)
            col[rows] = episodes[c].to_numpy(dtype=col.dtype)
            out[c] = col
    return out.astype(_dask_meta().dtypes.to_dict())


def _flag_labels(mask: np.ndarray) -> np.ndarray:
    """';'-joined sorted flag ids per row from the flag bitmask (one label per distinct mask)."""
    uniq, inverse = np.unique(mask, return_inverse=True)
    table = np.array([";".join(name for bit, name in enumerate(_FLAG_SORTED) if int(m) >> bit & 1) for m in uniq] or [""],
                     dtype=object)
    return table[inverse.reshape(-1)] if len(mask) else np.empty(0, dtype=object)


def _sorted(problems: list[tuple[int, int, Problem]]) -> list[Problem]:
    problems.sort(key=lambda t: (t[0], t[1]))
    return [p for _, _, p in problems]


def _kernel_inputs(cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """The kernel's float columns; ``spasm_total_min`` is the row's own spasm duration (no history)."""
    nan = np.full(n, np.nan)
    v: dict[str, np.ndarray] = {}
    for name in KERNEL_INPUTS:
        if name == "blood_glucose_unit":
            v[name] = cols.get("blood_glucose_unit_code", nan)
        elif name == "spasm_total_min":
            v[name] = cols.get("spasm_duration_min", nan)
        else:
            v[name] = cols.get(name, nan)
    return v


#: Decoded columns the kernel reads (the others are only validated).
_KEEP = frozenset(KERNEL_INPUTS) | {"blood_glucose_unit_code"}


def frame_inputs(df: pd.DataFrame, *, extra: str = "error") -> dict[str, np.ndarray]:
    """Validate ``df`` column-wise and return the rule kernel's inputs as float arrays.

    Raises
    ------
    ObservationError
        With one :class:`~kit.engine.observation.Problem` per bad cell (row index and field).
    """
    cols, problems = validate_frame(df, extra=extra)
    if problems:
        raise ObservationError(problems)
    return _kernel_inputs(cols, len(df))


def validate_frame(df: pd.DataFrame, *, extra: str = "error") -> tuple[dict[str, np.ndarray], list[Problem]]:
    """Check every cell of ``df`` against the contract, column by column.

    Returns
    -------
    columns : dict
        Field name to float array (NaN unknown; yes/no 1.0/0.0; intensity as its code;
        ``blood_glucose_unit_code`` 0 = mg/dL, 1 = mmol/L).
    problems : list of Problem
        Every bad cell, with its row index and field: problems with the columns
        themselves first, then by row position and contract field order.
    """
    names, col_problems = _check_columns(df, extra)
    cols, found = _validate({name: df.iloc[:, j] for name, j in names}, df.index, 0, len(df), keep=None)
    return cols, col_problems + _sorted(found)


def _check_columns(df: pd.DataFrame, extra: str) -> tuple[list[tuple[str, int]], list[Problem]]:
    """Contract columns to read (name, position), and problems with the columns (unknown, repeated)."""
    names, problems, seen = [], [], set()
    for j, name in enumerate(df.columns):
        if name not in FIELDS:
            if extra == "ignore":
                continue
            hint = suggest_field(str(name))
            problems.append(Problem(str(name), None, "is not a field of the contract" +
                                    (f"; did you mean {hint!r}?" if hint else "")))
        elif name in seen:
            problems.append(Problem(name, None, "column appears more than once"))
        else:
            seen.add(name)
            names.append((name, j))
    return names, problems


def _validate(series: dict[str, pd.Series], index: pd.Index, start: int, stop: int,
              keep: frozenset[str] | None) -> tuple[dict[str, np.ndarray], list[tuple[int, int, Problem]]]:
    """Decode and check rows ``start:stop`` of each column.

    Returns the float columns (only those in ``keep``, all when ``None``) and the
    problems as ``(row position, field order, Problem)``.
    """
    whole = start == 0 and stop == len(index)
    out: dict[str, np.ndarray] = {}
    problems: list[tuple[int, int, Problem]] = []
    given: dict[str, np.ndarray] = {}
    messages: dict[Any, str] = {}
    for name, full in series.items():
        s = full if whole else full.iloc[start:stop]
        spec = FIELDS[name]
        arr: np.ndarray | None = None
        if spec.kind in ("number", "int"):
            arr, bad, null = _numbers(s, spec)
        elif spec.kind == "bool":
            arr, bad, null = _bools(s)
        elif spec.kind == "choice":
            arr, bad, null = _choices(s, spec)
            if name == "blood_glucose_unit":
                out["blood_glucose_unit_code"] = arr
        elif spec.kind == "str":
            bad, null = _texts(s, spec)
            why = refused_ids(pd.unique(s[~null])) if name == "athlete_id" else None  # kit.engine.ids: the ids' one rule
            if why:
                bad = s.isin(list(why)).to_numpy() | (False if bad is None else bad)
                messages.update({(name, str, v): m for v, m in why.items()})
        elif spec.kind == "actions":
            bad, null = _action_lists(s, spec)
        else:
            bad, null = _datetimes(s, spec)
        if name in _NEEDED:
            given[name] = ~null
        if arr is not None and (keep is None or name in keep) and name != "blood_glucose_unit":
            out[name] = arr
        if bad is not None and bad.any():
            order = _FIELD_ORDER[name]
            for i in np.flatnonzero(bad):
                value = plain_value(s.iloc[i])
                key = (name, type(value), value) if _accepts(hash, TypeError, value) else None
                msg = messages.get(key) if key is not None else None
                if msg is None:
                    msg = spec.problem(value) or spec.message(value)
                    if key is not None:
                        messages[key] = msg
                problems.append((start + int(i), order, Problem(name, value, msg, plain_value(index[start + int(i)]))))
    problems.extend(_cross_rows(out, given, series, index, start, stop))
    return out, problems


def _accepts(check: Callable[[Any], object], error: type[Exception], value: Any) -> bool:
    """True when ``check(value)`` does not raise ``error`` (a hashable value, a date-time text)."""
    try:
        check(value)
    except error:
        return False
    return True


#: Fields whose presence a cross-field rule needs.
_NEEDED = frozenset(needs for _, needs, _, _ in CROSS_FIELD)


def _cross_rows(cols: dict[str, np.ndarray], given: dict[str, np.ndarray], series: dict[str, pd.Series],
                index: pd.Index, start: int, stop: int) -> list[tuple[int, int, Problem]]:
    """The cross-field rules (:data:`kit.engine.observation.CROSS_FIELD`) on rows ``start:stop``."""
    out = []
    for have, needs, field, message in CROSS_FIELD:
        col = cols.get(have)
        if col is None:
            continue
        for i in np.flatnonzero(~np.isnan(col) & ~given.get(needs, np.zeros(stop - start, dtype=bool))):
            value = float(col[i]) if field == have else None
            out.append((start + int(i), _FIELD_ORDER[field], Problem(field, value, message, plain_value(index[start + int(i)]))))
    return out


# --- one decoder per kind: (float values or None, bad-cell mask or None, unknown mask) ---------------------------

def _numbers(s: pd.Series, spec: FieldSpec) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Float values (NaN unknown or bad), bad cells (bools and strings are not numbers; range; whole)."""
    dt = s.dtype
    if is_bool_dtype(dt):
        null = s.isna().to_numpy()
        return np.full(len(s), np.nan), ~null, null
    if dt == np.float64:
        arr = s.to_numpy()
        null = np.isnan(arr)
        bad = None
    elif is_numeric_dtype(dt):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        null = s.isna().to_numpy()
        bad = None
    else:
        vals = s.to_numpy(dtype=object)
        null = pd.isna(vals)
        if dt == _OBJECT and infer_dtype(vals, skipna=True) in ("integer", "floating", "mixed-integer-float", "empty"):
            ok = ~null
        else:  # exact per-cell type check, only for columns that are not plainly numeric
            ok = np.fromiter((isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
                              for x in vals), dtype=bool, count=len(vals))
        bad = ~null & ~ok
        arr = pd.to_numeric(pd.Series(vals, dtype=object).where(ok), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):  # NaN fails every comparison: unknown cells are never "good"
        good = spec.in_range(arr)
        if spec.kind == "int":
            good &= arr % 1 == 0
    good |= null
    if bad is not None:
        good &= ~bad
    if good.all():
        return arr, None, null
    return np.where(good, arr, np.nan), ~good, null


_BOOL_TABLE = np.array([0.0, 1.0, np.nan, np.nan])  # index: value bit + 2 * unknown bit


def _bools(s: pd.Series) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """1.0 / 0.0 / NaN, bad cells (1, "yes" are not booleans), unknown cells."""
    dt = s.dtype
    if dt == np.bool_:
        return s.to_numpy(dtype=np.float64), None, np.zeros(len(s), dtype=bool)
    if is_bool_dtype(dt):
        data, mask = getattr(s.array, "_data", None), getattr(s.array, "_mask", None)
        if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and data.dtype == mask.dtype == np.bool_:
            return _BOOL_TABLE.take(data.view(np.uint8) + 2 * mask.view(np.uint8)), None, mask  # pandas "boolean"
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return arr, None, np.isnan(arr)
    if dt == _OBJECT:
        vals = s.to_numpy()
        fast = _object_bools(vals)
        if fast is not None:
            return fast[0], None, fast[1]
        null = pd.isna(vals)
        is_bool = np.fromiter((isinstance(x, (bool, np.bool_)) for x in vals), dtype=bool, count=len(vals))
        bad = ~null & ~is_bool
        arr = np.full(len(vals), np.nan)
        arr[is_bool] = vals[is_bool].astype(bool)
        return arr, bad, null
    # numeric or text dtypes: every known cell is wrong
    null = s.isna().to_numpy()
    return np.full(len(s), np.nan), ~null, null


def _object_bools(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(floats, unknown cells) for an object array of booleans and missing values only, else ``None``.

    pyarrow's conversion to ``bool`` is strict: it accepts ``True``/``False`` (also numpy's)
    and the missing markers (None, NaN, ``pd.NA``) and refuses everything else (1, "yes").
    Without pyarrow, pandas' type inference gives the same answer (a little slower).
    """
    if _pa is not None:
        try:
            a = _pa.array(vals, type=_pa.bool_(), from_pandas=True)
        except (_pa.ArrowException, TypeError, ValueError):
            return None
        validity, data = a.buffers()
        bits = _bits(data, len(a), a.offset)
        if not a.null_count:
            return bits.astype(np.float64), np.zeros(len(a), dtype=bool)
        null = _bits(validity, len(a), a.offset, invert=True)
        return _BOOL_TABLE.take(bits.view(np.uint8) + 2 * null.view(np.uint8)), null
    if infer_dtype(vals, skipna=True) not in ("boolean", "empty"):  # without pyarrow
        return None
    null = pd.isna(vals)
    yes = np.where(null, False, vals).astype(bool)  # every known cell is a bool here
    return np.where(null, np.nan, yes), null


def _choices(s: pd.Series, spec: FieldSpec) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Intensity as its kernel code, the glucose unit as its index in the choices; bad cells; unknown cells."""
    choices = spec.choices or ()
    if spec.name == "intensity":
        values = [INTENSITY_CODES[c] for c in choices]
    else:
        values = [float(i) for i in range(len(choices))]
    value_of = dict(zip(choices, values, strict=True))
    dt = s.dtype
    if _arrow_backed(dt):  # one pass in pyarrow: position in the choices, -1 / null when not one
        a = _pa.array(s.array)
        pos = _pc.fill_null(_pc.index_in(a, value_set=_pa.array(choices, type=a.type)), len(values))
        arr = np.array([*values, np.nan]).take(pos.to_numpy(zero_copy_only=False))
        null = s.isna().to_numpy()
        bad = ~null & np.isnan(arr)
        return arr, (bad if bad.any() else None), null
    if isinstance(dt, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        uniques = dt.categories
    elif dt == _OBJECT or is_string_dtype(dt):
        try:
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists, dicts): one by one
            vals = s.to_numpy(dtype=object)
            null = pd.isna(vals)
            arr = np.array([value_of.get(x, np.nan) if isinstance(x, str) else np.nan for x in vals], dtype=np.float64)
            return arr, ~null & np.isnan(arr), null
    else:
        null = s.isna().to_numpy()
        return np.full(len(s), np.nan), ~null, null
    lookup = np.array([value_of.get(u, np.nan) if isinstance(u, str) else np.nan for u in uniques] + [np.nan])
    arr = lookup[codes]  # code -1 (missing) picks the trailing NaN
    null = codes < 0
    bad = ~null & np.isnan(arr)
    return arr, (bad if bad.any() else None), null


def _arrow_backed(dt: Any) -> bool:
    """True for pandas' pyarrow-backed text dtypes (``str`` in pandas 3, ``string[pyarrow]``)."""
    return _pa is not None and isinstance(dt, pd.StringDtype) and dt.storage == "pyarrow"


def _strings(s: pd.Series) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """A text column as (values, unknown cells, cells that are not text or ``None``).

    ``values`` is a pyarrow string array when pyarrow is there (bad and unknown cells
    null), else an object array.
    """
    dt = s.dtype
    if _arrow_backed(dt):
        return _pa.array(s.array), s.isna().to_numpy(), None
    if dt != _OBJECT and not is_string_dtype(dt):
        null = s.isna().to_numpy()
        return None, null, ~null
    vals = s.to_numpy(dtype=object)
    if dt == _OBJECT and _pa is not None and infer_dtype(vals, skipna=True) in ("string", "empty"):
        try:
            a = _pa.array(vals, type=_pa.large_string(), from_pandas=True)
        except (_pa.ArrowException, TypeError, ValueError):
            a = None  # a missing marker pyarrow does not know: the exact path below
        if a is not None:
            null = _bits(a.buffers()[0], len(a), a.offset, invert=True) if a.null_count else np.zeros(len(a), dtype=bool)
            return a, null, None
    null = pd.isna(vals)
    is_str = np.fromiter((isinstance(x, str) for x in vals), dtype=bool, count=len(vals))
    bad = ~null & ~is_str
    if _pa is None:
        return vals, null, (bad if bad.any() else None)
    clean = np.where(is_str, vals, np.array(None, dtype=object))
    return _pa.array(clean, type=_pa.large_string()), null, (bad if bad.any() else None)


def _bits(buf: Any, n: int, offset: int, *, invert: bool = False) -> np.ndarray:
    """A pyarrow bitmap as a bool array."""
    bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), count=n + offset, bitorder="little")[offset:]
    return bits == 0 if invert else bits.view(bool)


def _categories(s: pd.Series, ok: Any) -> tuple[np.ndarray | None, np.ndarray]:
    """Bad and unknown cells of a categorical column, checking each category once with ``ok``."""
    codes = s.cat.codes.to_numpy()
    categories = s.cat.categories
    good = np.array([*(bool(ok(c)) for c in categories), True], dtype=bool)  # code -1 (missing) picks the last
    bad = ~good[codes]
    return (bad if bad.any() else None), codes < 0


def _texts(s: pd.Series, spec: FieldSpec) -> tuple[np.ndarray | None, np.ndarray]:
    """Bad cells of a free-text field (not text, or a length outside the allowed range); unknown cells."""
    lo = int(spec.lo or 0)
    if isinstance(s.dtype, pd.CategoricalDtype):  # e.g. a dictionary-encoded Parquet column
        return _categories(s, lambda c: spec.problem(c) is None)
    vals, null, bad = _strings(s)
    if vals is None:
        return bad, null
    if isinstance(vals, np.ndarray):  # without pyarrow
        check = ~null if bad is None else ~null & ~bad
        pos = np.flatnonzero(check)
        lengths = np.zeros(len(vals), dtype=np.int64)
        lengths[pos] = np.fromiter(map(len, vals[pos]), dtype=np.int64, count=len(pos))
    else:
        lengths = _pc.fill_null(_pc.utf8_length(vals), lo).to_numpy()  # characters, as len(); unknown: passes
        check = None
    with np.errstate(invalid="ignore"):
        wrong = ~spec.length_ok(lengths)
        if check is not None:
            wrong &= check
    bad = wrong if bad is None else bad | wrong
    return (bad if bad.any() else None), null


def _action_lists(s: pd.Series, spec: FieldSpec) -> tuple[np.ndarray | None, np.ndarray]:
    """Bad cells of ``treatment_given`` (a list of action ids, or a ``";"``-joined string); unknown cells.

    Each known cell is checked with the scalar rule of :func:`kit.assess` (the column is
    short lists, rarely filled), so the verdict is the same; unknown cells cost nothing.
    """
    vals = s.to_numpy(dtype=object)
    null = np.asarray(pd.isna(vals), dtype=bool)
    bad = np.zeros(len(vals), dtype=bool)
    seen: dict[str, bool] = {}  # a joined-string cell is checked once per distinct text
    for i in np.flatnonzero(~null):
        x = vals[i]
        if isinstance(x, str):
            if x not in seen:
                seen[x] = spec.problem(x) is not None
            bad[i] = seen[x]
        else:
            bad[i] = spec.problem(plain_value(x.tolist() if isinstance(x, np.ndarray) else x)) is not None
    return (bad if bad.any() else None), null


def _datetimes(s: pd.Series, spec: FieldSpec) -> tuple[np.ndarray | None, np.ndarray]:
    """Bad cells of ``observed_at`` (not text, or not an ISO 8601 date-time); unknown cells.

    Every text is read by the field's own rule (:func:`kit.engine.fields.parse_datetime`, as
    :meth:`FieldSpec.problem` reads it), so the verdict is the scalar path's: one million
    date-times take about 0.4 s.
    """
    if is_datetime64_any_dtype(s.dtype):
        return None, s.isna().to_numpy()
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _categories(s, lambda c: isinstance(c, pd.Timestamp) or spec.problem(c) is None)
    vals, null, bad = _strings(s)
    check = ~null if bad is None else ~null & ~bad
    if vals is None or not check.any():
        return bad, null
    if isinstance(vals, np.ndarray):  # without pyarrow
        texts = vals[check].tolist()
    else:
        texts = vals.filter(_pa.array(check)).to_pylist()
    wrong = np.zeros(len(s), dtype=bool)
    wrong[np.flatnonzero(check)] = ~np.fromiter(map(partial(_accepts, parse_datetime, ValueError), texts), dtype=bool, count=len(texts))
    if wrong.any():
        bad = wrong if bad is None else bad | wrong
    return bad, null
