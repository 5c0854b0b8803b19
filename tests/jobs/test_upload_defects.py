"""Issue 17's parser defects (#5, #6, #7, #10) and issue 13's upload splits, one test each:
every upload and job request that used to reach a 500, take gigabytes or lose data now gets a
4xx naming the field and the rule, from headers, before anything large is allocated."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH, make_settings
from PIL import Image

from app.config import Settings
from app.dataset_files import UploadLimits, UploadTooLarge, parse_upload
from app.main import create_app
from models import CONFIG_FILE, WEIGHTS_FILE


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, weights_dir: Path) -> Settings:
    root = tmp_path_factory.mktemp("upload-defects")
    settings = make_settings(root, weights_dir, embedded_worker=False, max_upload_bytes=1 << 20)
    broken = settings.weights_dir / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / CONFIG_FILE).write_text("{not json")
    shutil.copy(settings.weights_dir / "tiny-vae" / "1" / WEIGHTS_FILE, broken / WEIGHTS_FILE)
    odd = settings.weights_dir / "odd-vae" / "1"
    shutil.copytree(settings.weights_dir / "tiny-vae" / "1", odd)
    config = json.loads((odd / CONFIG_FILE).read_text())
    (odd / CONFIG_FILE).write_text(json.dumps({**config, "hyperparameters": {"latent_dim": -1}}))
    return settings


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def upload(client: TestClient, filename: str, content: bytes, **data: Any) -> Any:
    return client.post("/datasets", files={"file": (filename, content)}, data=data, headers=AUTH)


def assert_error(response: Any, status: int, field: str, rule: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["field"], error["rule"]) == (field, rule), error
    assert error["message"] and " at 0x" not in error["message"]
    return error


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return bytearray(buffer.getvalue())


def idx(array: np.ndarray) -> bytes:
    shape = b"".join(struct.pack(">I", s) for s in array.shape)
    return b"\x00\x00\x08" + bytes([array.ndim]) + shape + array.tobytes()


def traced_peak(call: Callable[[], Any]) -> tuple[Any, int]:
    """What ``call`` returned or raised, and the peak bytes it allocated (Python and NumPy)."""
    tracemalloc.start()
    try:
        try:
            result: Any = call()
        except Exception as error:  # noqa: BLE001 - returned for the test to inspect
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


GREY = np.arange(16, dtype=np.uint8).reshape(4, 4) * 16
_LOCAL, _CENTRAL_FLAGS, _CENTRAL_METHOD, _CENTRAL_CRC = 0, 8, 10, 16


def _central(data: bytearray) -> int:
    return data.find(b"PK\x01\x02")


def bad_crc(data: bytearray) -> bytearray:
    struct.pack_into("<I", data, _central(data) + _CENTRAL_CRC, 0xDEADBEEF)
    struct.pack_into("<I", data, _LOCAL + 14, 0xDEADBEEF)
    return data


def encrypted(data: bytearray) -> bytearray:
    data[_central(data) + _CENTRAL_FLAGS] |= 0x1
    data[_LOCAL + 6] |= 0x1
    return data


def unknown_method(data: bytearray) -> bytearray:
    struct.pack_into("<H", data, _central(data) + _CENTRAL_METHOD, 99)
    struct.pack_into("<H", data, _LOCAL + 8, 99)
    return data


def names_differ(data: bytearray) -> bytearray:
    data[_LOCAL + 30] = ord("z")  # the local header's copy of the name
    return data


ZIP_DEFECTS = {
    "bad_crc": (bad_crc, "zip_integrity"), "encrypted": (encrypted, "zip_encrypted"),
    "unknown_method": (unknown_method, "zip_compression"),
    "local_and_central_names_differ": (names_differ, "zip_integrity"),
}


@pytest.mark.parametrize("defect", sorted(ZIP_DEFECTS))
@pytest.mark.parametrize("filename", ["images.zip", "arrays.npz"])
def test_zip_with_bad_crc_encrypted_flag_unknown_method_or_differing_names_is_422(
    client: TestClient, defect: str, filename: str
) -> None:
    members = ({"a.png": png(GREY)} if filename.endswith(".zip")
               else {"x.npy": npy(np.ones((3, 2)))})
    corrupt, rule = ZIP_DEFECTS[defect]
    response = upload(client, filename, bytes(corrupt(zipped(members))))
    assert_error(response, 422, "file", rule)


def test_csv_field_over_131072_characters_is_422(client: TestClient) -> None:
    long_number = b"1" * 200_000  # overflows to infinity
    assert_error(upload(client, "wide.csv", b"a,b\n1," + long_number + b"\n2,3\n"),
                 422, "file", "finite")
    quoted = b'"' + b"x" * 200_000 + b'"'
    assert_error(upload(client, "words.csv", b"1,2\n3," + quoted + b"\n"), 422, "file", "numeric")


def test_idx_with_ndim_65_is_422(client: TestClient) -> None:
    data = b"\x00\x00\x08" + bytes([65]) + struct.pack(">I", 1) * 65 + b"\x07"
    error = assert_error(upload(client, "train-images-idx3-ubyte", data), 422, "file", "format")
    assert "65 dimensions" in error["message"]


def _npz_of_int8_zeros(shape: tuple[int, int]) -> bytes:
    """np.savez_compressed's layout, streamed: the header, then zeros deflated 1 MiB at a time."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|i1", "fortran_order": False, "shape": shape}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("x.npy", "w", force_zip64=True) as member:
        member.write(header.getvalue())
        chunk = bytes(1 << 20)
        for _ in range(shape[0] * shape[1] // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def test_npz_of_int8_zeros_shaped_2_by_134217728_is_413_before_allocating(
    client: TestClient,
) -> None:
    data = _npz_of_int8_zeros((2, 134_217_728))
    assert len(data) < 400_000  # the attack: 0.26 MB that stored as float64 would be 2 GiB
    assert_error(upload(client, "zeros.npz", data), 413, "file", "max_decoded_bytes")
    limits = UploadLimits.from_settings(Settings())  # the shipped defaults
    refused, peak = traced_peak(lambda: parse_upload("zeros.npz", data, limits))
    assert isinstance(refused, UploadTooLarge) and refused.rule == "max_decoded_bytes"
    assert peak < 8 << 20, f"{peak} bytes allocated to refuse it"


def test_csv_of_32_mb_of_zero_lines_is_413_from_its_line_count() -> None:
    data = b"0\n" * (16 << 20)
    limits = UploadLimits.from_settings(Settings(max_upload_bytes=64 << 20))
    refused, peak = traced_peak(lambda: parse_upload("zeros.csv", data, limits))
    assert isinstance(refused, UploadTooLarge) and refused.rule == "max_rows"
    assert "GENSERVE_MAX_DATASET_ROWS" in refused.message
    assert peak < 1 << 20, f"{peak} bytes allocated to refuse it"


def test_csv_with_10_million_columns_is_413_from_its_first_line() -> None:
    data = b"0," * 10_000_000 + b"0\n" + b"0," * 10_000_000 + b"0\n"
    limits = UploadLimits.from_settings(Settings(max_upload_bytes=64 << 20))
    refused, peak = traced_peak(lambda: parse_upload("wide.csv", data, limits))
    assert isinstance(refused, UploadTooLarge) and refused.rule == "max_features"
    assert peak < 1 << 20, f"{peak} bytes allocated to refuse it"


def test_csv_within_the_limits_is_parsed_by_rows_and_columns() -> None:
    data = b"x,y\n" + b"1.5,2\n" * 1000 + b"\n  \n" + b'"3",4\n'
    parsed = parse_upload("ok.csv", data, UploadLimits.from_settings(Settings()))
    assert parsed.array.shape == (1001, 2) and parsed.array[-1].tolist() == [3.0, 4.0]


def test_zip_of_16_bit_pngs_keeps_their_values(client: TestClient) -> None:
    images = np.array([[[1000, 2000], [3000, 1500]], [[2500, 1000], [1200, 3000]]], np.uint16)
    members = {f"{i}.png": png(image) for i, image in enumerate(images)}
    response = upload(client, "deep.zip", bytes(zipped(members)), name="deep-pngs")
    assert response.status_code == 201, response.text
    assert (response.json()["levels"], response.json()["dtype"]) == (65536, "uint16")
    dataset, _ = client.app.state.datasets.load("deep-pngs")  # type: ignore[attr-defined]
    np.testing.assert_array_equal(dataset.examples, images)


def test_zip_mixing_8_and_16_bit_pngs_is_refused_by_name(client: TestClient) -> None:
    members = {"a.png": png(GREY), "b.png": png(GREY.astype(np.uint16) * 257)}
    assert_error(upload(client, "mixed.zip", bytes(zipped(members))), 422, "file",
                 "same_bit_depth")


@pytest.mark.parametrize("parameter", ["offset", "cursor"])
def test_jobs_offset_or_cursor_of_2_63_is_422(client: TestClient, parameter: str) -> None:
    response = client.get(f"/jobs?{parameter}={2**63}", headers=AUTH)
    assert_error(response, 422, f"query.{parameter}", "less_than_equal")


def test_job_naming_a_model_whose_latest_config_is_invalid_is_422(client: TestClient) -> None:
    body = {"kind": "vae", "name": "broken", "dataset": "digits"}
    error = assert_error(client.post("/jobs", json=body, headers=AUTH), 422, "name",
                         "valid_model_config")
    assert "config.json" in error["message"]


@pytest.mark.parametrize("source", ["broken", "odd-vae"])
def test_init_from_a_model_whose_latest_config_is_invalid_is_422(
    client: TestClient, source: str
) -> None:
    body = {"kind": "vae", "name": "fresh", "dataset": "digits", "init_from": {"model": source}}
    assert_error(client.post("/jobs", json=body, headers=AUTH), 422, "init_from.model",
                 "valid_model_config")


def test_job_name_with_double_dot_is_refused_when_submitted(client: TestClient) -> None:
    body = {"kind": "gmm", "name": "a..b", "dataset": "pinwheel"}
    error = assert_error(client.post("/jobs", json=body, headers=AUTH), 422, "name",
                         "string_pattern_mismatch")
    assert "'..'" in error["message"]


@pytest.mark.parametrize("name", ["nlx\n", "a..b", "Upper", "-dash", "x" * 64])
def test_dataset_name_outside_the_one_name_rule_is_422(client: TestClient, name: str) -> None:
    assert_error(
        upload(client, "a.csv", b"1,2\n3,4\n", name=name), 422, "name", "string_pattern_mismatch"
    )
    assert_error(
        client.post("/jobs", json={"kind": "gmm", "name": "ok", "dataset": name}, headers=AUTH),
        422, "dataset", "string_pattern_mismatch",
    )


def test_a_file_name_with_double_dots_gives_a_valid_default_name(client: TestClient) -> None:
    response = upload(client, "my..data..csv.csv", b"1,2\n3,4\n")
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "my.data.csv"


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [({"beta": "0.5"}, "params.beta", "float_type"), ({"epochs": True}, "params.epochs",
                                                       "int_type")],
)
def test_job_params_refuse_strings_and_bools_for_numbers(
    client: TestClient, params: dict[str, Any], field: str, rule: str
) -> None:
    body = {"kind": "vae", "name": "fresh", "dataset": "digits", "params": params}
    assert_error(client.post("/jobs", json=body, headers=AUTH), 422, field, rule)


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "1e999"])
def test_job_params_refuse_nan_and_infinity_literals(client: TestClient, literal: str) -> None:
    body = '{"kind": "vae", "name": "x", "dataset": "digits", "params": {"beta": ' + literal + "}}"
    response = client.post("/jobs", content=body,
                           headers={**AUTH, "content-type": "application/json"})
    assert_error(response, 422, "body", "json_invalid")


def test_uploaded_npz_keeps_its_x_test_split(client: TestClient) -> None:
    rng = np.random.default_rng(0)
    train, test = rng.integers(0, 256, (6, 2, 3), np.uint8), rng.integers(0, 256, (4, 2, 3),
                                                                           np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=train, y_train=np.arange(6), x_test=test, y_test=np.arange(4))
    response = upload(client, "split.npz", buffer.getvalue(), name="npz-split")
    assert response.status_code == 201, response.text
    assert (response.json()["n"], response.json()["n_test"]) == (6, 4)
    dataset, _ = client.app.state.datasets.load("npz-split")  # type: ignore[attr-defined]
    np.testing.assert_array_equal(dataset.examples, train)
    assert dataset.test_examples is not None
    np.testing.assert_array_equal(dataset.test_examples, test)
    split = dataset.split()
    assert split.record["published_test_split"] and split.record["n_test"] == 4


def test_uploaded_idx_training_and_test_pair_keeps_that_split(client: TestClient) -> None:
    train = np.arange(5 * 4 * 4, dtype=np.uint8).reshape(5, 4, 4)
    test = train[:3] + 1
    response = client.post(
        "/datasets", headers=AUTH, data={"name": "idx-pair"},
        files={"file": ("train-images-idx3-ubyte.gz", gzip.compress(idx(train))),
               "test_file": ("t10k-images-idx3-ubyte.gz", gzip.compress(idx(test)))},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["n"], response.json()["n_test"], response.json()["levels"]) == (
        5, 3, 256)
    dataset, _ = client.app.state.datasets.load("idx-pair")  # type: ignore[attr-defined]
    assert dataset.test_examples is not None
    np.testing.assert_array_equal(dataset.test_examples, test)
    assert dataset.split().record["published_test_split"]


def test_a_test_file_of_another_shape_is_refused(client: TestClient) -> None:
    response = client.post(
        "/datasets", headers=AUTH,
        files={"file": ("train-images-idx3-ubyte", idx(np.zeros((3, 4, 4), np.uint8))),
               "test_file": ("t10k-images-idx3-ubyte", idx(np.zeros((3, 5, 4), np.uint8)))},
    )
    assert_error(response, 422, "test_file", "same_shape")


def test_the_same_examples_without_their_split_are_another_dataset(client: TestClient) -> None:
    train = np.arange(12, dtype=np.uint8).reshape(6, 2)
    with_split = io.BytesIO()
    np.savez(with_split, x_train=train, x_test=train[:2])
    first = upload(client, "a.npz", with_split.getvalue(), name="with-split").json()
    second = upload(client, "a.npy", npy(train), name="without-split").json()
    assert first["sha256"] != second["sha256"] and second["n_test"] is None


def test_a_deflate_stream_that_is_not_deflate_is_422(client: TestClient) -> None:
    data = zipped({"x.npy": npy(np.ones((3, 2)))})
    start = 30 + len("x.npy")
    data[start : start + 8] = zlib.compress(b"")[:8]
    response = upload(client, "x.npz", bytes(data))
    assert response.status_code == 422, response.text


def test_gzipped_idx_declaring_more_than_the_limit_is_413_before_inflating() -> None:
    header = b"\x00\x00\x08\x03" + struct.pack(">III", 1_000_000, 28, 28)  # 784 MB of uint8
    data = gzip.compress(header + bytes(1 << 20))
    limits = UploadLimits.from_settings(Settings())
    refused, peak = traced_peak(lambda: parse_upload("train-images-idx3-ubyte.gz", data, limits))
    assert isinstance(refused, UploadTooLarge) and refused.rule == "max_decoded_bytes"
    assert peak < 1 << 20, f"{peak} bytes allocated to refuse it"


def test_train_and_test_files_share_one_decoded_budget() -> None:
    images = np.zeros((600, 28, 28), np.uint8)  # 470,400 bytes each
    limits = UploadLimits(max_decoded_bytes=1_000_000, max_rows=10**6, max_features=10**6,
                          max_image_pixels=4096)
    pair = ("t10k-images-idx3-ubyte.gz", gzip.compress(idx(images)))
    parsed = parse_upload("train-images-idx3-ubyte.gz", gzip.compress(idx(images)), limits, pair)
    assert parsed.test is not None and len(parsed.test) == 600
    triple = np.zeros((700, 28, 28), np.uint8)
    with pytest.raises(UploadTooLarge):
        parse_upload("train-images-idx3-ubyte", idx(triple), limits, ("t10k-idx3-ubyte",
                                                                      idx(images)))


def test_csv_rows_across_parsing_blocks_are_all_kept_in_order() -> None:
    expected = np.arange(10_000 * 3, dtype=np.float64).reshape(10_000, 3)
    data = b"a,b,c\n" + b"".join(b"%d,%d,%d\n" % tuple(row) for row in expected.astype(int))
    parsed = parse_upload("long.csv", data, UploadLimits.from_settings(Settings()))
    np.testing.assert_array_equal(parsed.array, expected)
    ragged = data + b"1,2\n"
    with pytest.raises(Exception, match="data row 10001") as info:
        parse_upload("long.csv", ragged, UploadLimits.from_settings(Settings()))
    assert getattr(info.value, "rule", None) == "rectangular"
