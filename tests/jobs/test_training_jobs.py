"""Training jobs end to end: progress that never goes back, diagnostics in every result, and the
issue 17 defects of the training path (#1 divergence, #8 size bounds, #9 cancel during the final
evaluation, #14 a killed job's checkpoints)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jobkit import (
    AUTH,
    LONG_VAE,
    TINY_VAE,
    Event,
    make_settings,
    progress_events,
    published,
    stream_events,
    submit,
    wait_for,
)

from app.config import Settings
from app.main import create_app


def progress_values(events: list[Event]) -> list[float]:
    return [float(data["progress"]) for _, data in events if "progress" in data]


def assert_monotone_below_one(events: list[Event]) -> None:
    values = progress_values(events)
    assert values == sorted(values), values
    steps = [data["progress"] for data in progress_events(events)]
    assert steps and all(0.0 < value < 1.0 for value in steps)  # 1.0 only once the job ended


def test_progress_is_monotone_in_a_vae_jobs_event_stream(job_client: TestClient) -> None:
    job = submit(job_client, "vae", "progress-vae", "digits", **{**TINY_VAE, "epochs": 6})
    events = stream_events(job_client, job["id"])
    assert events[-1][0] == "status" and events[-1][1]["status"] == "succeeded"
    assert_monotone_below_one(events)
    epochs = progress_events(events, "training")
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4, 5, 6]
    assert len({e["progress"] for e in epochs}) == 6  # every epoch moves it: no lag
    assert progress_events(events)[-1]["phase"] == "evaluating"  # after the last epoch
    assert events[-1][1]["progress"] == 1.0


def test_a_finished_jobs_last_metrics_are_its_last_epoch_not_the_evaluation(
    job_client: TestClient,
) -> None:
    done = wait_for(job_client, submit(job_client, "vae", "last-epoch", "digits",
                                       **{**TINY_VAE, "epochs": 2})["id"])
    assert done["metrics"][-1]["phase"] == "evaluating"
    last = done["last_metrics"]
    assert last["phase"] == "training" and last["epoch"] == 2 and "train_loss" in last


def test_the_event_stream_moves_during_the_final_evaluation(job_client: TestClient) -> None:
    """k = 100,000 on a one-epoch tiny VAE: seconds of evaluation, cancelled once it has sent
    two evaluating events (they are the evaluation's one history entry, moved in place)."""
    params = {**TINY_VAE, "epochs": 1, "eval_importance_samples": 100_000}
    job = submit(job_client, "vae", "streamed-evaluation", "digits", **params)
    events = stream_events(
        job_client, job["id"],
        cancel_when=lambda seen: len(progress_events(seen, "evaluating")) == 2,
    )
    assert events[-1][1]["status"] == "cancelled"
    assert_monotone_below_one(events)
    training = progress_events(events, "training")
    evaluating = progress_events(events, "evaluating")
    assert [e["epoch"] for e in training] == [1]
    assert len(evaluating) >= 2 and len({e["step"] for e in evaluating}) == 1
    assert training[-1]["progress"] < evaluating[0]["progress"] < evaluating[1]["progress"]


def test_progress_is_monotone_in_a_gmm_job_with_three_restarts(job_client: TestClient) -> None:
    job = submit(job_client, "gmm", "progress-gmm", "pinwheel", n_components=3, n_init=3,
                 max_iter=30)
    events = stream_events(job_client, job["id"])
    assert events[-1][1]["status"] == "succeeded"
    assert_monotone_below_one(events)
    iterations = progress_events(events, "training")
    assert {e["restart"] for e in iterations} == {0, 1, 2}
    first_of_last = next(e for e in iterations if e["restart"] == 2)
    assert first_of_last["progress"] > 2 / 3 * 0.99 - 1e-9  # two restarts' worth done, not 100%
    final = job_client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    metrics = final["result"]["metrics"]
    assert len(metrics["restart_bounds"]) == 3
    assert isinstance(metrics["converged"], bool) and metrics["n_iter"] >= 1
    assert metrics["test_log_likelihood"] > metrics["baseline_test_log_likelihood"]


def test_progress_is_monotone_in_a_cancelled_jobs_event_stream(job_client: TestClient) -> None:
    job = submit(job_client, "vae", "progress-cancelled", "digits", **LONG_VAE)
    events = stream_events(
        job_client, job["id"], cancel_when=lambda seen: len(progress_events(seen)) == 2
    )
    assert events[-1][1]["status"] == "cancelled"
    assert_monotone_below_one(events)
    assert events[-1][1]["progress"] < 1.0


def test_a_vae_result_carries_its_diagnostics_and_baseline(job_client: TestClient) -> None:
    done = wait_for(job_client, submit(job_client, "vae", "diagnosed", "digits", **TINY_VAE)["id"])
    metrics = done["result"]["metrics"]
    assert isinstance(metrics["active_units"], int)
    assert len(metrics["kl_per_dim"]) == TINY_VAE["latent_dim"]
    assert metrics["test_kl"] == pytest.approx(sum(metrics["kl_per_dim"]))
    assert metrics["baseline"].startswith("factorised Gaussian")
    for key in ("test_reconstruction", "baseline_test_log_likelihood", "test_elbo"):
        assert isinstance(metrics[key], float)
    card = job_client.get("/models/diagnosed").json()
    assert "active_units" in json.dumps(card)


def test_defect_01_a_diverging_job_fails_with_its_epoch_and_publishes_nothing(
    job_client: TestClient, job_settings: Settings
) -> None:
    job = submit(job_client, "vae", "beta-big", "digits", **{**TINY_VAE, "beta": 1e308})
    done = wait_for(job_client, job["id"])
    assert done["status"] == "failed"
    assert "epoch 1" in done["error"] and "non-finite" in done["error"]
    assert published(job_settings.weights_dir, "beta-big") == []


@pytest.mark.parametrize(("literal", "word"), [
    ('"beta": Infinity', "Infinity"),
    ('"min_log_var": NaN', "NaN"),
    ('"learning_rate": -Infinity', "-Infinity"),
])
def test_defect_01_non_finite_parameters_are_refused(
    job_client: TestClient, literal: str, word: str
) -> None:
    """Strict JSON: the literal is refused where the body is parsed, before any parameter."""
    body = '{"kind": "vae", "name": "nan-params", "dataset": "digits", "params": {' + literal + '}}'
    response = job_client.post(
        "/jobs", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == ("body", "json_invalid")
    assert f"{word} is not a JSON number" in error["message"]


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("vae", {"latent_dim": 1_000_000}, "params.latent_dim"),
    ("vae", {"hidden_sizes": [1_000_000]}, "params.hidden_sizes"),
    ("vae", {"architecture": "conv", "channels": [1_000_000]}, "params.channels"),
    ("vae", {"hidden_sizes": [4096] * 8}, "params.hidden_sizes"),  # within each bound, too big
    ("vae", {"epochs": 10**9}, "params.epochs"),
    ("vae", {"steps": 10**9}, "params.steps"),
    ("vae", {"batch_size": 10**7}, "params.batch_size"),
    ("vae", {"eval_importance_samples": 10**7}, "params.eval_importance_samples"),
    ("vae", {"epochs": 5, "steps": 5}, "params"),
    ("gmm", {"n_init": 10**9}, "params.n_init"),
    ("gmm", {"n_components": 10**6}, "params.n_components"),
    ("gmm", {"max_iter": 10**9}, "params.max_iter"),
])
def test_defect_08_training_sizes_have_upper_bounds(
    job_client: TestClient, kind: str, params: dict[str, Any], field: str
) -> None:
    response = job_client.post(
        "/jobs", json={"kind": kind, "name": "too-big", "dataset": "digits", "params": params},
        headers=AUTH,
    )
    assert response.status_code == 422, response.text
    assert field in response.text


def test_defect_08_the_bounds_are_documented_in_the_schema(job_client: TestClient) -> None:
    from models.training import VAETrainingOptions
    from models.vae import VAEHyperparameters

    for model, name in ((VAEHyperparameters, "latent_dim"), (VAETrainingOptions, "steps"),
                        (VAETrainingOptions, "eval_importance_samples")):
        assert "at most" in (model.model_fields[name].description or "")


def test_defect_09_cancel_reaches_the_final_evaluation(
    job_client: TestClient, job_settings: Settings
) -> None:
    params = {**TINY_VAE, "epochs": 1, "hidden_sizes": [512, 512],
              "eval_importance_samples": 100_000}
    job = submit(job_client, "vae", "long-evaluation", "digits", **params)
    wait_for(job_client, job["id"], until=lambda j: j["status"] == "running" and j["metrics"])
    assert job_client.delete(f"/jobs/{job['id']}", headers=AUTH).status_code == 202
    done = wait_for(job_client, job["id"])  # minutes of evaluation left: only a cancel ends it
    assert done["status"] == "cancelled"
    assert published(job_settings.weights_dir, "long-evaluation") == []


def test_defect_14_a_killed_jobs_checkpoint_folder_is_removed(
    tmp_path: Path, weights_dir: Path
) -> None:
    settings = make_settings(tmp_path, weights_dir)
    checkpoints = settings.data_dir / "checkpoints"
    with TestClient(create_app(settings)) as client:
        job = submit(client, "vae", "killed-ckpt", "digits", **LONG_VAE, checkpoint_every=1)
        wait_for(client, job["id"], until=lambda j: (checkpoints / j["id"]).is_dir())
        worker = client.app.state.local_worker  # type: ignore[attr-defined]
        os.kill(worker.pid, signal.SIGKILL)
        failed = wait_for(client, job["id"], {"failed"})
        assert "has stopped" in failed["error"]
        deadline = time.monotonic() + 60
        while (checkpoints / job["id"]).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not (checkpoints / job["id"]).exists()


PLATEAU = {**TINY_VAE, "epochs": 200, "learning_rate": 1e-9, "lr_schedule": "constant",
           "lr_warmup_fraction": 0.0, "kl_warmup_steps": 0, "validation_every": 1}
"""A learning rate too small to move the validation ELBO: early stopping ends it at once."""


def test_an_early_stopped_job_records_where_it_stopped_and_ends_at_one(
    job_client: TestClient,
) -> None:
    job = submit(job_client, "vae", "stopped-early", "digits", **PLATEAU,
                 early_stopping_patience=3)
    events = stream_events(job_client, job["id"])
    assert events[-1][1]["status"] == "succeeded" and events[-1][1]["progress"] == 1.0
    assert_monotone_below_one(events)
    training = progress_events(events, "training")
    assert [e["epoch"] for e in training] == [1, 2, 3, 4]
    assert all("validation_elbo" in e for e in training)
    done = job_client.get(f"/jobs/{job['id']}", headers=AUTH).json()
    record = done["result"]["training"]["early_stopping"]
    assert record["stopped_early"] is True and record["stopped_at_epoch"] == 4
    assert record["stopped_at_step"] == done["result"]["training"]["steps_trained"]


@pytest.mark.parametrize(("params", "field"), [
    ({"early_stopping_patience": -1}, "params.early_stopping_patience"),
    ({"early_stopping_patience": 10**6}, "params.early_stopping_patience"),
    ({"early_stopping_min_delta": -0.5}, "params.early_stopping_min_delta"),
    ({"validation_fraction": 0.9}, "params.validation_fraction"),
    ({"validation_fraction": 0}, "params.validation_fraction"),
    ({"validation_every": 0}, "params.validation_every"),
])
def test_bad_early_stopping_parameters_are_a_422_naming_the_field(
    job_client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = job_client.post(
        "/jobs", json={"kind": "vae", "name": "bad-stop", "dataset": "digits", "params": params},
        headers=AUTH,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_the_command_line_trains_with_early_stopping(tmp_path: Path) -> None:
    from app.cli import main

    out = tmp_path / "stopped"
    assert main(["train", "vae", "--dataset", "pinwheel", "--quiet", "--epochs", "40",
                 "--latent-dim", "2", "--hidden", "16", "--eval-k", "5",
                 "--learning-rate", "1e-9", "--lr-schedule", "constant",
                 "--kl-warmup-steps", "0", "--validation-every", "1",
                 "--early-stopping-patience", "2", "--out", str(out)]) == 0
    config = json.loads((out / "1" / "config.json").read_text())
    assert config["training"]["early_stopping"]["stopped_at_epoch"] == 3
