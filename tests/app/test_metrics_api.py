"""``GET /metrics``: valid Prometheus text, counters that move, gauges read from the app."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app import metrics


def scrape(client: TestClient) -> dict[str, Any]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def value(families: dict[str, Any], sample_name: str, **labels: str) -> float:
    """The value of one sample, 0 when it does not exist yet."""
    family_name = sample_name
    for suffix in ("_total", "_count", "_sum", "_bucket"):
        family_name = family_name.removesuffix(suffix)
    family = families.get(family_name)
    if family is None:
        return 0.0
    for sample in family.samples:
        if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return float(sample.value)
    return 0.0


def test_metrics_parse_with_prometheus_clients_own_parser(client: TestClient) -> None:
    families = scrape(client)
    assert families["genserve_requests"].type == "counter"
    assert families["genserve_request_duration_seconds"].type == "histogram"
    assert families["genserve_batch_size"].type == "histogram"
    assert families["genserve_models_loaded"].type == "gauge"


def test_request_counters_move_by_endpoint_and_model(client: TestClient) -> None:
    labels = {"method": "POST", "endpoint": "/sample", "model": "tiny-gmm", "status": "200"}
    before = scrape(client)
    for seed in range(3):
        client.post("/sample", json={"model": "tiny-gmm", "n": 2, "seed": seed})
    after = scrape(client)
    assert value(after, "genserve_requests_total", **labels) - value(
        before, "genserve_requests_total", **labels
    ) == 3
    timing = {"method": "POST", "endpoint": "/sample", "model": "tiny-gmm"}
    assert value(after, "genserve_request_duration_seconds_count", **timing) - value(
        before, "genserve_request_duration_seconds_count", **timing
    ) == 3


def test_a_request_without_a_model_counts_under_the_default_model(client: TestClient) -> None:
    labels = {"endpoint": "/sample", "model": "tiny-vae", "status": "200"}
    before = value(scrape(client), "genserve_requests_total", **labels)
    client.post("/sample", json={"n": 1})
    assert value(scrape(client), "genserve_requests_total", **labels) == before + 1


def test_unknown_model_names_and_paths_do_not_become_labels(client: TestClient) -> None:
    client.post("/sample", json={"model": "no-such-model", "n": 1})
    client.get("/no/such/path/12345")
    families = scrape(client)
    label_values = {s.labels.get("model") for s in families["genserve_requests"].samples}
    endpoints = {s.labels.get("endpoint") for s in families["genserve_requests"].samples}
    assert "no-such-model" not in label_values and "unknown" in label_values
    assert "/no/such/path/12345" not in endpoints and "unmatched" in endpoints


def test_path_parameters_are_reported_by_route_template(client: TestClient) -> None:
    client.get("/models/tiny-gmm")
    families = scrape(client)
    assert value(
        families, "genserve_requests_total", endpoint="/models/{name}", model="tiny-gmm",
        status="200",
    ) >= 1


def test_models_loaded_counts_versions_per_model(client: TestClient) -> None:
    families = scrape(client)
    assert value(families, "genserve_models_loaded", model="tiny-vae") == 2
    assert value(families, "genserve_models_loaded", model="tiny-gmm") == 1
    assert value(families, "genserve_models_failed") == 0


def test_batch_sizes_reported_by_the_batcher_appear(client: TestClient) -> None:
    before = value(scrape(client), "genserve_batch_size_count", model="tiny-vae",
                   operation="encode")
    metrics.observe_batch("tiny-vae", "encode", 8)
    metrics.observe_batch("tiny-vae", "encode", 3)
    families = scrape(client)
    assert value(families, "genserve_batch_size_count", model="tiny-vae",
                 operation="encode") == before + 2
    assert value(families, "genserve_batch_size_bucket", model="tiny-vae", operation="encode",
                 le="4.0") >= 1


def test_job_counts_and_queue_depth_come_from_the_job_records(client: TestClient) -> None:
    families = scrape(client)
    statuses = {s.labels["status"] for s in families["genserve_jobs"].samples}
    assert statuses >= {"queued", "running", "succeeded", "failed", "cancelled"}
    assert "genserve_job_queue_depth" in families


def _gauges(app: Any) -> dict[str, Any]:
    registry: CollectorRegistry = metrics.app_registry(app)
    text = generate_latest(registry).decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_the_collector_tolerates_an_app_without_jobs_or_models() -> None:
    families = _gauges(SimpleNamespace(state=SimpleNamespace()))
    assert "genserve_jobs" not in families and "genserve_job_queue_depth" not in families
    assert families["genserve_models_loaded"].samples == []


class _Store:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def status_counts(self) -> dict[str, int]:
        if self.fail:
            raise ConnectionError("database down")
        return {"queued": 2, "running": 1}

    def queue_depth(self) -> int:
        return 5


def test_a_job_store_that_offers_counts_is_reported() -> None:
    families = _gauges(SimpleNamespace(state=SimpleNamespace(jobs=_Store())))
    jobs = {s.labels["status"]: s.value for s in families["genserve_jobs"].samples}
    assert jobs["queued"] == 2 and jobs["running"] == 1 and jobs["failed"] == 0
    assert families["genserve_job_queue_depth"].samples[0].value == 5


def test_a_failing_job_store_does_not_break_the_scrape() -> None:
    families = _gauges(SimpleNamespace(state=SimpleNamespace(jobs=_Store(fail=True))))
    assert "genserve_jobs" not in families
    assert "genserve_models_loaded" in families
