"""postrun-kit: decision support for trembling or spasming legs after a run.

The kit supports a trainer's judgement; it is an educational tool, not a diagnostic
device. Public surface:

* :func:`assess` - one observation (a mapping of contract fields) to an :class:`Assessment`
  (rules v0.2, :data:`RULE_SET`);
* :func:`assess_frame` - the same rules over a pandas DataFrame, vectorised;
* :class:`ObservationError` - invalid input, every problem listed with field, value and range;
* :data:`THRESHOLDS` - every clinical number with its unit and source.
"""

from __future__ import annotations

from typing import Any

from kit.assessment import Assessment, assess
from kit.observation import Observation, ObservationError, Problem, parse_observation
from kit.rules import CAUSES, FLAGS, RULE_SET, TIERS
from kit.thresholds import THRESHOLDS, thresholds_table

__version__ = "0.1.0"

DISCLAIMER = (
    "postrun-kit supports a trainer's judgement; it does not replace it. It is an educational "
    "decision-support tool, not a diagnostic device: when in doubt, or if the athlete gets worse, "
    "call emergency services."
)

__all__ = [
    "Assessment", "Observation", "ObservationError", "Problem", "CAUSES", "FLAGS", "RULE_SET", "TIERS", "THRESHOLDS",
    "DISCLAIMER", "assess", "assess_frame", "parse_observation", "thresholds_table", "__version__",
]


def assess_frame(df: Any, **kwargs: Any) -> Any:
    """Assess every row of a DataFrame, vectorised; see :func:`kit.frame.assess_frame`."""
    from kit.frame import assess_frame as _assess_frame

    return _assess_frame(df, **kwargs)
