"""The Python client against a real server (uvicorn in a subprocess), not a mock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genserve_client import APIError, Client, Job, JobFailed
from tests.conftest import LiveServer

API_KEY = "client-test-key"


@pytest.fixture(scope="module")
def server(start_training_server: Callable[[str], LiveServer]) -> Iterator[LiveServer]:
    live = start_training_server(API_KEY)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def gs(server: LiveServer) -> Iterator[Client]:
    with Client(server.url, api_key=API_KEY, timeout=60) as client:
        yield client


def test_health_ready_and_models(gs: Client) -> None:
    assert gs.health()
    assert gs.ready()["ready"] is True
    names = {m.name for m in gs.models()}
    assert {"digits-vae", "digits-gmm", "pinwheel-gmm"} <= names
    info = gs.model("digits-vae")
    assert info.kind == "vae" and info.data_shape == (8, 8) and info.config is not None


def test_samples_are_float32_arrays_reproducible_by_seed(gs: Client) -> None:
    first = gs.sample(4, model="digits-vae", seed=7)
    again = gs.sample(4, model="digits-vae", seed=7)
    assert first.samples.dtype == np.float32 and first.samples.shape == (4, 8, 8)
    assert first.seed == 7
    np.testing.assert_array_equal(first.samples, again.samples)


def test_samples_as_pil_images_and_as_one_grid(gs: Client) -> None:
    images = gs.sample_images(3, model="digits-vae", seed=0)
    assert len(images) == 3 and all(im.size == (8, 8) for im in images)
    grid = gs.sample_grid(16, model="digits-vae", seed=0)
    assert isinstance(grid, Image.Image) and grid.size[0] > 8


def test_numpy_in_numpy_out_for_every_operation(gs: Client) -> None:
    x = gs.sample(3, model="digits-vae", seed=1).samples
    encoding = gs.encode(x, model="digits-vae")
    assert encoding["mean"].shape == (3, 8) and encoding["log_var"].shape == (3, 8)
    assert gs.reconstruct(x, model="digits-vae").shape == (3, 8, 8)
    scores = gs.log_likelihood(x, model="digits-vae", importance_samples=10, seed=0)
    assert scores.log_likelihood.shape == (3,) and np.isfinite(scores.log_likelihood).all()
    assert scores.elbo is not None and (scores.elbo <= scores.log_likelihood + 1e-3).all()
    path = gs.interpolate(x[0], x[1], steps=5, model="digits-vae", method="slerp")
    assert path.path.shape == (5, 8, 8) and path.t[0] == 0 and path.t[-1] == 1
    assert path.details["latents"].shape == (5, 8)


def test_a_conditional_model_takes_and_reports_labels(gs: Client) -> None:
    drawn = gs.sample(4, model="digits-cgmm", seed=5)
    assert drawn.labels is not None and len(drawn.labels) == 4
    redrawn = gs.sample(4, model="digits-cgmm", seed=5, labels=drawn.labels)
    np.testing.assert_array_equal(drawn.samples, redrawn.samples)
    assert list(gs.encode(drawn.samples, model="digits-cgmm", labels="3")["labels"]) == ["3"] * 4
    assert gs.reconstruct(drawn.samples, model="digits-cgmm", labels=3).shape == (4, 8, 8)
    assert gs.sample(2, model="digits-vae", seed=5).labels is None


def test_pil_images_go_in_as_png(gs: Client) -> None:
    images = gs.sample_images(2, model="digits-vae", seed=3)
    reconstructions = gs.reconstruct_images(images, model="digits-vae")
    assert len(reconstructions) == 2 and reconstructions[0].mode == "L"
    one = gs.log_likelihood(images[0], model="digits-gmm")
    assert one.estimator == "exact" and one.log_likelihood.shape == (1,)


def test_a_single_point_is_one_example(gs: Client) -> None:
    scores = gs.log_likelihood([0.5, 1.0], model="pinwheel-gmm")
    assert scores.log_likelihood.shape == (1,)
    assert gs.encode(np.array([[0.5, 1.0], [-1, 0]]), model="pinwheel-gmm")[
        "responsibilities"
    ].shape == (2, 10)


def test_the_views_the_page_draws(gs: Client) -> None:
    components = gs.components("pinwheel-gmm")
    assert components["covariances"].shape == (10, 2, 2)
    density = gs.density("pinwheel-gmm", resolution=6, bounds=(-3, 3, -3, 3))
    assert density["log_density"].shape == (6, 6)
    reference = gs.reference("pinwheel-gmm")
    assert reference["source"] == "test split" and len(reference["log_likelihood"]["values"]) > 0


def test_api_errors_carry_the_message_field_and_rule(gs: Client) -> None:
    with pytest.raises(APIError) as caught:
        gs.encode(np.zeros((1, 10)), model="digits-gmm")
    assert caught.value.status_code == 422 and caught.value.rule == "shape"
    assert "64" in caught.value.message
    with pytest.raises(APIError) as missing:
        gs.sample(1, model="no-such-model")
    assert missing.value.status_code == 404


def test_jobs_need_the_api_key(server: LiveServer) -> None:
    with Client(server.url) as anonymous, pytest.raises(APIError) as caught:
        anonymous.jobs()
    assert caught.value.status_code == 401


def test_metrics_text(gs: Client) -> None:
    assert "genserve_requests_total" in gs.metrics()


def test_upload_a_numpy_array_as_a_dataset(gs: Client) -> None:
    points = np.random.default_rng(0).normal(size=(120, 2))
    uploaded = gs.upload_dataset(points, name="client-blobs")
    assert uploaded["name"] == "client-blobs" and uploaded["shape"] == [2]
    assert "client-blobs" in {d["name"] for d in gs.datasets()}


def test_train_follows_progress_and_the_new_version_serves_at_once(gs: Client) -> None:
    updates: list[Job] = []
    job = gs.train(
        "gmm", "client-gmm", "pinwheel", {"n_components": 3, "max_iter": 30, "tol": 0},
        on_progress=updates.append, timeout=None,
    )
    assert job.status == "succeeded" and job.result is not None
    assert job.gate is not None and job.gate["policy"] == "auto"
    assert job.promoted is job.gate["passed"]  # live only when it passed the gate
    assert any(u.metrics for u in updates)
    progress = [u.progress for u in updates]
    assert progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    version = job.result["version"]
    for _ in range(40):  # the server rescans the weights folder every 0.5 s
        if version in gs.model("client-gmm").versions:
            break
        time.sleep(0.25)
    samples = gs.sample(5, model="client-gmm", version=version, seed=0).samples
    assert samples.shape == (5, 2)


def test_the_kinds_come_from_the_server_and_a_plugin_kind_trains(gs: Client) -> None:
    kinds = {k["kind"]: k for k in gs.kinds()}
    assert {"vae", "gmm", "ppca"} <= set(kinds)
    job = gs.train("ppca", "client-ppca", "digits", {"n_components": 5}, timeout=None)
    assert job.status == "succeeded" and job.kind == "ppca"
    version = job.result["version"] if job.result else None
    for _ in range(40):  # the server rescans the weights folder every 0.5 s
        if version in gs.model("client-ppca").versions:
            break
        time.sleep(0.25)
    latent = gs.encode(np.zeros((2, 8, 8)), model="client-ppca", version=version)
    assert np.asarray(latent["mean"]).shape == (2, 5)


def test_a_job_cancelled_while_training_makes_train_raise_job_failed(gs: Client) -> None:
    cancelled: list[str] = []

    def cancel_once(job: Job) -> None:
        if not cancelled and not job.finished:
            cancelled.append(job.id)
            gs.cancel_job(job.id)

    with pytest.raises(JobFailed, match="cancelled") as caught:
        gs.train("vae", "client-cancelled", "pinwheel", {"epochs": 5000, "hidden_sizes": [8]},
                 on_progress=cancel_once)
    assert caught.value.job.status == "cancelled" and cancelled == [caught.value.job.id]
    assert "client-cancelled" not in {m.name for m in gs.models()}


def test_wait_for_job_polls_until_the_end(gs: Client) -> None:
    job = gs.submit_job("vae", "client-polled", "pinwheel", {"epochs": 5000, "hidden_sizes": [8]})
    gs.cancel_job(job.id)
    final = gs.wait_for_job(job.id, timeout=60, poll_interval=0.25)
    assert final.status == "cancelled" and final.finished


def test_bad_hyper_parameters_are_refused_before_queueing(gs: Client) -> None:
    with pytest.raises(APIError) as caught:
        gs.submit_job("gmm", "client-bad", "pinwheel", {"n_components": 0})
    assert caught.value.status_code == 422 and caught.value.field == "params.n_components"


def test_a_job_that_was_not_promoted_does_not_read_as_live() -> None:
    body = {"id": "j", "status": "succeeded", "progress": 1.0, "result": {
        "model": "m", "version": 3, "metrics": {}, "promoted": False,
        "gate": {"passed": False, "reasons": ["collapsed"], "policy": "auto"}}}
    job = Job.from_json(body)
    assert job.promoted is False and job.gate == body["result"]["gate"]  # type: ignore[index]
    assert Job.from_json({**body, "status": "running", "result": None}).promoted is None


def test_the_client_package_ships_type_information() -> None:
    assert (Path(__file__).resolve().parent.parent / "genserve_client" / "py.typed").is_file()
