# %% [markdown]
# # Team log: a season of observations
#
# The sample season (`data/sample-team-log.csv`) is synthetic: about 320 observations of 15
# made-up athletes, some of them rechecks of one episode. Every row is scored with the same rules as the triage form, all at once; a
# progress bar shows while it works. Tables and charts name the five levels and the signs in
# words; an empty cell means "not recorded".
#
# To look at your own log (what "Save to log" stored) instead, replace `log = load_team_log()` with
# `log = open_store().frame()` (`from kit.views.widgets import open_store`).

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.widgets import disclaimer_note

disclaimer_note()

# %%
from kit.views.charts import tier_counts_chart, tier_timeline, use_notebook_renderer
from kit.views.teamlog import TeamLogExplorer, athlete_table, load_team_log, log_summary, recurrent_table, score_log

use_notebook_renderer()
log = load_team_log()
scored = score_log(log)

# %%
# NBVAL_CHECK_OUTPUT
print(log_summary(scored))

# %% [markdown]
# ## How serious, month by month

# %%
tier_counts_chart(scored)

# %% [markdown]
# ## Per-athlete timelines
#
# One row per athlete, one marker per observation; colour, size and shape show the level. Hover a marker for the leading cause and the signs noted.

# %%
tier_timeline(scored)

# %% [markdown]
# ## Per athlete
#
# How many observations each athlete has at each level (most serious first), and the leading cause they had most often.

# %%
# NBVAL_CHECK_OUTPUT
athlete_table(scored)

# %% [markdown]
# ## Episodes that keep coming back despite prevention
#
# The source article: spasms that keep coming back although the athlete warms up, stretches and
# drinks sensibly need a doctor (a mineral or nerve problem may be behind them). These athletes had
# observations where that was the case:

# %%
# NBVAL_CHECK_OUTPUT
recurrent_table(scored)

# %% [markdown]
# ## Episodes: treat, wait, recheck
#
# An episode is one athlete seen several times for the same problem: the first check and its
# rechecks share an episode id. Below: how the episodes ended (resolved on site, escalated at a
# recheck, handed over from the first check, or still being watched), how long those that settled
# took by cause, and which treatments had to be given again. The chart shows each episode as a line
# across the minutes since its first check, one marker per check in the colour of its level.

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.teamlog import episode_stats, episode_summary, episode_table, episode_timeline

episodes = episode_stats(scored)
print(episode_summary(episodes))

# %%
episode_timeline(scored)

# %%
# NBVAL_CHECK_OUTPUT
episode_table(episodes)

# %% [markdown]
# ## Filter by athlete, date and level

# %%
TeamLogExplorer(scored)
