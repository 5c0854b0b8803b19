"""The training gate end to end: a real worker trains, the gate judges, the registry serves."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from jobkit import (
    AUTH,
    TINY_GMM,
    TINY_VAE,
    published,
    submit,
    wait_for,
    wait_until_served,
)

from app.config import Settings


def test_a_collapsing_job_leaves_the_served_version_stable(
    job_client: TestClient, job_settings: Settings
) -> None:
    shipped_before = published(job_settings.weights_dir, "tiny-vae")
    assert job_client.get("/models/tiny-vae").json()["aliases"] == {"stable": 2}
    # beta 50 drives the posterior to the prior: the encoder learns to ignore its input
    job = submit(job_client, "vae", "tiny-vae", "digits", promote="auto",
                 **{**TINY_VAE, "beta": 50.0, "epochs": 10, "batch_size": 64})
    done = wait_for(job_client, job["id"])
    assert done["status"] == "succeeded", done["error"]
    result = done["result"]
    assert result["version"] == 3 and result["promoted"] is False
    gate = result["gate"]
    assert gate["passed"] is False and gate["policy"] == "auto"
    assert any("collapse" in reason for reason in gate["reasons"]), gate["reasons"]

    # the good version stays stable; the new one answers when named
    assert job_client.post("/sample", json={"model": "tiny-vae", "n": 1}).json()["version"] == 2
    named = job_client.post("/sample", json={"model": "tiny-vae", "n": 1, "version": 3})
    assert named.status_code == 200 and named.json()["version"] == 3
    card = job_client.get("/models/tiny-vae").json()
    assert card["aliases"] == {"stable": 2}
    listed = {v["version"]: v for v in card["version_info"]}
    assert listed[3]["gate"] == gate and listed[3]["promoted"] is False

    # stored in the model store with its verdict; the shipped folder untouched
    stored = job_settings.model_store_dir / "tiny-vae" / "3"
    assert json.loads((stored / "gate.json").read_text())["passed"] is False
    assert published(job_settings.weights_dir, "tiny-vae") == shipped_before


def test_the_final_status_event_says_it_was_not_promoted(job_client: TestClient) -> None:
    job = submit(job_client, "gmm", "tiny-gmm", "pinwheel", promote="never", **TINY_GMM)
    wait_for(job_client, job["id"])
    with job_client.stream("GET", f"/jobs/{job['id']}/events", headers=AUTH) as events:
        lines = [line for line in events.iter_lines() if line.startswith("data:")]
    final = json.loads(lines[-1].removeprefix("data:"))
    assert final["status"] == "succeeded"
    assert final["result"]["promoted"] is False
    assert final["result"]["gate"]["reasons"][-1] == (
        "not made stable: the job asked for promote=never"
    )
    assert job_client.post("/sample", json={"model": "tiny-gmm", "n": 1}).json()["version"] == 1


def test_promote_always_makes_the_new_version_stable_and_roll_back_restores_the_old(
    job_client: TestClient,
) -> None:
    job = submit(job_client, "gmm", "always-gmm", "pinwheel", promote="always", **TINY_GMM)
    first = wait_for(job_client, job["id"])["result"]
    job = submit(job_client, "gmm", "always-gmm", "pinwheel", promote="always", seed=3,
                 **{k: v for k, v in TINY_GMM.items() if k != "seed"})
    second = wait_for(job_client, job["id"])["result"]
    assert first["promoted"] and second["promoted"] and second["version"] == 2
    wait_until_served(job_client, "always-gmm", 2)
    back = job_client.put("/models/always-gmm/aliases/stable", json={"version": 1},
                          headers=AUTH)
    assert back.status_code == 200 and back.json()["aliases"] == {"stable": 1}
    assert job_client.post("/sample", json={"model": "always-gmm"}).json()["version"] == 1


def test_init_from_finds_a_trained_version_in_the_model_store(job_client: TestClient) -> None:
    job = submit(job_client, "vae", "store-source", "digits", **TINY_VAE)
    source = wait_for(job_client, job["id"])["result"]
    response = job_client.post("/jobs", headers=AUTH, json={
        "kind": "vae", "name": "store-tuned", "dataset": "digits", "promote": "always",
        "init_from": {"model": "store-source"}, "params": {"epochs": 1,
                                                           "eval_importance_samples": 2},
    })
    assert response.status_code == 202, response.text
    done = wait_for(job_client, response.json()["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["config"]["init_from"] == {"model": "store-source", "version": source["version"]}
