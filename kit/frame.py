"""``kit.assess_frame``: the rules over a whole team log, vectorised.

Validation is column-wise (numpy / pandas operations, no pydantic call per row) and
reports every bad row with its index and field. Scoring calls the same rule kernel as
:func:`kit.assess` (:func:`kit.rules.evaluate`) on whole numpy columns, so the two paths
agree row for row by construction (tests check it on random observations).

Large frames are processed in chunks (bounded memory; optional progress bar). A Dask
DataFrame is scored partition by partition with ``map_partitions`` and returns a Dask
DataFrame (``pip install postrun-kit[scale]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kit.fields import FIELD_NAMES, FIELDS
from kit.observation import ObservationError, Problem, _iso_datetime, _message, suggest_field
from kit.rules import CAUSES, FLAGS, INTENSITY_CODES, KERNEL_INPUTS, TIERS, VECTOR, evaluate
from kit.thresholds import T

__all__ = ["assess_frame", "validate_frame", "frame_inputs", "OUTPUT_COLUMNS", "CHUNK_ROWS"]

#: Output columns (contract), in order.
OUTPUT_COLUMNS: tuple[str, ...] = ("escalation", "top_cause", *(f"score_{c}" for c in CAUSES), "flags")
#: Rows scored at a time (bounds peak memory on very large logs).
CHUNK_ROWS = 250_000
#: Rows from which ``progress="auto"`` shows a progress bar.
PROGRESS_MIN_ROWS = 100_000

_TIER_LABELS = np.array(TIERS, dtype=object)
_CAUSE_LABELS = np.array([None, *CAUSES], dtype=object)  # index top + 1
_FLAG_SORTED = tuple(sorted(FLAGS))


def _is_dask(df: Any) -> bool:
    return type(df).__module__.startswith("dask") and hasattr(df, "map_partitions")


def _meta() -> pd.DataFrame:
    cols: dict[str, Any] = {"escalation": pd.Series([], dtype=object), "top_cause": pd.Series([], dtype=object)}
    for c in CAUSES:
        cols[f"score_{c}"] = pd.Series([], dtype="int64")
    cols["flags"] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)


def assess_frame(df: Any, *, extra: str = "error", progress: bool | str = "auto") -> Any:
    """Assess every row of a team log; equal row for row to :func:`kit.assess`.

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        Columns are contract fields. An absent column, NaN, None or ``pd.NA`` is unknown.
    extra : {"error", "ignore"}
        What to do with columns that are not contract fields (default: an error that
        names them and suggests the closest field).
    progress : bool or "auto"
        Show a progress bar (tqdm); ``"auto"`` shows one from 100,000 rows on.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        Same index as ``df``; columns ``escalation``, ``top_cause`` (None when no cause
        leads), ``score_<cause>`` for each cause (int) and ``flags`` (";"-joined, sorted).

    Raises
    ------
    ObservationError
        Naming each bad row's index and field (for Dask: when the partition is computed).

    References
    ----------
    clinical-reference.md §9; see :func:`kit.assess`.
    """
    if _is_dask(df):
        return df.map_partitions(assess_frame, extra=extra, progress=False, meta=_meta())
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"assess_frame needs a pandas or Dask DataFrame, not {type(df).__name__}")
    n = len(df)
    show = progress is True or (progress == "auto" and n >= PROGRESS_MIN_ROWS)
    if n <= CHUNK_ROWS:
        return _assess_chunk(df, extra)
    parts = []
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="rows", desc="scoring")
    problems: list[Problem] = []
    for start in range(0, n, CHUNK_ROWS):
        chunk = df.iloc[start:start + CHUNK_ROWS]
        try:
            parts.append(_assess_chunk(chunk, extra))
        except ObservationError as err:
            problems.extend(err.problems)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    if problems:
        raise ObservationError(problems)
    return pd.concat(parts)


def _assess_chunk(df: pd.DataFrame, extra: str) -> pd.DataFrame:
    v = frame_inputs(df, extra=extra)
    r = evaluate(v, VECTOR)
    n = len(df)
    idx = df.index
    out: dict[str, Any] = {  # object dtype keeps top_cause None (pandas 3 would infer str with NaN)
        "escalation": pd.Series(_TIER_LABELS[np.broadcast_to(r["tier"], n)], index=idx, dtype=object),
        "top_cause": pd.Series(_CAUSE_LABELS[np.broadcast_to(r["top"], n) + 1], index=idx, dtype=object),
    }
    for c in CAUSES:
        out[f"score_{c}"] = pd.Series(np.broadcast_to(np.asarray(r["scores"][c], dtype=np.int64), n), index=idx)
    out["flags"] = pd.Series(_join_flags(r["flags"], n), index=idx, dtype=object)
    return pd.DataFrame(out, index=idx)


def _join_flags(flags: dict[str, Any], n: int) -> np.ndarray:
    """';'-joined sorted flag ids per row, via a bitmask (no per-row Python loop)."""
    mask = np.zeros(n, dtype=np.int32)
    for bit, name in enumerate(_FLAG_SORTED):
        mask |= np.broadcast_to(flags[name], n).astype(np.int32) << bit
    uniq, inverse = np.unique(mask, return_inverse=True)
    labels = np.array([";".join(name for bit, name in enumerate(_FLAG_SORTED) if m >> bit & 1) for m in uniq],
                      dtype=object)
    return labels[inverse]


def frame_inputs(df: pd.DataFrame, *, extra: str = "error") -> dict[str, np.ndarray]:
    """Validate ``df`` column-wise and return the rule kernel's inputs as float arrays.

    Raises
    ------
    ObservationError
        With one :class:`~kit.observation.Problem` per bad cell (row index and field).
    """
    cols, problems = validate_frame(df, extra=extra)
    if problems:
        raise ObservationError(problems)
    n = len(df)
    nan = np.full(n, np.nan)

    def col(name: str) -> np.ndarray:
        return cols.get(name, nan)

    v: dict[str, np.ndarray] = {}
    for name in KERNEL_INPUTS:
        if name == "glucose_mg_dl":
            bg = col("blood_glucose")
            unit = cols.get("blood_glucose_unit_code", nan)
            v[name] = np.where(unit == 1.0, bg * T.glucose_mmol_to_mg_dl, bg)
        elif name == "body_mass_change_pct":
            pre, post = col("body_mass_pre_kg"), col("body_mass_post_kg")
            with np.errstate(invalid="ignore"):
                v[name] = (post - pre) / pre * 100.0
        else:
            v[name] = col(name)
    return v


def _isnull(s: pd.Series) -> np.ndarray:
    return s.isna().to_numpy()


def validate_frame(df: pd.DataFrame, *, extra: str = "error") -> tuple[dict[str, np.ndarray], list[Problem]]:
    """Check every cell of ``df`` against the contract, column by column.

    Returns
    -------
    columns : dict
        Field name to float array (NaN unknown; yes/no 1.0/0.0; intensity as its code;
        ``blood_glucose_unit_code`` 0 = mg/dL, 1 = mmol/L).
    problems : list of Problem
        Every bad cell, with its row index and field.
    """
    problems: list[Problem] = []
    out: dict[str, np.ndarray] = {}
    index = df.index
    for name in df.columns:
        if name not in FIELDS:
            if extra == "ignore":
                continue
            hint = suggest_field(str(name))
            problems.append(Problem(str(name), None, "is not a field of the contract" +
                                    (f"; did you mean {hint!r}?" if hint else "")))
            continue
        spec = FIELDS[name]
        s = df[name]
        null = _isnull(s)
        bad = np.zeros(len(s), dtype=bool)
        if spec.kind in ("number", "int"):
            arr, bad = _numbers(s, null)
            with np.errstate(invalid="ignore"):
                bad |= ~null & ~bad & ~np.isfinite(arr)
                known = ~null & ~bad
                lo, hi = spec.lo, spec.hi
                if lo is not None:
                    bad |= known & ((arr <= lo) if spec.lo_exclusive else (arr < lo))
                if hi is not None:
                    bad |= known & (arr > hi)
                if spec.kind == "int":
                    bad |= known & (np.floor(arr) != arr)
            out[name] = np.where(null | bad, np.nan, arr)
        elif spec.kind == "bool":
            arr, bad = _bools(s, null)
            out[name] = arr
        elif spec.kind == "choice":
            choices = spec.choices or ()
            codes = {c: float(i) for i, c in enumerate(choices)}
            mapped = s.map(codes) if s.dtype == object or str(s.dtype) in ("string", "str", "category") else None
            if mapped is None:
                bad = ~null
                arr = np.full(len(s), np.nan)
            else:
                arr = mapped.to_numpy(dtype=float, na_value=np.nan)
                bad = ~null & np.isnan(arr)
            if name == "intensity":
                lookup = np.array([INTENSITY_CODES[c] for c in choices])
                out[name] = np.where(np.isnan(arr), np.nan, lookup[np.nan_to_num(arr).astype(int)])
            else:
                out["blood_glucose_unit_code"] = arr
        elif spec.kind == "str":
            bad = ~null & ~_is_str(s)
            lengths = s.where(~null & ~bad, "").astype(str).str.len().to_numpy()
            bad |= ~null & ~bad & ((lengths < (spec.lo or 0)) | (lengths > (spec.hi or 0)))
        elif spec.kind == "datetime":
            bad = _bad_datetimes(s, null)
        if bad.any():
            for i in np.flatnonzero(bad):
                value = s.iloc[i]
                problems.append(Problem(name, _plain(value), _message(spec, "", _plain(value)), index[i]))
    problems.extend(_cross_rows(df, out))
    problems.sort(key=lambda p: (p.row is not None, _pos(index, p.row), FIELD_NAMES.index(p.field) if p.field in FIELDS else -1))
    return out, problems


def _pos(index: pd.Index, row: Any) -> int:
    if row is None:
        return -1
    try:
        loc = index.get_loc(row)
        return loc if isinstance(loc, int) else 0
    except KeyError:  # pragma: no cover
        return 0


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _is_str(s: pd.Series) -> np.ndarray:
    if str(s.dtype) in ("string", "str"):
        return np.ones(len(s), dtype=bool)
    if s.dtype != object:
        return np.zeros(len(s), dtype=bool)
    return s.map(lambda x: isinstance(x, str)).to_numpy(dtype=bool)


def _numbers(s: pd.Series, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float values and a mask of cells that are not numbers (bools and strings are not)."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return np.full(len(s), np.nan), ~null
    if pd.api.types.is_numeric_dtype(dt):
        return s.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(s), dtype=bool)
    ok = s.map(lambda x: isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
               ).to_numpy(dtype=bool)
    bad = ~null & ~ok
    arr = pd.to_numeric(s.where(ok), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return arr, bad


def _bools(s: pd.Series, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1.0 / 0.0 / NaN and a mask of cells that are not booleans (1, "yes" are not)."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        return arr, np.zeros(len(s), dtype=bool)
    if dt == np.dtype(object):
        is_bool = s.map(lambda x: isinstance(x, (bool, np.bool_))).to_numpy(dtype=bool)
        bad = ~null & ~is_bool
        arr = np.where(is_bool, s.where(is_bool, False).astype(bool).to_numpy(dtype=float), np.nan)
        return arr, bad
    # numeric or string dtypes: every known cell is wrong
    return np.full(len(s), np.nan), ~null


def _bad_datetimes(s: pd.Series, null: np.ndarray) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    bad = ~null & ~_is_str(s)
    check = ~null & ~bad
    if check.any():
        text = s[check].astype(str)
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        has_time = text.str.contains(r"[T ]", regex=True)
        suspect = (parsed.isna() | ~has_time).to_numpy()
        idx = np.flatnonzero(check)
        for j in np.flatnonzero(suspect):  # fall back to the scalar rule for the doubtful ones
            try:
                _iso_datetime(text.iloc[j])
            except (ValueError, TypeError):
                bad[idx[j]] = True
    return bad


def _cross_rows(df: pd.DataFrame, cols: dict[str, np.ndarray]) -> list[Problem]:
    out = []
    n = len(df)
    given_pre = ~_isnull(df["body_mass_pre_kg"]) if "body_mass_pre_kg" in df else np.zeros(n, dtype=bool)
    post = cols.get("body_mass_post_kg")
    if post is not None:
        for i in np.flatnonzero(~np.isnan(post) & ~given_pre):
            out.append(Problem("body_mass_post_kg", float(post[i]),
                               "body mass after the run needs body mass before (body_mass_pre_kg) to mean anything",
                               df.index[i]))
    given_unit = ~_isnull(df["blood_glucose_unit"]) if "blood_glucose_unit" in df else np.zeros(n, dtype=bool)
    bg = cols.get("blood_glucose")
    if bg is not None:
        for i in np.flatnonzero(~np.isnan(bg) & ~given_unit):
            out.append(Problem("blood_glucose_unit", None,
                               "is required when blood_glucose is given; allowed: 'mg/dL' or 'mmol/L'", df.index[i]))
    return out

