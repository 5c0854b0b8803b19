"""The page's small helpers, run in Node (no browser needed): the values shown in its fields."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

STATE_JS = Path(__file__).resolve().parents[2] / "app" / "static" / "state.js"
NODE = shutil.which("node")


def format_vector(example: object) -> str:
    script = (f"import {{ formatVector }} from {json.dumps(STATE_JS.as_uri())};\n"
              f"process.stdout.write(formatVector({json.dumps(example)}));")
    assert NODE is not None
    return subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True,
                          text=True, check=True, timeout=60).stdout


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("example", "text"),
    [
        ([0.5, -1.25], "0.5, -1.25"),
        ([[1, 2], [3, 4]], "1, 2, 3, 4"),
        ([[[1, 2]], [[3, 0.123456]]], "1, 2, 3, 0.1235"),  # rank 3: was "NaN, NaN"
    ],
)
def test_an_example_of_any_shape_shows_as_its_numbers(example: object, text: str) -> None:
    assert format_vector(example) == text
