"""Model kinds come from installed entry points only; the example plugin lives in its folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

from models import CONFIG_FILE, UnknownModelKind, load_model
from models.kinds import ENTRY_POINT_GROUP, get_kind, kinds
from tests.conftest import REPO_ROOT

PLUGIN = REPO_ROOT / "examples" / "ppca"


def test_genserves_own_kinds_register_through_the_entry_point_group() -> None:
    names = {point.name for point in entry_points(group=ENTRY_POINT_GROUP)}
    assert {"vae", "gmm", "ppca"} <= names
    assert {"vae", "gmm", "ppca"} <= set(kinds())


@pytest.mark.parametrize("kind", ["flow", "../../tmp/evil", "os:system", None])
def test_a_config_naming_an_unknown_kind_is_refused_clearly(tmp_path: Path, kind: object) -> None:
    (tmp_path / CONFIG_FILE).write_text(json.dumps({"kind": kind}))
    before = set(sys.modules)
    with pytest.raises(UnknownModelKind, match=r"unknown model kind .*installed kinds are"):
        load_model(tmp_path)
    assert set(sys.modules) == before  # nothing was imported on the folder's word


def test_the_plugins_code_is_all_under_examples_ppca() -> None:
    kind = get_kind("ppca")
    for cls in (kind.model, kind.hyperparameters):
        module = sys.modules[cls.__module__]
        assert Path(module.__file__ or "").resolve().is_relative_to(PLUGIN)
    fit_module = sys.modules[kind.fit.__module__]  # type: ignore[attr-defined]
    assert Path(fit_module.__file__ or "").resolve().is_relative_to(PLUGIN)


def test_genserve_itself_never_names_ppca() -> None:
    found = subprocess.run(["git", "grep", "-il", "ppca", "--", "app", "models"],
                           cwd=REPO_ROOT, capture_output=True, text=True)
    assert found.returncode == 1 and found.stdout == "", found.stdout


def test_a_served_folder_of_an_unknown_kind_fails_to_load_with_the_reason(
    tmp_path: Path, weights_dir: Path
) -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    weights = tmp_path / "weights"
    shutil.copytree(weights_dir, weights)
    (weights / "mystery" / "1").mkdir(parents=True)
    (weights / "mystery" / "1" / CONFIG_FILE).write_text(json.dumps({"kind": "flow"}))
    (weights / "mystery" / "1" / "model.safetensors").write_bytes(b"")
    settings = Settings(weights_dir=weights, data_dir=tmp_path / "data", device="cpu",
                        embedded_worker=False)
    with TestClient(create_app(settings)) as client:
        failed = client.get("/ready").json()["failed"]
        assert "unknown model kind 'flow'" in failed["mystery/1"]
        assert client.get("/models/tiny-gmm").status_code == 200  # the others still serve


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EntryPoint]]:
    """The entry points ``kinds()`` sees, replaced by the test's; the cache is reset around it."""
    import models.kinds

    points: list[EntryPoint] = []
    monkeypatch.setattr(models.kinds, "entry_points", lambda group: points)
    kinds.cache_clear()
    yield points
    kinds.cache_clear()


def test_an_entry_point_that_is_not_a_model_kind_is_refused(
    registered: list[EntryPoint],
) -> None:
    registered.append(EntryPoint("odd", "models.base:CONFIG_FILE", ENTRY_POINT_GROUP))
    with pytest.raises(TypeError, match="odd = models.base:CONFIG_FILE.*not a models.kinds"):
        kinds()


def test_a_kind_registered_under_another_name_is_refused(registered: list[EntryPoint]) -> None:
    registered.append(EntryPoint("mixture", "models.kinds:GMM_KIND", ENTRY_POINT_GROUP))
    with pytest.raises(ValueError, match="registers kind 'gmm'"):
        kinds()


def test_a_plugin_that_fails_to_import_names_itself(registered: list[EntryPoint]) -> None:
    registered.append(EntryPoint("broken", "no_such_package.kind:KIND", ENTRY_POINT_GROUP))
    with pytest.raises(RuntimeError, match="model kind 'broken'.*failed to import"):
        kinds()
