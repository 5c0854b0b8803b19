"""bench/serving_probe.py's report: each step of a request, from the timestamps the probed
server took."""

from __future__ import annotations

import pytest

from bench import serving_probe


def test_each_step_is_the_time_between_its_two_timestamps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = {"head": 0.0, "app": 0.001, "submit": 0.0011, "taken": 0.0031, "run0": 0.0031,
              "run1": 0.0071, "resolved": 0.0081, "enc0": 0.0091, "enc1": 0.0094,
              "sent": 0.0095, "batch": 16}
    dump = {"records": [record], "lateness": [0.0002], "gc": [], "gap": [0.003],
            "write_buffer_kb": [0.0]}
    serving_probe._report(dump, {"rps": 100.0, "p50_ms": 12.0, "p99_ms": 30.0})
    lines = capsys.readouterr().out.splitlines()
    assert "| batch queue (submitted -> taken) | 2.00 | 2.00 |" in lines
    assert "| compute (the whole batch) | 4.00 | 4.00 |" in lines
    assert "| in the server (head parsed -> sent) | 9.50 | 9.50 |" in lines
    assert "| client (the load generator's own) | 12.00 | 30.00 |" in lines
    assert "| requests per batch (count) | 16.00 | 16.00 |" in lines
