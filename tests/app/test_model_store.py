"""The model store beside the shipped weights, aliases, and the registry's reloads."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.errors import ModelNotFound
from app.gate import GateVerdict
from app.main import create_app
from app.model_store import IncompatibleVersion, ModelStore, resolve_stable
from app.registry import ModelRegistry
from models import VAE, WEIGHTS_FILE
from models.storage import publish_model
from tests.conftest import tiny_point_gmm

KEY = "store-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
HELD_BACK = GateVerdict(False, ["collapsed: no active latent unit"], "auto", False)
PATTERN = "string_pattern_mismatch"
PASSED = GateVerdict(True, ["not collapsed: 2 active latent unit(s)"], "auto", True)


@pytest.fixture
def roots(weights_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the test weights (shipped) and an empty model store."""
    shipped = tmp_path / "weights"
    shutil.copytree(weights_dir, shipped)
    return shipped, tmp_path / "data" / "models"


@pytest.fixture
def store_client(roots: tuple[Path, Path], tmp_path: Path) -> Iterator[TestClient]:
    shipped, store = roots
    settings = Settings(
        weights_dir=shipped, data_dir=tmp_path / "data", device="cpu", api_key=KEY,
        embedded_worker=False, reload_interval_s=0.2, log_format="text",
    )
    assert settings.model_store_dir == store
    with TestClient(create_app(settings)) as client:
        yield client


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_trained_name_continues_after_the_shipped_versions_without_touching_them(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    before = tree(shipped)
    store = ModelStore(shipped, store_dir)
    assert store.publish_judged(make_image_vae(5), "tiny-vae", PASSED) == 3  # shipped: 1, 2
    assert store.publish_judged(make_image_vae(6), "fresh", PASSED) == 1
    assert tree(shipped) == before
    assert sorted(store.version_dirs("tiny-vae")) == [1, 2, 3]
    assert store.version_dirs("tiny-vae")[3] == store_dir / "tiny-vae" / "3"
    assert store.aliases("tiny-vae") == {"stable": 3}


def test_a_second_kind_under_one_name_is_refused_at_publish_and_writes_nothing(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    """Two jobs queued for one new name, a VAE and a GMM, both pass the check at submission;
    the one that finishes second must not publish beside the first."""
    shipped, store_dir = roots
    store = ModelStore(shipped, store_dir)
    store.publish(make_image_vae(1), "race", policy="always")
    with pytest.raises(IncompatibleVersion, match="one model name holds one kind"):
        store.publish(tiny_point_gmm(), "race", policy="always")
    assert sorted(store.version_dirs("race")) == [1]
    assert store.aliases("race") == {"stable": 1}


def test_published_version_folders_have_mode_0755_like_the_shipped_ones(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    ModelStore(shipped, store_dir).publish_judged(make_image_vae(1), "m", PASSED)
    assert stat.S_IMODE((store_dir / "m" / "1").stat().st_mode) == 0o755


def test_stable_is_the_alias_when_set_else_the_newest_promoted_version() -> None:
    promoted = {1: True, 2: True, 3: False}
    assert resolve_stable(promoted, {}) == 2
    assert resolve_stable(promoted, {"stable": 1}) == 1
    assert resolve_stable(promoted, {"stable": 3}) == 3  # moved by hand: the hand wins
    assert resolve_stable(promoted, {"stable": 9}) == 2  # a removed version: the rule again
    assert resolve_stable({1: False}, {}) is None


def test_a_held_back_version_answers_when_named_and_unversioned_requests_keep_stable(
    store_client: TestClient, roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    ModelStore(*roots).publish_judged(make_image_vae(7), "tiny-vae", HELD_BACK)
    assert store_client.post("/sample", json={"model": "tiny-vae", "n": 1}).json()["version"] == 2
    named = store_client.post("/sample", json={"model": "tiny-vae", "n": 1, "version": 3})
    assert named.status_code == 200 and named.json()["version"] == 3
    card = store_client.get("/models/tiny-vae").json()
    assert card["version"] == 2 and card["aliases"] == {"stable": 2}
    info = {v["version"]: v for v in card["version_info"]}
    assert info[1]["origin"] == "shipped" and info[1]["gate"] is None
    assert info[3]["origin"] == "trained" and info[3]["promoted"] is False
    assert info[3]["gate"] == {"passed": False, "reasons": HELD_BACK.reasons, "policy": "auto"}
    assert store_client.get("/models/tiny-vae", params={"version": 3}).json()["gate"][
        "passed"] is False


def test_a_model_with_no_stable_version_refuses_unversioned_requests_by_name(
    store_client: TestClient, roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    ModelStore(*roots).publish_judged(make_image_vae(7), "held", HELD_BACK)
    answer = store_client.post("/sample", json={"model": "held", "n": 1})
    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "version"
    assert answer.json()["error"]["rule"] == "stable"
    card = store_client.get("/models/held").json()  # described all the same, at its newest
    assert card["version"] == 1 and "stable" not in card["aliases"]


def test_requests_name_a_version_by_alias_on_every_route(store_client: TestClient) -> None:
    moved = store_client.put("/models/tiny-vae/aliases/best", json={"version": 1}, headers=AUTH)
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"model": "tiny-vae", "aliases": {"best": 1, "stable": 2}}
    sample = store_client.post("/sample", json={"model": "tiny-vae", "n": 1, "version": "best"})
    assert sample.json()["version"] == 1  # a JSON body: the fast path
    sample = store_client.post("/sample", content=b'{"model":"tiny-vae","version":"best"}',
                               headers={"Content-Type": "text/plain"})  # through FastAPI
    assert sample.status_code in (200, 415, 422)
    assert store_client.get("/models/tiny-vae", params={"version": "best"}).json()["version"] == 1
    assert store_client.get("/models/tiny-vae/components",
                            params={"version": "stable"}).status_code == 400  # a VAE: no GMM
    unknown = store_client.post("/sample", json={"model": "tiny-vae", "version": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error"]["rule"] == "alias_exists"
    bad = store_client.post("/sample", json={"model": "tiny-vae", "version": "Not An Alias"})
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("version")


def test_moving_an_alias_is_one_authenticated_call(store_client: TestClient) -> None:
    body = {"version": 1}
    assert store_client.put("/models/tiny-vae/aliases/stable", json=body).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert store_client.put("/models/tiny-vae/aliases/stable", json=body,
                            headers=wrong).status_code == 401
    assert store_client.post("/sample", json={"model": "tiny-vae", "n": 1}).json()["version"] == 2


def test_roll_back_then_forward_then_drop_the_alias(store_client: TestClient) -> None:
    def served() -> int:
        answer = store_client.post("/sample", json={"model": "tiny-vae", "n": 1})
        version: int = answer.json()["version"]
        return version

    put = store_client.put("/models/tiny-vae/aliases/stable", json={"version": 1}, headers=AUTH)
    assert put.json()["aliases"] == {"stable": 1} and served() == 1
    store_client.put("/models/tiny-vae/aliases/stable", json={"version": 2}, headers=AUTH)
    assert served() == 2
    store_client.put("/models/tiny-vae/aliases/stable", json={"version": 1}, headers=AUTH)
    dropped = store_client.delete("/models/tiny-vae/aliases/stable", headers=AUTH)
    assert dropped.json()["aliases"] == {"stable": 2} and served() == 2  # the rule again


@pytest.mark.parametrize(
    ("path", "body", "status", "field", "rule"),
    [
        ("/models/tiny-vae/aliases/stable", {"version": 7}, 422, "version", "exists"),
        ("/models/tiny-vae/aliases/stable", {"version": 0}, 422, "version",
         "greater_than_equal"),
        ("/models/tiny-vae/aliases/Bad", {"version": 1}, 422, "path.alias", PATTERN),
        ("/models/tiny-vae/aliases/9", {"version": 1}, 422, "path.alias", PATTERN),
        ("/models/no-such/aliases/stable", {"version": 1}, 404, "model", "exists"),
    ],
)
def test_bad_alias_moves_name_the_field_and_rule(
    store_client: TestClient, path: str, body: dict[str, int], status: int, field: str,
    rule: str,
) -> None:
    answer = store_client.put(path, json=body, headers=AUTH)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert (error["field"], error["rule"]) == (field, rule)


def test_aliases_file_is_replaced_atomically_and_read_by_a_second_registry(
    roots: tuple[Path, Path]
) -> None:
    shipped, store_dir = roots
    first = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    second = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    first.refresh(), second.refresh()
    first.store.set_alias("tiny-vae", "stable", 1)
    assert json.loads((store_dir / "tiny-vae" / "aliases.json").read_text()) == {"stable": 1}
    assert [p.name for p in (store_dir / "tiny-vae").iterdir() if p.name.startswith(".tmp")] == []
    second.refresh()  # what the maintenance loop does every GENSERVE_RELOAD_INTERVAL_S
    assert second.get("tiny-vae").version == 1


def test_defect_11_a_version_that_failed_to_load_is_retried_when_its_files_change(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    publish_model(make_image_vae(3), shipped, "tiny-vae")  # version 3
    weights = shipped / "tiny-vae" / "3" / WEIGHTS_FILE
    good = weights.read_bytes()
    weights.write_bytes(good[:100])  # corrupt
    registry = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    registry.refresh()
    assert "tiny-vae/3" in registry.failed
    assert registry.refresh() == []  # unchanged files: not tried again on every scan
    weights.write_bytes(good)  # a valid file replaces the corrupt one
    assert registry.refresh() == ["tiny-vae/3"]
    assert "tiny-vae/3" not in registry.failed
    assert registry.get("tiny-vae", 3).version == 3


def test_defect_11_a_request_for_the_failed_version_loads_it_once_fixed(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE], tmp_path: Path
) -> None:
    shipped, _ = roots
    publish_model(make_image_vae(3), shipped, "tiny-vae")
    weights = shipped / "tiny-vae" / "3" / WEIGHTS_FILE
    good = weights.read_bytes()
    weights.write_bytes(good[:100])
    settings = Settings(weights_dir=shipped, data_dir=tmp_path / "data", device="cpu",
                        api_key=KEY, embedded_worker=False, log_format="text")
    with TestClient(create_app(settings)) as client:
        assert client.post("/sample", json={"model": "tiny-vae", "version": 3}).status_code == 404
        weights.write_bytes(good)  # no restart
        fixed = client.post("/sample", json={"model": "tiny-vae", "version": 3})
        assert fixed.status_code == 200 and fixed.json()["version"] == 3
        assert "tiny-vae/3" not in client.get("/ready").json()["failed"]


@pytest.fixture
def unwritable_data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data folder nothing can be written into: read-only by mode, or (root ignores modes)
    one whose parent is a file, so creating anything in it fails with an OSError too."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    else:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        yield blocker / "data"


def test_defect_12_an_unwritable_data_folder_without_an_api_key_still_serves(
    weights_dir: Path, unwritable_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GENSERVE_API_KEY", raising=False)
    settings = Settings(weights_dir=weights_dir, data_dir=unwritable_data_dir, device="cpu",
                        api_key=None, log_format="text")
    with TestClient(create_app(settings)) as client:
        assert client.post("/sample", json={"model": "tiny-vae", "n": 1}).status_code == 200
        for method, path, body in [("POST", "/jobs", {"kind": "gmm", "name": "x",
                                                       "dataset": "pinwheel"}),
                                   ("PUT", "/models/tiny-vae/aliases/stable", {"version": 1}),
                                   ("GET", "/datasets", None)]:
            answer = client.request(method, path, json=body, headers=AUTH)
            assert answer.status_code == 503, (path, answer.text)
            error = answer.json()["error"]
            assert error["rule"] == "api_key_configured" and "GENSERVE_API_KEY" in error["message"]


def test_a_request_for_a_loaded_model_never_touches_the_disk(
    roots: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped, store_dir = roots
    registry = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    registry.refresh()
    registry.store.set_alias("tiny-vae", "best", 1)
    registry.refresh("tiny-vae")

    def no_disk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request for a loaded model went to the disk")

    monkeypatch.setattr("app.registry._stat_key", no_disk)
    monkeypatch.setattr("app.registry.os.stat", no_disk)
    monkeypatch.setattr(registry, "refresh", no_disk)
    assert registry.get("tiny-vae").version == 2
    assert registry.get("tiny-vae", 1).version == 1
    assert registry.get("tiny-vae", "best").version == 1
    assert registry.get("tiny-vae", "stable").version == 2
    assert registry.get(None).name == registry.default_name


def test_the_watcher_thread_picks_up_new_versions_and_moved_aliases(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    registry = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    registry.refresh()
    registry.start_watching(interval=0.05)
    try:
        ModelStore(shipped, store_dir).publish_judged(make_image_vae(9), "tiny-vae", PASSED)
        assert eventually(lambda: registry.get("tiny-vae").version == 3)
        registry.store.set_alias("tiny-vae", "stable", 1)
        assert eventually(lambda: registry.get("tiny-vae").version == 1)
    finally:
        registry.stop_watching()


def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """True once ``condition`` holds; ``timeout`` bounds a hang and measures nothing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_ensure_loads_a_new_version_on_a_worker_thread(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    registry = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    registry.refresh()
    ModelStore(shipped, store_dir).publish_judged(make_image_vae(4), "tiny-vae", HELD_BACK)
    assert not registry.needs_disk("tiny-vae") and not registry.needs_disk("tiny-vae", "best")
    assert registry.needs_disk("tiny-vae", 3) and registry.needs_disk("fresh")
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real_refresh = registry.refresh

    def recording_refresh(name: str | None = None) -> list[str]:
        threads.append(threading.get_ident())
        return real_refresh(name)

    registry.refresh = recording_refresh  # type: ignore[method-assign]
    asyncio.run(registry.ensure("tiny-vae", 3))
    assert threads and loop_thread not in threads
    assert not registry.needs_disk("tiny-vae", 3)
    assert registry.get("tiny-vae", 3).gate == HELD_BACK


def test_ready_leaves_out_a_model_whose_versions_were_all_held_back(
    roots: tuple[Path, Path], tmp_path: Path, make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = roots
    ModelStore(shipped, store_dir).publish_judged(make_image_vae(4), "held", HELD_BACK)
    settings = Settings(weights_dir=shipped, data_dir=tmp_path / "data", device="cpu",
                        embedded_worker=False, log_format="text")
    with TestClient(create_app(settings)) as client:
        assert client.get("/models/held").status_code == 200  # loaded, described
        ready = client.get("/ready").json()
        assert ready["ready"] is True
        assert sorted(ready["models"]) == ["tiny-gmm/1", "tiny-vae/2"]
        listed = {m["name"]: m for m in client.get("/models").json()["models"]}
        assert "stable" not in listed["held"]["aliases"]  # listed, marked not servable
        assert client.post("/sample", json={"model": "held"}).status_code == 404
        assert client.post("/sample", json={"model": "held", "version": 1}).status_code == 200


def test_ready_is_503_when_every_model_was_held_back(
    tmp_path: Path, make_image_vae: Callable[[int], VAE]
) -> None:
    shipped, store_dir = tmp_path / "weights", tmp_path / "data" / "models"
    ModelStore(shipped, store_dir).publish_judged(make_image_vae(4), "held", HELD_BACK)
    settings = Settings(weights_dir=shipped, data_dir=tmp_path / "data", device="cpu",
                        embedded_worker=False, log_format="text")
    with TestClient(create_app(settings)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["ready"] is False and response.json()["models"] == []


def test_a_lookup_of_a_model_not_loaded_answers_from_memory(
    roots: tuple[Path, Path], make_image_vae: Callable[[int], VAE],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``get`` is the request side: what is not loaded is not found, and loading it is the
    disk side's work (``resolve`` runs it on a worker thread)."""
    shipped, store_dir = roots
    registry = ModelRegistry(shipped, torch.device("cpu"), store_dir=store_dir)
    registry.refresh()
    ModelStore(shipped, store_dir).publish_judged(make_image_vae(4), "fresh", PASSED)

    def no_disk(*args: object, **kwargs: object) -> None:
        raise AssertionError("a lookup went to the disk")

    monkeypatch.setattr(registry, "refresh", no_disk)
    with pytest.raises(ModelNotFound):
        registry.get("fresh")
    monkeypatch.undo()
    assert asyncio.run(registry.resolve("fresh")).version == 1
