"""Conditional models trained as jobs: a worker trains cvae and cgmm on a labelled dataset and
the published model takes labels and classifies at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH, TINY_VAE, submit, wait_for

DIGIT = [[0.5] * 64]


def test_a_cgmm_job_passes_the_gate_and_classifies(job_client: TestClient) -> None:
    job = submit(job_client, "cgmm", "job-cgmm", "digits", promote="auto", n_components=1,
                 n_init=1, max_iter=50)
    done = wait_for(job_client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["promoted"] is True, done["result"]["gate"]
    assert done["result"]["metrics"]["test_accuracy"] > 0.9
    answer = job_client.post("/classify", json={"model": "job-cgmm", "inputs": DIGIT})
    assert answer.status_code == 200 and sum(answer.json()["probabilities"][0].values()) \
        == pytest.approx(1.0, abs=1e-5)


def test_a_cvae_job_samples_the_class_asked_for(job_client: TestClient) -> None:
    done = wait_for(job_client, submit(job_client, "cvae", "job-cvae", "digits", **TINY_VAE)["id"])
    assert done["status"] == "succeeded", done
    assert "log p(x | y)" in done["result"]["metrics"]["estimator"]
    card = job_client.get("/models/job-cvae").json()
    assert card["conditional"] is True and card["classes"] == [str(d) for d in range(10)]
    sample = job_client.post("/sample", json={"model": "job-cvae", "n": 2, "seed": 0,
                                              "labels": ["7"]})
    assert sample.status_code == 200, sample.text


def test_a_conditional_job_on_unlabelled_data_is_refused(job_client: TestClient) -> None:
    response = job_client.post("/jobs", headers=AUTH, json={
        "kind": "cvae", "name": "no-labels", "dataset": "two-moons"})
    assert response.status_code == 422
    assert response.json()["error"]["rule"] == "labelled"


def test_a_cgmm_job_with_defaults_passes_the_gate_on_digits(job_client: TestClient) -> None:
    """Components are counted per class: the default (2) suits digits' ~160 rows a class,
    where the GMM's 10 full-covariance components overfit and fail the gate."""
    done = wait_for(job_client, submit(job_client, "cgmm", "job-cgmm-defaults", "digits")["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["promoted"] is True, done["result"]["gate"]


def test_more_components_than_rows_per_class_is_refused_before_queueing(
    job_client: TestClient,
) -> None:
    response = job_client.post("/jobs", headers=AUTH, json={
        "kind": "cgmm", "name": "too-many", "dataset": "digits",
        "params": {"n_components": 200}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == ("params.n_components", "at_most_training_rows")
