"""The example plugin (examples/ppca) through a real app: trained by a job, exact against
scikit-learn and the closed form, and answering every endpoint with no change to ``app/``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from safetensors.torch import load_file
from sklearn.decomposition import PCA

from app.config import Settings
from models.datasets import load_dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))
from jobkit import AUTH, submit, wait_for  # noqa: E402

NAME = "digits-ppca"


@pytest.fixture(scope="module")
def job(job_client: TestClient) -> dict[str, Any]:
    """A PPCA job on digits with the kind's defaults, judged by the training gate."""
    queued = submit(job_client, "ppca", NAME, "digits", promote="auto")
    return wait_for(job_client, queued["id"], {"succeeded"}, timeout=300)


@pytest.fixture(scope="module")
def folder(job: dict[str, Any], job_settings: Settings) -> Path:
    return job_settings.model_store_dir / NAME / str(job["result"]["version"])


@pytest.fixture(scope="module")
def test_rows() -> np.ndarray:
    return load_dataset("digits").split(test_fraction=0.25, seed=0).test[:8].astype(np.float64)


def parameters(folder: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """W, mu and sigma^2 as saved, float64."""
    saved = {k: v.double().numpy() for k, v in load_file(str(folder / "model.safetensors")).items()}
    return saved["weight"], saved["mean"], float(saved["noise_variance"][0])


def rows_of(x: np.ndarray) -> list[Any]:
    return x.reshape(len(x), 8, 8).tolist()


def test_a_ppca_job_reports_sklearns_held_out_log_likelihood(
    job: dict[str, Any], job_client: TestClient
) -> None:
    q = job_client.get(f"/models/{NAME}").json()["config"]["hyperparameters"]["n_components"]
    rows = load_dataset("digits").split(test_fraction=0.25, seed=0)
    pca = PCA(n_components=q).fit(rows.train.astype(np.float64))
    expected = pca.score(rows.test.astype(np.float64))  # mean log-likelihood per example, nats
    assert abs(job["result"]["metrics"]["test_log_likelihood"] - expected) < 1e-3


def test_a_ppca_job_on_digits_passes_the_training_gate(job: dict[str, Any]) -> None:
    metrics = job["result"]["metrics"]
    assert job["result"]["gate"]["passed"] and job["result"]["promoted"], job["result"]["gate"]
    assert metrics["test_log_likelihood"] > (
        metrics["baseline_test_log_likelihood"] + 2 * metrics["test_log_likelihood_stderr"]
    )


def test_encode_is_the_closed_form_posterior_mean(
    job_client: TestClient, folder: Path, test_rows: np.ndarray
) -> None:
    w, mu, sigma2 = parameters(folder)
    m = w.T @ w + sigma2 * np.eye(w.shape[1])
    expected = np.linalg.solve(m, w.T @ (test_rows - mu).T).T  # M^-1 W^T (x - mu)
    answer = job_client.post("/encode", json={"model": NAME, "inputs": rows_of(test_rows)})
    assert answer.status_code == 200, answer.text
    assert np.abs(np.asarray(answer.json()["encoding"]["mean"]) - expected).max() < 1e-5


def test_log_likelihood_is_the_exact_gaussian_density(
    job_client: TestClient, folder: Path, test_rows: np.ndarray
) -> None:
    w, mu, sigma2 = parameters(folder)
    covariance = w @ w.T + sigma2 * np.eye(len(mu))
    _, log_det = np.linalg.slogdet(covariance)
    centred = test_rows - mu
    quadratic = np.einsum("nd,nd->n", centred, np.linalg.solve(covariance, centred.T).T)
    expected = -0.5 * (len(mu) * np.log(2 * np.pi) + log_det + quadratic)
    answer = job_client.post("/log-likelihood", json={"model": NAME, "inputs": rows_of(test_rows)})
    assert answer.status_code == 200, answer.text
    assert np.allclose(answer.json()["log_likelihood"], expected, atol=1e-3)


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/sample", {"n": 4, "seed": 1}, "samples"),
        ("/reconstruct", {"inputs": "rows"}, "reconstructions"),
        ("/interpolate", {"inputs": "ends", "steps": 5}, "path"),
        ("/interpolate", {"inputs": "ends", "steps": 5, "method": "slerp"}, "path"),
    ],
)
def test_ppca_answers_each_operation(
    job_client: TestClient, job: dict[str, Any], test_rows: np.ndarray,
    path: str, body: dict[str, Any], key: str,
) -> None:
    values = {"rows": rows_of(test_rows), "ends": rows_of(test_rows[:2])}
    filled = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    answer = job_client.post(path, json={"model": NAME, **filled})
    assert answer.status_code == 200, answer.text
    assert np.isfinite(np.asarray(answer.json()[key], dtype=np.float64)).all()


def test_ppca_is_listed_with_its_kind_and_job(job_client: TestClient, job: dict[str, Any]) -> None:
    listed = {m["name"]: m for m in job_client.get("/models").json()["models"]}
    assert listed[NAME]["kind"] == "ppca"
    assert set(listed[NAME]["capabilities"]) >= {"sample", "encode", "log_likelihood"}
    jobs = job_client.get("/jobs", headers=AUTH).json()["jobs"]
    assert any(j["id"] == job["id"] and j["kind"] == "ppca" for j in jobs)


def test_kinds_lists_ppca_with_its_parameters_schema(job_client: TestClient) -> None:
    kinds = {k["kind"]: k for k in job_client.get("/kinds").json()["kinds"]}
    assert {"vae", "gmm", "ppca"} <= set(kinds)
    assert "n_components" in kinds["ppca"]["hyperparameters"]["properties"]
    assert kinds["vae"]["supports_warm_start"] and not kinds["ppca"]["supports_warm_start"]


def test_a_ppca_job_refuses_more_components_than_dimensions(job_client: TestClient) -> None:
    answer = job_client.post("/jobs", headers=AUTH, json={
        "kind": "ppca", "name": "too-wide", "dataset": "digits", "params": {"n_components": 64},
    })
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["field"], error["rule"]) == ("params.n_components", "below_data_dimensions")


@pytest.mark.parametrize("params", [{"ddof": True}, {"n_components": True}])
def test_a_boolean_is_not_a_number_for_any_ppca_parameter(
    job_client: TestClient, params: dict[str, Any]
) -> None:
    answer = job_client.post("/jobs", headers=AUTH, json={
        "kind": "ppca", "name": "boolean", "dataset": "digits", "params": params,
    })
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["field"], error["rule"]) == (f"params.{next(iter(params))}", "int_type")


def test_labels_are_refused_by_the_unconditional_ppca(folder: Path) -> None:
    from models import InvalidModelInput, load_model

    model = load_model(folder)
    with pytest.raises(InvalidModelInput, match="not conditional"):
        model.sample(2, labels=torch.zeros(2, dtype=torch.long))
