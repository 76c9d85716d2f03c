"""The recheck drill (issue 12 item 5): scripted episodes, predict, reveal."""

from __future__ import annotations

import pytest

from kit import assess
from kit.views.recheck_drill import RecheckDrill, drill_scripts, drill_summary, step_answers
from kit.words import recheck_reason_label


def test_scripts_cover_the_three_teaching_episodes():
    scripts = drill_scripts()
    assert [len(s.entries) for s in scripts] == [3, 2, 3]
    finals = {s.id: step_answers(s)[-1] for s in scripts}
    assert "glucose_not_recovering" in finals["pub-29-episode-glucose-still-low"]["recheck_reasons"]
    assert "heat_exhaustion_not_improving" in finals["pub-30-episode-heat-exhaustion-40-min"]["recheck_reasons"]
    spasm = finals["spasm-passing-the-hour"]
    assert "prolonged_spasm" in spasm["flags"] and spasm["escalation"] == "emergency"
    assert step_answers(scripts[2])[1]["escalation"] != "emergency"  # not yet over the hour at the second entry


def test_each_answer_is_the_entry_assessed_with_its_history():
    for s in drill_scripts():
        for k, d in enumerate(step_answers(s)):
            assert d == assess(s.entries[k], history=list(s.entries[:k])).to_dict()


def test_predict_reveals_one_entry_at_a_time_and_scores():
    drill = RecheckDrill()
    first = drill.answers[0][0]["escalation"]
    other = next(t for t in ("self_care", "emergency") if t != first)
    assert drill.predict(0, 0, first) is True
    with pytest.raises(ValueError):
        drill.predict(0, 2, first)  # entry 3 before entry 2
    assert drill.predict(0, 1, other) is (other == drill.answers[0][1]["escalation"])
    last = drill.answers[0][2]
    drill.predict(0, 2, last["escalation"])
    html = "".join(getattr(w, "value", "") for w in drill._cards[0].children)
    assert recheck_reason_label("glucose_not_recovering") in html and "End of this episode" in html
    assert drill.score_text().startswith("2 of 3")


def test_summary_gives_no_answer_away():
    text = drill_summary()
    assert text.startswith("3 scripted episodes, 8 entries") and "emergency" not in text
