# %% [markdown]
# # Thresholds: every clinical number, with its source
#
# Rendered from `kit/engine/thresholds.py`, the kit's one source of clinical numbers (the rules, the
# advice and this notebook all read it). Numbers are written as in the reference (70, 38.9), with
# the whole meaning of each. Status: **confirmed** (primary source), **secondary** (secondary
# summary of the named source), **design** (the kit's own choice; needs clinical sign-off).

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.widgets import disclaimer_note

disclaimer_note()

# %%
# NBVAL_CHECK_OUTPUT
from kit.views.tables import thresholds_for_people

thresholds_for_people()

# %%
from kit.views.charts import band_sources_for_people, body_mass_bands, core_temp_bands, glucose_bands, spasm_duration_bands, use_notebook_renderer

use_notebook_renderer()

# %% [markdown]
# ## Blood glucose: hypoglycaemia levels 1-3

# %%
glucose_bands("mg/dL")

# %%
glucose_bands("mmol/L")

# %%
# NBVAL_CHECK_OUTPUT
band_sources_for_people("glucose")

# %% [markdown]
# ## Body-mass change during the run

# %%
body_mass_bands()

# %%
# NBVAL_CHECK_OUTPUT
band_sources_for_people("body_mass")

# %% [markdown]
# ## Spasm duration

# %%
spasm_duration_bands()

# %%
# NBVAL_CHECK_OUTPUT
band_sources_for_people("spasm_duration")

# %% [markdown]
# ## Core temperature

# %%
core_temp_bands()

# %%
# NBVAL_CHECK_OUTPUT
band_sources_for_people("core_temp")
