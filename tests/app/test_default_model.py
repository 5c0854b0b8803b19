"""GENSERVE_DEFAULT_MODEL: the model a request that names none gets, said by /models, and
checked at start-up against the models that loaded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import DefaultModelNotLoaded, create_app


def test_the_configured_default_serves_and_models_say_so(settings: Settings) -> None:
    chosen = settings.model_copy(update={"default_model": "tiny-gmm"})
    with TestClient(create_app(chosen)) as client:
        listed = client.get("/models").json()
        assert listed["default"] == "tiny-gmm"
        assert [m["name"] for m in listed["models"] if m["default"]] == ["tiny-gmm"]
        assert client.post("/sample", json={"n": 1}).json()["model"] == "tiny-gmm"


def test_without_the_setting_the_first_model_alphabetically_is_the_default(
    settings: Settings,
) -> None:
    unset = settings.model_copy(update={"default_model": None})
    with TestClient(create_app(unset)) as client:
        listed = client.get("/models").json()
        assert listed["default"] == sorted(m["name"] for m in listed["models"])[0]


def test_a_default_that_did_not_load_stops_the_start_naming_the_setting(
    settings: Settings,
) -> None:
    typo = settings.model_copy(update={"default_model": "tiny-vea"})
    with pytest.raises(DefaultModelNotLoaded, match="GENSERVE_DEFAULT_MODEL='tiny-vea'") as error:
        with TestClient(create_app(typo)):
            pass
    assert "tiny-vae" in str(error.value)  # the loaded models, to choose from
