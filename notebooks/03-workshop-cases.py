# %% [markdown]
# # Workshop: post-run tremor and spasm cases
#
# For physiotherapy students. Read each case, open **Findings**, pick the **tier** you would
# choose (five levels: self-care, treat and recheck, see a doctor in the next days, medical
# assessment today, emergency) and the **leading cause**, then press **Reveal the kit's answer**.
# Your pick is shown beside the kit's tier and cause, with its reasons, the evidence behind every
# cause score (with sources) and the case notes. Terms such as EAMC are explained at the top of the
# quiz. Your score is at the end. The kit is a teaching tool: discuss where you disagree with it.

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.widgets import disclaimer_note

disclaimer_note()

# %%
from kit.resources import load_cases
from kit.views.workshop import WorkshopQuiz, answer_key_summary

cases = load_cases()
quiz = WorkshopQuiz(cases)
quiz

# %% [markdown]
# ## Your score
#
# Re-run this cell after revealing answers (the line under the last case updates by itself).

# %%
print(quiz.score_text())

# %% [markdown]
# ## Check (no answers shown)
#
# A one-line check of the kit's answer key that gives none of the answers away: the number of
# cases, on how many the kit agrees with the case authors, and a fingerprint of the key (nbval
# compares this line, so a change in scoring fails the notebook test). Instructors: the full key
# is in `notebooks/instructor/03-workshop-answer-key.ipynb` (its fingerprint must match this one)
# or `kit.views.workshop.answer_key_frame(cases)`.

# %%
# NBVAL_CHECK_OUTPUT
print(answer_key_summary(cases))

# %% [markdown]
# ## Rechecks: predict the next level
#
# Care at the trackside is a loop: treat, wait, recheck, and escalate when it is not working.
# Step through three scripted episodes: a low glucose treated twice and not recovering, heat
# exhaustion not improving, and a spasm that passes the hour across three entries. At each entry,
# read what the trainer finds and what was given since the last check, **predict the level**, then
# reveal the kit's answer with its trend and the recheck reasons. Ask yourself what the earlier
# entries add: the same findings can mean something else at a recheck.

# %%
from kit.views.recheck_drill import RecheckDrill, drill_summary

drill = RecheckDrill()
drill

# %%
# NBVAL_CHECK_OUTPUT
print(drill_summary())
