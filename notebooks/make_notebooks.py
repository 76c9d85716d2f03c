"""Write, execute and strip the four notebooks (run after a change in scoring or in the cells).

    .venv/bin/python notebooks/make_notebooks.py            # all
    .venv/bin/python notebooks/make_notebooks.py 01-triage  # one
    .venv/bin/python notebooks/make_notebooks.py instructor/03-workshop-answer-key

Cells only import, call and display: all logic is in ``kit/``. ``05-scripting`` holds the
Python examples that used to sit under the triage form. Each notebook is executed
with nbclient (with ``KIT_STORE`` pointing at a throw-away store), then stripped: cells
whose first line is ``# NBVAL_CHECK_OUTPUT`` keep their outputs and execution counts (nbval
compares them, so a change in scoring fails ``pytest``); every other cell is saved without
outputs and with a null execution count (nbval runs it and checks it raises nothing);
widget state is not saved. Cells tagged ``kit-lab-only`` are left out of the Voila app.
Notebooks under ``instructor/`` are for instructors only (the workshop's answer key).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CHECK = "# NBVAL_CHECK_OUTPUT"
LAB_ONLY = "kit-lab-only"


def md(text: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip(), metadata={"tags": list(tags)} if tags else {})


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text.strip(), metadata={"tags": list(tags)} if tags else {})


# kit.DISCLAIMER, once near the top of every notebook but the triage form (which shows it under its panel)
DISCLAIMER_CELL = f"""
{CHECK}
from kit.views.widgets import disclaimer_note

disclaimer_note()
"""


NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {
    "01-triage": [
        md("""
# Triage: trembling or spasming legs after a run

Fill in what you know and leave the rest on **?**: unknown is never read as "no". Danger signs
come first, then symptoms, the run, measurements.

The panel follows every change: **how serious** it is (five levels, from self-care to emergency:
see the table at the end), **what to do now** and **what not to do**, **when to recheck** (a clock
time), the likely **causes**, and the **unknowns** that would most change the answer.
**Save to log** stores the observation with the assessment shown; **Clear** empties the form
(**Undo clear** brings it back). An unsaved form is kept as a draft and offered back after a
restart. Write numbers without thousands separators: "1500", not "1,500"; "5,4" is read as 5.4.
"""),
        md("In JupyterLab: **Run > Run All Cells**, then use the form below the first code cell. "
           "Filling the form from Python: `05-scripting.ipynb` and `docs/notebooks.md`.", LAB_ONLY),
        code("""
from kit.views.widgets import TriageForm, open_store

form = TriageForm(store=open_store())
form
"""),
        md("## What the five levels mean", LAB_ONLY),
        code(f"""
{CHECK}
from kit.views.tables import tier_legend

tier_legend()
""", LAB_ONLY),
    ],
    "02-team-log": [
        md("""
# Team log: a season of observations

The sample season (`data/sample-team-log.csv`) is synthetic: about 320 observations of 15
made-up athletes, some of them rechecks of one episode. Every row is scored with the same rules as the triage form, all at once; a
progress bar shows while it works. Tables and charts name the five levels and the signs in
words; an empty cell means "not recorded".

To look at your own log (what "Save to log" stored) instead, replace `log = load_team_log()` with
`log = open_store().frame()` (`from kit.views.widgets import open_store`).
"""),
        code(DISCLAIMER_CELL),
        code("""
from kit.views.charts import tier_counts_chart, tier_timeline, use_notebook_renderer
from kit.views.teamlog import TeamLogExplorer, athlete_table, load_team_log, log_summary, recurrent_table, score_log

use_notebook_renderer()
log = load_team_log()
scored = score_log(log)
"""),
        code(f"""
{CHECK}
print(log_summary(scored))
"""),
        md("## How serious, month by month"),
        code("tier_counts_chart(scored)"),
        md("## Per-athlete timelines\n\nOne row per athlete, one marker per observation; colour, size and shape "
           "show the level. Hover a marker for the leading cause and the signs noted."),
        code("tier_timeline(scored)"),
        md("## Per athlete\n\nHow many observations each athlete has at each level (most serious first), and the "
           "leading cause they had most often."),
        code(f"""
{CHECK}
athlete_table(scored)
"""),
        md("""
## Episodes that keep coming back despite prevention

The source article: spasms that keep coming back although the athlete warms up, stretches and
drinks sensibly need a doctor (a mineral or nerve problem may be behind them). These athletes had
observations where that was the case:
"""),
        code(f"""
{CHECK}
recurrent_table(scored)
"""),
        md("""
## Episodes: treat, wait, recheck

An episode is one athlete seen several times for the same problem: the first check and its
rechecks share an episode id. Below: how the episodes ended (resolved on site, escalated at a
recheck, handed over from the first check, or still being watched), how long those that settled
took by cause, and which treatments had to be given again. The chart shows each episode as a line
across the minutes since its first check, one marker per check in the colour of its level.
"""),
        code(f"""
{CHECK}
from kit.views.teamlog import episode_stats, episode_summary, episode_table, episode_timeline

episodes = episode_stats(scored)
print(episode_summary(episodes))
"""),
        code("episode_timeline(scored)"),
        code(f"""
{CHECK}
episode_table(episodes)
"""),
        md("## Filter by athlete, date and level"),
        code("TeamLogExplorer(scored)"),
    ],
    "03-workshop-cases": [
        md("""
# Workshop: post-run tremor and spasm cases

For physiotherapy students. Read each case, open **Findings**, pick the **tier** you would
choose (five levels: self-care, treat and recheck, see a doctor in the next days, medical
assessment today, emergency) and the **leading cause**, then press **Reveal the kit's answer**.
Your pick is shown beside the kit's tier and cause, with its reasons, the evidence behind every
cause score (with sources) and the case notes. Terms such as EAMC are explained at the top of the
quiz. Your score is at the end. The kit is a teaching tool: discuss where you disagree with it.
"""),
        code(DISCLAIMER_CELL),
        code("""
from kit.resources import load_cases
from kit.views.workshop import WorkshopQuiz, answer_key_summary

cases = load_cases()
quiz = WorkshopQuiz(cases)
quiz
"""),
        md("## Your score\n\nRe-run this cell after revealing answers (the line under the last case updates by itself)."),
        code("print(quiz.score_text())"),
        md("""
## Check (no answers shown)

A one-line check of the kit's answer key that gives none of the answers away: the number of
cases, on how many the kit agrees with the case authors, and a fingerprint of the key (nbval
compares this line, so a change in scoring fails the notebook test). Instructors: the full key
is in `notebooks/instructor/03-workshop-answer-key.ipynb` (its fingerprint must match this one)
or `kit.views.workshop.answer_key_frame(cases)`.
"""),
        code(f"""
{CHECK}
print(answer_key_summary(cases))
"""),
        md("""
## Rechecks: predict the next level

Care at the trackside is a loop: treat, wait, recheck, and escalate when it is not working.
Step through three scripted episodes: a low glucose treated twice and not recovering, heat
exhaustion not improving, and a spasm that passes the hour across three entries. At each entry,
read what the trainer finds and what was given since the last check, **predict the level**, then
reveal the kit's answer with its trend and the recheck reasons. Ask yourself what the earlier
entries add: the same findings can mean something else at a recheck.
"""),
        code("""
from kit.views.recheck_drill import RecheckDrill, drill_summary

drill = RecheckDrill()
drill
"""),
        code(f"""
{CHECK}
print(drill_summary())
"""),
    ],
    "instructor/03-workshop-answer-key": [
        md("""
# Instructor: answer key for the workshop cases

**Not for students**: hand out `03-workshop-cases.ipynb` without this folder. The kit's answer
for every case of `data/cases.json` (tier, leading cause, flags) next to the case authors'
expected answer. nbval checks this table, so a change in scoring fails the notebook test and
shows which case changed. The fingerprint line must match the one at the end of the student
notebook (same kit, same cases).
"""),
        code(DISCLAIMER_CELL),
        code(f"""
{CHECK}
import pandas as pd

from kit.resources import load_cases
from kit.views.workshop import answer_key_frame, answer_key_summary

pd.set_option("display.max_colwidth", 60)
cases = load_cases()
answer_key_frame(cases)
"""),
        code(f"""
{CHECK}
print(answer_key_summary(cases))
"""),
    ],
    "04-thresholds": [
        md("""
# Thresholds: every clinical number, with its source

Rendered from `kit/thresholds.py`, the kit's one source of clinical numbers (the rules, the
advice and this notebook all read it). Numbers are written as in the reference (70, 38.9), with
the whole meaning of each. Status: **confirmed** (primary source), **secondary** (secondary
summary of the named source), **design** (the kit's own choice; needs clinical sign-off).
"""),
        code(DISCLAIMER_CELL),
        code(f"""
{CHECK}
from kit.views.tables import thresholds_for_people

thresholds_for_people()
"""),
        code("""
from kit.views.charts import band_sources_for_people, body_mass_bands, core_temp_bands, glucose_bands, spasm_duration_bands, use_notebook_renderer

use_notebook_renderer()
"""),
        md("## Blood glucose: hypoglycaemia levels 1-3"),
        code("glucose_bands(\"mg/dL\")"),
        code("glucose_bands(\"mmol/L\")"),
        code(f"""
{CHECK}
band_sources_for_people("glucose")
"""),
        md("## Body-mass change during the run"),
        code("body_mass_bands()"),
        code(f"""
{CHECK}
band_sources_for_people("body_mass")
"""),
        md("## Spasm duration"),
        code("spasm_duration_bands()"),
        code(f"""
{CHECK}
band_sources_for_people("spasm_duration")
"""),
        md("## Core temperature"),
        code("core_temp_bands()"),
        code(f"""
{CHECK}
band_sources_for_people("core_temp")
"""),
    ],
    "05-scripting": [
        md("""
# Scripting the triage form

For developers and staff who want to drive the form from Python (tests, demonstrations, batch
checks). The form is a Python object: `form.inputs[field].value`, `form.set_values({...})`,
`form.assessment`, `form.save()`. The cells below fill a form with a teaching case at a fixed
clock, print the panel in words, then tick "confused". nbval checks their printed output, so a
change in scoring fails the notebook test. More: `docs/notebooks.md`.
"""),
        code(DISCLAIMER_CELL),
        code(f"""
{CHECK}
from datetime import datetime

from kit.resources import load_cases
from kit.views.widgets import TriageForm, summary_text

case = next(c for c in load_cases() if c["id"] == "pub-02-fasted-long-run-low-glucose-mmol")
example = TriageForm(now=lambda: datetime(2026, 5, 1, 14, 17), drafts=False, disclaimer=False)
example.set_values(case["observation"])
print(summary_text(example.assessment, now=example.now()))
"""),
        code(f"""
{CHECK}
example.inputs["confusion"].value = "yes"  # what a click on "yes" does
print(summary_text(example.assessment, now=example.now()))
"""),
    ],
}


def build(name: str) -> Path:
    """Write, execute and strip one notebook; returns its path."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in NOTEBOOKS[name]]
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    path = HERE / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)  # the kernel runs in the notebook's folder
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("KIT_STORE")
        os.environ["KIT_STORE"] = str(Path(tmp) / "build.sqlite")
        try:
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            if old is None:
                os.environ.pop("KIT_STORE", None)
            else:
                os.environ["KIT_STORE"] = old
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:02d}"  # stable ids: a rebuild changes only what really changed
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if not cell.source.startswith(CHECK):
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def main(argv: list[str]) -> int:
    for name in argv or list(NOTEBOOKS):
        print("wrote", build(name).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
