"""The handout layer: per-athlete HTML handouts and notebook export (nbconvert), offline and sanitised.

Imports views, store and engine; imported by the cli only. ``kit.handout`` re-exports :mod:`kit.handout.build`.
"""

from kit.handout.build import (
    EXAMPLE_ATHLETE as EXAMPLE_ATHLETE,
)
from kit.handout.build import (
    MAX_HANDOUT_BYTES as MAX_HANDOUT_BYTES,
)
from kit.handout.build import (
    PLOTLY_JS as PLOTLY_JS,
)
from kit.handout.build import (
    PSEUDONYM_ENV as PSEUDONYM_ENV,
)
from kit.handout.build import (
    TEMPLATE as TEMPLATE,
)
from kit.handout.build import (
    FigureOutput as FigureOutput,
)
from kit.handout.build import (
    HandoutPage as HandoutPage,
)
from kit.handout.build import (
    Html as Html,
)
from kit.handout.build import (
    TeamSource as TeamSource,
)
from kit.handout.build import (
    TemplateError as TemplateError,
)
from kit.handout.build import (
    causes_section as causes_section,
)
from kit.handout.build import (
    clinician_section as clinician_section,
)
from kit.handout.build import (
    esc as esc,
)
from kit.handout.build import (
    example_observations as example_observations,
)
from kit.handout.build import (
    export_notebook as export_notebook,
)
from kit.handout.build import (
    figure as figure,
)
from kit.handout.build import (
    footer as footer,
)
from kit.handout.build import (
    header as header,
)
from kit.handout.build import (
    history_figure as history_figure,
)
from kit.handout.build import (
    history_section as history_section,
)
from kit.handout.build import (
    notebook_to_html as notebook_to_html,
)
from kit.handout.build import (
    observation_section as observation_section,
)
from kit.handout.build import (
    plotly_div as plotly_div,
)
from kit.handout.build import (
    prepare as prepare,
)
from kit.handout.build import (
    prevention_section as prevention_section,
)
from kit.handout.build import (
    pseudonym as pseudonym,
)
from kit.handout.build import (
    pseudonym_key as pseudonym_key,
)
from kit.handout.build import (
    remote_references as remote_references,
)
from kit.handout.build import (
    render_widget as render_widget,
)
from kit.handout.build import (
    run_template as run_template,
)
from kit.handout.build import (
    safe_filename as safe_filename,
)
from kit.handout.build import (
    seek_help_section as seek_help_section,
)
from kit.handout.build import (
    sources_section as sources_section,
)
from kit.handout.build import (
    tier_section as tier_section,
)
from kit.handout.build import (
    write_handout as write_handout,
)

__all__ = [
    "TEMPLATE",
    "PLOTLY_JS",
    "MAX_HANDOUT_BYTES",
    "PSEUDONYM_ENV",
    "Html",
    "FigureOutput",
    "HandoutPage",
    "EXAMPLE_ATHLETE",
    "example_observations",
    "prepare",
    "figure",
    "esc",
    "header",
    "observation_section",
    "tier_section",
    "causes_section",
    "history_section",
    "history_figure",
    "prevention_section",
    "seek_help_section",
    "sources_section",
    "clinician_section",
    "footer",
    "pseudonym",
    "pseudonym_key",
    "TeamSource",
    "run_template",
    "TemplateError",
    "notebook_to_html",
    "write_handout",
    "export_notebook",
    "render_widget",
    "plotly_div",
    "remote_references",
    "safe_filename",
]
