# %% [markdown]
# # Instructor: answer key for the workshop cases
#
# **Not for students**: hand out `03-workshop-cases.ipynb` without this folder. The kit's answer
# for every case of `data/cases.json` (tier, leading cause, flags) next to the case authors'
# expected answer. nbval checks this table, so a change in scoring fails the notebook test and
# shows which case changed. The fingerprint line must match the one at the end of the student
# notebook (same kit, same cases).

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.widgets import disclaimer_note

disclaimer_note()

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd

from kit.resources import load_cases
from kit.views.workshop import answer_key_frame, answer_key_summary

pd.set_option("display.max_colwidth", 60)
cases = load_cases()
answer_key_frame(cases)

# %%
# NBVAL_CHECK_OUTPUT
print(answer_key_summary(cases))
