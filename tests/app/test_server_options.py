"""How genserve runs uvicorn: the same event loop from ``genserve serve`` and the image."""

from __future__ import annotations

import json
from pathlib import Path

from app.config import Settings
from app.server import LOOP, PROTOCOL, uvicorn_options

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def test_genserve_serve_runs_the_standard_librarys_event_loop() -> None:
    # uvloop writes answers holding the GIL (issue 18): the batch runners waited behind it
    assert uvicorn_options(Settings())["loop"] == LOOP == "asyncio"


def test_uvloop_is_one_setting_away() -> None:
    assert uvicorn_options(Settings(event_loop="uvloop"))["loop"] == "uvloop"


def test_the_image_runs_the_loop_and_protocol_genserve_serve_runs() -> None:
    (line,) = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    command = json.loads(line.removeprefix("CMD "))
    assert command[command.index("--loop") + 1] == LOOP
    assert command[command.index("--http") + 1] == PROTOCOL
