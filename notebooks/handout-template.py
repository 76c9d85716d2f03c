# ---
# jupyter:
#   title: postrun-kit episode handout (template)
# ---

# %% id="handout-00" tags=["parameters"]
# Parameters: python -m kit handout sets them in a cell after this one (tagged injected-parameters, as papermill
# would) and runs the other cells in its own process (kit.handout.run_template: kit calls only, no kernel).
# The defaults run offline as they are: no observations = the built-in example athlete (three public teaching cases).
# athlete_label: the name shown (the athlete id or a pseudonym); empty = the athlete id of the observations.
# observations: this athlete's observations only (contract fields), any order; the latest is the episode.
# generated_on: the date printed on the page (YYYY-MM-DD); empty = today.
# pseudonymised: True when athlete_label is a pseudonym (the page says so).
athlete_label = ""
observations = []
generated_on = ""
pseudonymised = False

# %% id="handout-01"
import kit.handout as handout

page = handout.prepare(observations, athlete_label=athlete_label, generated_on=generated_on, pseudonymised=pseudonymised)
handout.header(page)

# %% id="handout-02"
handout.observation_section(page)

# %% id="handout-03"
handout.tier_section(page)

# %% id="handout-04"
handout.causes_section(page)

# %% id="handout-05"
handout.history_section(page)

# %% id="handout-06"
handout.history_figure(page)

# %% id="handout-07"
handout.prevention_section(page)

# %% id="handout-08"
handout.seek_help_section(page)

# %% id="handout-09"
handout.sources_section(page)

# %% id="handout-clinicians"
handout.clinician_section(page)

# %% id="handout-10"
handout.footer(page)
