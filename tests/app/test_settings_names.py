"""Each setting has one name; the old names of renamed ones still work, with a warning."""

from __future__ import annotations

import warnings

import pytest

from app.config import RENAMED_SETTINGS, Settings


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED_SETTINGS.items()))
def test_an_old_environment_variable_still_sets_the_renamed_setting_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    monkeypatch.setenv(f"GENSERVE_{old.upper()}", "7")
    with pytest.warns(DeprecationWarning, match=f"GENSERVE_{new.upper()}"):
        assert getattr(settings(), new) == 7


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED_SETTINGS.items()))
def test_an_old_argument_name_still_sets_the_renamed_setting_with_a_warning(
    old: str, new: str
) -> None:
    with pytest.warns(DeprecationWarning, match=old):
        assert getattr(settings(**{old: 9}), new) == 9


def test_the_new_name_wins_over_the_old_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENSERVE_MAX_BATCH_SIZE", "7")
    monkeypatch.setenv("GENSERVE_MAX_REQUEST_EXAMPLES", "5")
    with pytest.warns(DeprecationWarning):
        assert settings().max_request_examples == 5


def test_the_new_names_give_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENSERVE_MAX_REQUEST_EXAMPLES", "5")
    monkeypatch.setenv("GENSERVE_BATCH_MAX_EXAMPLES", "6")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chosen = settings()
    assert (chosen.max_request_examples, chosen.batch_max_examples) == (5, 6)


def test_the_old_names_are_no_settings_of_their_own() -> None:
    assert not set(RENAMED_SETTINGS) & set(Settings.model_fields)
    assert set(RENAMED_SETTINGS.values()) <= set(Settings.model_fields)

