"""The one name rule (issue 17 #10): matched whole, so a trailing newline or '..' never passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from app.cli import main
from models.names import NAME_PATTERN, Name, is_valid_name


@pytest.mark.parametrize("name", ["digits", "a", "two-moons", "mnist_v2.1", "0" * 63, "a.b.c"])
def test_safe_names_pass(name: str) -> None:
    assert is_valid_name(name)


@pytest.mark.parametrize(
    "name",
    ["", "nlx\n", "a\n", "a..b", "..", ".hidden", "-x", "_x", "Upper", "a b", "a/b", "a\\b",
     "0" * 64, "é", "a\x00", None, 3],
)
def test_unsafe_names_fail(name: object) -> None:
    assert not is_valid_name(name)


def test_the_pattern_alone_would_let_a_trailing_newline_through_with_match() -> None:
    """Why fullmatch: ``$`` also matches before a final newline."""
    assert re.match(NAME_PATTERN, "nlx\n") is not None
    assert not is_valid_name("nlx\n")


class _Named(BaseModel):
    name: Name


def test_request_schemas_apply_the_same_rule() -> None:
    assert _Named(name="ok-1").name == "ok-1"
    with pytest.raises(ValidationError) as info:
        _Named(name="a..b")
    assert info.value.errors()[0]["type"] == "string_pattern_mismatch"
    schema = _Named.model_json_schema()["properties"]["name"]
    assert schema["pattern"] == NAME_PATTERN and schema["maxLength"] == 63


def test_cli_refuses_a_bad_name_before_training(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="model's name"):
        main(["train", "gmm", "--dataset", "pinwheel", "--out", str(tmp_path / "a..b")])
    assert not (tmp_path / "a..b").exists()
