"""Bad input gets a 4xx JSON error naming the field and the rule, and nothing is lost."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from jobkit import API_KEY, AUTH, TINY_GMM, make_settings, submit

from app.config import Settings
from app.main import create_app

pytestmark = pytest.mark.job_settings(embedded_worker=False)

def assert_error(response: Any, status: int, field: str, rule: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["field"], error["rule"]) == (field, rule), error
    assert error["message"]
    return error


def job(kind: str = "gmm", name: str = "fresh", dataset: str = "pinwheel", **params: Any
        ) -> dict[str, Any]:
    return {"kind": kind, "name": name, "dataset": dataset, "params": params}


@pytest.mark.parametrize(
    ("body", "status", "field", "rule"),
    [
        (job(dataset="no-such-data"), 422, "dataset", "exists"),
        (job(n_components=0), 422, "params.n_components", "greater_than_equal"),
        (job(covariance_type="round"), 422, "params.covariance_type", "literal_error"),
        (job(test_fraction=1.5), 422, "params.test_fraction", "less_than"),
        (job(test_fraction=0.0001), 422, "params.test_fraction", "test_rows"),
        (job("vae", dataset="digits", epochs=2, steps=10), 422, "params.steps", "one_budget"),
        (job("vae", dataset="digits", objective="iwae", free_bits=0.5), 422,
         "params.free_bits", "elbo_only"),
        (job("vae", dataset="digits", test_fraction=0.0001), 422, "params.test_fraction",
         "test_rows"),
        (job(n_componets=3), 422, "params.n_componets", "extra_forbidden"),
        (job("vae", dataset="digits", early_stopping_patience=3, validation_fraction=1e-300),
         422, "params.validation_fraction", "greater_than_equal"),
        (job("vae", epochs=0), 422, "params.epochs", "greater_than_equal"),
        (job("vae", hidden_sizes=[0]), 422, "params.hidden_sizes[0]", "greater_than_equal"),
        (job("vae", learning_rate=5), 422, "params.learning_rate", "less_than_equal"),
        (job("vae", likelihood="bernoulli"), 422, "params.likelihood", "data_kind"),
        (job(binarize="dynamic"), 422, "params.binarize", "data_kind"),
        (job("cvae", dataset="pinwheel", binarize="static"), 422, "params.binarize",
         "data_kind"),
        (job("vae", architecture="conv"), 422, "params.architecture", "image_data"),
        (job(n_components=1600), 422, "params.n_components", "at_most_training_rows"),
        (job("vae", name="tiny-vae"), 422, "dataset", "shape"),  # tiny-vae serves 8x8 images
        (job("vae", name="tiny-gmm"), 422, "kind", "matches_existing_model"),
        (job(name="../escape"), 422, "name", "string_pattern_mismatch"),
        ({"kind": "flow", "name": "x", "dataset": "pinwheel"}, 422, "kind", "installed_kind"),
    ],
)
def test_bad_job_requests_are_refused(
    job_client: TestClient, body: dict[str, Any], status: int, field: str, rule: str
) -> None:
    before = job_client.get("/jobs", headers=AUTH).json()["jobs"]
    assert_error(job_client.post("/jobs", json=body, headers=AUTH), status, field, rule)
    assert job_client.get("/jobs", headers=AUTH).json()["jobs"] == before  # nothing recorded


def test_a_long_value_is_echoed_clipped_in_the_error(job_client: TestClient) -> None:
    response = job_client.post("/jobs", headers=AUTH, json=job(kind="k" * 150_000))
    error = assert_error(response, 422, "kind", "installed_kind")
    assert len(response.content) < 5_000
    assert "k" * 100 + "… (150,000 characters)" in error["message"]


def test_a_long_job_id_in_the_url_is_echoed_clipped(job_client: TestClient) -> None:
    response = job_client.get("/jobs/" + "a" * 20_000, headers=AUTH)
    error = assert_error(response, 404, "id", "exists")
    assert len(response.content) < 1_000 and "… (20,000 characters)" in error["message"]


def warm(source: dict[str, Any], kind: str = "vae", dataset: str = "digits", **params: Any
         ) -> dict[str, Any]:
    return {**job(kind, dataset=dataset, **params), "init_from": source}


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (warm({"model": "no-such-model"}), "init_from.model", "exists"),
        (warm({"model": "tiny-vae", "version": 9}), "init_from.version", "exists"),
        (warm({"model": "tiny-gmm"}), "init_from.model", "same_kind"),
        (warm({"model": "tiny-vae"}, kind="gmm"), "init_from", "warm_start_supported"),
        (warm({"model": "tiny-vae"}, dataset="pinwheel"), "init_from.model", "shape"),
        (warm({"model": "tiny-vae"}, hidden_sizes=[99]), "params.hidden_sizes",
         "matches_init_from"),
        (warm({"model": "tiny-vae", "revision": 1}), "init_from.revision", "extra_forbidden"),
    ],
)
def test_bad_warm_starts_are_refused(
    job_client: TestClient, body: dict[str, Any], field: str, rule: str
) -> None:
    assert_error(job_client.post("/jobs", json=body, headers=AUTH), 422, field, rule)


def test_out_of_range_params_are_all_reported(job_client: TestClient) -> None:
    response = job_client.post("/jobs", json=job(n_components=0, max_iter=0), headers=AUTH)
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"params.n_components", "params.max_iter"}


@pytest.mark.parametrize(
    ("headers", "rule"),
    [({}, "bearer_token"), ({"Authorization": "Bearer wrong"}, "api_key"),
     ({"Authorization": f"Basic {API_KEY}"}, "bearer_token")],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/jobs"), ("POST", "/jobs"), ("GET", "/jobs/abc"), ("DELETE", "/jobs/abc"),
     ("GET", "/jobs/abc/events"), ("GET", "/datasets"), ("POST", "/datasets")],
)
def test_jobs_and_datasets_need_the_api_key(
    job_client: TestClient, method: str, path: str, headers: dict[str, str], rule: str
) -> None:
    response = job_client.request(method, path, headers=headers)
    assert_error(response, 401, "Authorization", rule)


def test_unknown_job_is_404(job_client: TestClient) -> None:
    assert_error(job_client.get("/jobs/0123", headers=AUTH), 404, "id", "exists")
    assert_error(job_client.delete("/jobs/0123", headers=AUTH), 404, "id", "exists")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("filename", "content", "status", "rule"),
    [
        ("points.npy", b"x,y\n1,2\n", 422, "format"),
        ("points.npz", _npy(np.ones((3, 2))), 422, "format"),
        ("points.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", 422, "format"),
        ("images.zip", b"not a zip at all", 422, "format"),
        ("train-images-idx3-ubyte.gz", b"\x00\x00\x08\x03plain", 422, "format"),
        ("train-images-idx3-ubyte", b"\x00\x00\x08\x03\x00\x00\x00\x05", 422, "format"),
        ("objects.npy", _npy(np.array([{"a": 1}, None], dtype=object)), 422, "no_pickle"),
        ("row.npy", _npy(np.ones(5)), 422, "shape"),
        ("nan.npy", _npy(np.array([[1.0, np.nan], [0.0, 1.0]])), 422, "finite"),
        ("ragged.csv", b"1,2\n3\n", 422, "rectangular"),
        ("words.csv", b"a,b\nc,d\n", 422, "numeric"),
        ("data.exe", b"MZ", 422, "file_type"),
        ("evil.zip", _zip({"../../etc/passwd.png": PNG}), 422, "zip_member_name"),
        ("evil2.zip", _zip({"/abs/x.png": PNG}), 422, "zip_member_name"),
        ("mixed.zip", _zip({"a.txt": b"hello"}), 422, "png_zip"),
        ("fake.zip", _zip({"a.png": b"GIF89a"}), 422, "png"),
    ],
)
def test_bad_uploads_are_refused(
    job_client: TestClient, job_settings: Settings, filename: str, content: bytes, status: int,
    rule: str,
) -> None:
    before = job_client.get("/datasets", headers=AUTH).json()
    response = job_client.post("/datasets", files={"file": (filename, content)}, headers=AUTH)
    assert_error(response, status, "file", rule)
    assert job_client.get("/datasets", headers=AUTH).json() == before
    stored = job_settings.data_dir / "datasets"
    assert not stored.exists() or not list(stored.glob(".upload-*"))


def test_an_image_over_the_pixel_limit_is_refused(job_client: TestClient) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (100, 100)).save(buffer, format="PNG")  # 10,000 > 4096 pixels
    response = job_client.post(
        "/datasets", files={"file": ("big.zip", _zip({"a.png": buffer.getvalue()}))},
        headers=AUTH,
    )
    assert_error(response, 422, "file", "max_image_pixels")


def test_an_upload_over_the_size_limit_is_413(
    job_client: TestClient, job_settings: Settings
) -> None:
    content = _npy(np.zeros((job_settings.max_upload_bytes // 8 + 10, 1)))
    response = job_client.post("/datasets", files={"file": ("big.npy", content)}, headers=AUTH)
    assert_error(response, 413, "body", "max_upload_bytes")
    assert "GENSERVE_MAX_UPLOAD_BYTES" in response.json()["error"]["message"]


def test_a_zip_that_inflates_past_the_limit_is_413(
    job_client: TestClient, job_settings: Settings
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.png", b"\x00" * (8 * job_settings.max_upload_bytes + 1))
    response = job_client.post("/datasets", files={"file": ("bomb.zip", buffer.getvalue())},
                               headers=AUTH)
    assert_error(response, 413, "file", "max_decoded_bytes")


def test_a_name_taken_by_other_data_is_409_and_the_first_upload_is_kept(
    job_client: TestClient,
) -> None:
    first = job_client.post("/datasets", files={"file": ("a.csv", b"1,2\n3,4\n5,6\n")},
                            data={"name": "kept"}, headers=AUTH)
    assert first.status_code == 201
    clash = job_client.post("/datasets", files={"file": ("b.csv", b"9,9\n8,8\n")},
                            data={"name": "kept"}, headers=AUTH)
    assert_error(clash, 409, "name", "unique")
    assert job_client.get("/datasets/kept", headers=AUTH).json()["sha256"] == first.json()["sha256"]
    builtin = job_client.post("/datasets", files={"file": ("a.csv", b"1,2\n3,4\n")},
                              data={"name": "digits"}, headers=AUTH)
    assert_error(builtin, 409, "name", "unique")
    bad_name = job_client.post("/datasets", files={"file": ("a.csv", b"1,2\n3,4\n")},
                               data={"name": "Bad Name"}, headers=AUTH)
    assert_error(bad_name, 422, "name", "string_pattern_mismatch")


def test_refused_requests_leave_earlier_jobs_alone(job_client: TestClient) -> None:
    kept = submit(job_client, "gmm", "kept-job", "pinwheel", **TINY_GMM)
    job_client.post("/jobs", json=job(n_components=0), headers=AUTH)
    job_client.post("/datasets", files={"file": ("x.npy", b"junk")}, headers=AUTH)
    assert job_client.get(f"/jobs/{kept['id']}", headers=AUTH).json()["status"] == "queued"


def test_jobs_beyond_the_queue_limit_get_429_and_earlier_ones_stay(
    tmp_path: Path, weights_dir: Path
) -> None:
    settings = make_settings(tmp_path, weights_dir, embedded_worker=False, max_queued_jobs=2)
    job = {"kind": "gmm", "name": "queued-gmm", "dataset": "pinwheel", "params": TINY_GMM}
    with TestClient(create_app(settings)) as limited:
        for _ in range(2):
            assert limited.post("/jobs", json=job, headers=AUTH).status_code == 202
        response = limited.post("/jobs", json=job, headers=AUTH)
        assert response.status_code == 429
        assert response.json()["error"]["rule"] == "max_queued_jobs"
        assert int(response.headers["Retry-After"]) > 0  # when to ask again
        statuses = [j["status"] for j in limited.get("/jobs", headers=AUTH).json()["jobs"]]
        assert statuses == ["queued", "queued"]


@pytest.fixture
def tiny_dataset(job_client: TestClient) -> str:
    """Three rows: one held out, two to train on, and nothing to spare for validation."""
    response = job_client.post(
        "/datasets", files={"file": ("tiny.csv", b"0.1,0.2\n0.3,0.1\n0.5,0.9\n")},
        data={"name": "tiny"}, headers=AUTH,
    )
    assert response.status_code in (200, 201), response.text  # 200: stored already
    return "tiny"


@pytest.mark.parametrize("validation_fraction", [0.5, 0.01])
def test_early_stopping_on_data_too_small_for_a_validation_split_is_refused_before_queueing(
    job_client: TestClient, tiny_dataset: str, validation_fraction: float
) -> None:
    body = job("vae", dataset=tiny_dataset, test_fraction=0.5, early_stopping_patience=1,
               validation_fraction=validation_fraction)
    before = job_client.get("/jobs", headers=AUTH).json()["jobs"]
    error = assert_error(job_client.post("/jobs", json=body, headers=AUTH), 422,
                         "params.early_stopping_patience", "validation_rows")
    assert "set early_stopping_patience to 0" in error["message"]
    assert job_client.get("/jobs", headers=AUTH).json()["jobs"] == before  # nothing queued


def test_a_validation_fraction_holding_back_too_few_rows_is_refused_naming_the_bound(
    job_client: TestClient,
) -> None:
    # digits (1,797 rows) less 90% held out: 180 training rows, 2 of them for validation
    body = job("vae", dataset="digits", early_stopping_patience=3, validation_fraction=0.01,
               test_fraction=0.9)
    error = assert_error(job_client.post("/jobs", json=body, headers=AUTH), 422,
                         "params.validation_fraction", "validation_rows")
    assert "validation_fraction >= 0.06" in error["message"]
