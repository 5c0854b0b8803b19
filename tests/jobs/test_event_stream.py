"""Which history entries a job's event stream sends next (``app.jobs.service._unsent``)."""

from __future__ import annotations

from app.jobs.service import _Sent, _unsent


def entries(first: int, last: int, progress: float = 0.5) -> list[dict[str, object]]:
    return [{"step": s, "phase": "training", "progress": progress} for s in range(first, last + 1)]


def test_a_history_trimmed_to_its_last_entries_still_streams_the_new_ones() -> None:
    trimmed = entries(3, 2002)  # 2,000 entries kept: as many as before, two of them new
    assert [e["step"] for e in _unsent(trimmed, _Sent(2000, 0.5))] == [2001, 2002]


def test_the_last_entry_is_sent_again_when_it_moved_in_place() -> None:
    history = [*entries(1, 3), {"step": 4, "phase": "evaluating", "progress": 0.7}]
    assert _unsent(history, _Sent(4, 0.6)) == [history[-1]]
    assert _unsent(history, _Sent(4, 0.7)) == []
