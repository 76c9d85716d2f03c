# %% [markdown]
# # Scripting the triage form
#
# For developers and staff who want to drive the form from Python (tests, demonstrations, batch
# checks). The form is a Python object: `form.inputs[field].value`, `form.set_values({...})`,
# `form.assessment`, `form.save()`. The cells below fill a form with a teaching case at a fixed
# clock, print the panel in words, then tick "confused". nbval checks their printed output, so a
# change in scoring fails the notebook test. More: `docs/notebooks.md`.

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.widgets import disclaimer_note

disclaimer_note()

# %%
# NBVAL_CHECK_OUTPUT
from datetime import datetime

from kit.resources import load_cases
from kit.views.widgets import TriageForm, summary_text

case = next(c for c in load_cases() if c["id"] == "pub-02-fasted-long-run-low-glucose-mmol")
example = TriageForm(now=lambda: datetime(2026, 5, 1, 14, 17), drafts=False, disclaimer=False)
example.set_values(case["observation"])
print(summary_text(example.assessment, now=example.now()))

# %%
# NBVAL_CHECK_OUTPUT
example.inputs["confusion"].value = "yes"  # what a click on "yes" does
print(summary_text(example.assessment, now=example.now()))
