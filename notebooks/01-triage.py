# %% [markdown]
# # Triage: trembling or spasming legs after a run
#
# Fill in what you know and leave the rest on **?**: unknown is never read as "no". Danger signs
# come first, then symptoms, the run, measurements.
#
# The panel follows every change: **how serious** it is (five levels, from self-care to emergency:
# see the table at the end), **what to do now** and **what not to do**, **when to recheck** (a clock
# time), the likely **causes**, and the **unknowns** that would most change the answer.
# **Save to log** stores the observation with the assessment shown; **Clear** empties the form
# (**Undo clear** brings it back). An unsaved form is kept as a draft and offered back after a
# restart. Write numbers without thousands separators: "1500", not "1,500"; decimals with a point: "5.4", not "5,4".

# %% [markdown] tags=["kit-lab-only"]
# In JupyterLab: **Run > Run All Cells**, then use the form below the first code cell.
# Filling the form from Python: `05-scripting.ipynb` and `docs/notebooks.md`.

# %%
from kit.views.widgets import TriageForm, open_store

form = TriageForm(store=open_store())
form

# %% [markdown] tags=["kit-lab-only"]
# ## What the five levels mean

# %% tags=["kit-lab-only"]
# NBVAL_CHECK_OUTPUT
from kit.views.tables import tier_legend

tier_legend()
