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

from kit.engine.assessment import Assessment, assess
from kit.engine.observation import Observation, ObservationError, Problem, parse_observation
from kit.engine.rules import CAUSES, FLAGS, RULE_SET, TIERS
from kit.engine.thresholds import THRESHOLDS, thresholds_table
from kit.words import DISCLAIMER

__version__ = "0.1.0"


__all__ = [
    "Assessment", "Observation", "ObservationError", "Problem", "CAUSES", "FLAGS", "RULE_SET", "TIERS", "THRESHOLDS",
    "DISCLAIMER", "assess", "assess_frame", "parse_observation", "thresholds_table", "__version__",
]


def assess_frame(df: Any, **kwargs: Any) -> Any:
    """Assess every row of a DataFrame, vectorised; see :func:`kit.engine.frame.assess_frame`."""
    # Imported on first use (measured with python -X importtime on this 2-core machine, quiet): ``import kit``
    # takes 0.37 s; importing kit.engine.frame too (pandas, pyarrow, tqdm) takes 1.1 s. The scalar path
    # (kit.assess, the CLI's assess, the form) never needs pandas, so it does not pay for it.
    from kit.engine.frame import assess_frame as _assess_frame

    return _assess_frame(df, **kwargs)
