"""The engine: pure scoring functions (fields, thresholds, observation, rules, advice, episodes, frame).

The bottom layer. It imports no sqlite3, plotly, ipywidgets or nbformat, and no other kit layer
(an import-linter contract in ``pyproject.toml`` checks it). The public API is re-exported by :mod:`kit`.
"""
