"""Labels travel from every dataset format to the store, the model card and the latent view.

Each format's labels are uploaded, read back through the store and compared with the labels
sent, by class name; a count that does not match the examples is a 422 naming the field.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH
from PIL import Image

from app import visuals
from app.dataset_store import DatasetStore
from app.registry import LoadedModel
from models import load_model
from models.datasets import UnknownDataset, load_dataset
from models.training import VAETrainingOptions, train_vae
from models.vae import VAEHyperparameters

pytestmark = pytest.mark.job_settings(embedded_worker=False)

REPO_ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(0)
TRAIN = RNG.integers(0, 256, (40, 6, 6)).astype(np.uint8)
TEST = RNG.integers(0, 256, (12, 6, 6)).astype(np.uint8)
Y_TRAIN = RNG.choice([3, 5, 7], 40)
Y_TEST = RNG.choice([3, 5, 7], 12)


@pytest.fixture(scope="module")
def store(job_client: TestClient) -> DatasetStore:
    return job_client.app.state.datasets  # type: ignore[no-any-return,attr-defined]


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def idx(array: np.ndarray) -> bytes:
    header = b"\x00\x00\x08" + bytes([array.ndim]) + b"".join(
        struct.pack(">I", s) for s in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def png_zip(images: np.ndarray, folders: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (image, folder) in enumerate(zip(images, folders, strict=True)):
            png = io.BytesIO()
            Image.fromarray(image, mode="L").save(png, format="PNG")
            archive.writestr(f"pets/{folder}/{i:03d}.png", png.getvalue())
    return buffer.getvalue()


def upload(client: TestClient, name: str, files: dict[str, Any], **data: str) -> Any:
    return client.post("/datasets", files=files, data={"name": name, **data}, headers=AUTH)


def class_names(store: DatasetStore, name: str) -> tuple[list[str], list[str] | None]:
    """The stored labels as class names: training examples, then the test split's."""
    dataset, _ = store.load(name)
    assert dataset.classes is not None and dataset.labels is not None
    names = np.asarray(dataset.classes)
    test = None if dataset.test_labels is None else names[dataset.test_labels].tolist()
    return names[dataset.labels].tolist(), test


def as_names(values: np.ndarray) -> list[str]:
    return [str(v) for v in values]


def test_npz_labels_and_test_labels_round_trip(job_client: TestClient, store: DatasetStore) -> None:
    body = npz(x_train=TRAIN, y_train=Y_TRAIN, x_test=TEST, y_test=Y_TEST)
    response = upload(job_client, "pets-npz", {"file": ("pets.npz", body)})
    assert response.status_code == 201, response.text
    assert response.json()["classes"] == ["3", "5", "7"] and response.json()["n_test"] == 12
    assert job_client.get("/datasets/pets-npz", headers=AUTH).json()["classes"] == ["3", "5", "7"]
    assert class_names(store, "pets-npz") == (as_names(Y_TRAIN), as_names(Y_TEST))


def test_npz_y_beside_x_is_taken_as_the_labels(job_client: TestClient, store: DatasetStore) -> None:
    response = upload(job_client, "plain-npz", {"file": ("plain.npz", npz(x=TRAIN, y=Y_TRAIN))})
    assert response.status_code == 201, response.text
    assert class_names(store, "plain-npz") == (as_names(Y_TRAIN), None)


def test_the_same_examples_labelled_otherwise_are_other_data(job_client: TestClient) -> None:
    a = upload(job_client, "label-a", {"file": ("a.npz", npz(x=TRAIN, y=Y_TRAIN))}).json()
    b = upload(job_client, "label-b", {"file": ("b.npz", npz(x=TRAIN, y=Y_TRAIN[::-1]))}).json()
    c = upload(job_client, "label-c", {"file": ("c.npz", npz(x=TRAIN))}).json()
    assert len({a["sha256"], b["sha256"], c["sha256"]}) == 3 and c["classes"] is None


def test_idx_labels_files_beside_the_images_round_trip(
    job_client: TestClient, store: DatasetStore
) -> None:
    files = {
        "file": ("train-images-idx3-ubyte.gz", gzip.compress(idx(TRAIN))),
        "labels_file": ("train-labels-idx1-ubyte.gz", gzip.compress(idx(Y_TRAIN))),
        "test_file": ("t10k-images-idx3-ubyte", idx(TEST)),
        "test_labels_file": ("t10k-labels-idx1-ubyte", idx(Y_TEST)),
    }
    response = upload(job_client, "pets-idx", files)
    assert response.status_code == 201, response.text
    assert response.json()["classes"] == ["3", "5", "7"]
    assert class_names(store, "pets-idx") == (as_names(Y_TRAIN), as_names(Y_TEST))


def test_a_labels_file_may_be_a_1d_npy(job_client: TestClient, store: DatasetStore) -> None:
    buffer = io.BytesIO()
    np.save(buffer, Y_TRAIN)
    files = {"file": ("train-images-idx3-ubyte", idx(TRAIN)),
             "labels_file": ("labels.npy", buffer.getvalue())}
    response = upload(job_client, "npy-labels", files)
    assert response.status_code == 201, response.text
    assert class_names(store, "npy-labels") == (as_names(Y_TRAIN), None)


def test_csv_label_column_by_name_leaves_the_features(
    job_client: TestClient, store: DatasetStore
) -> None:
    rows = "".join(f"{i},{i * 2},{y}\n" for i, y in enumerate(Y_TRAIN))
    response = upload(job_client, "csv-named", {"file": ("t.csv", ("a,b,kind\n" + rows).encode())},
                      label_column="kind")
    assert response.status_code == 201, response.text
    assert response.json()["shape"] == [2] and response.json()["classes"] == ["3", "5", "7"]
    assert class_names(store, "csv-named") == (as_names(Y_TRAIN), None)
    dataset, _ = store.load("csv-named")
    assert dataset.examples[:, 1].tolist() == [2.0 * i for i in range(40)]


def test_csv_header_named_label_is_the_label_column_by_default(
    job_client: TestClient, store: DatasetStore
) -> None:
    rows = "".join(f"{y},{i}\n" for i, y in enumerate(Y_TRAIN))
    response = upload(job_client, "csv-default", {"file": ("t.csv", ("label,a\n" + rows).encode())})
    assert response.status_code == 201, response.text
    assert response.json()["shape"] == [1]
    assert class_names(store, "csv-default") == (as_names(Y_TRAIN), None)


def test_csv_x_y_points_stay_unlabelled(job_client: TestClient) -> None:
    response = upload(job_client, "csv-points", {"file": ("p.csv", b"x,y\n0.5,1.5\n2.5,3.5\n")})
    assert response.status_code == 201, response.text
    assert response.json()["shape"] == [2] and response.json()["classes"] is None


def test_png_zip_folders_are_the_class_names(job_client: TestClient, store: DatasetStore) -> None:
    folders = ["dog" if y == 3 else "cat" if y == 5 else "10" for y in Y_TRAIN]
    response = upload(job_client, "pets-zip", {"file": ("pets.zip", png_zip(TRAIN, folders))})
    assert response.status_code == 201, response.text
    assert response.json()["classes"] == ["10", "cat", "dog"]
    train, _ = class_names(store, "pets-zip")
    order = np.argsort([f"pets/{f}/{i:03d}.png" for i, f in enumerate(folders)], kind="stable")
    assert train == [folders[i] for i in order]  # members are read in name order


def test_digits_keep_their_targets(job_client: TestClient) -> None:
    from sklearn.datasets import load_digits

    assert job_client.get("/datasets/digits", headers=AUTH).json()["classes"] == [
        str(d) for d in range(10)
    ]
    dataset = load_dataset("digits")
    assert dataset.labels is not None
    assert np.array_equal(dataset.labels, load_digits().target)


@pytest.mark.parametrize(
    ("files", "data", "field"),
    [
        ({"file": ("a.npz", npz(x=TRAIN, y=Y_TRAIN[:-1]))}, {}, "file"),
        ({"file": ("a.npz", npz(x_train=TRAIN, y_train=Y_TRAIN, x_test=TEST,
                                y_test=Y_TEST[:5]))}, {}, "file"),
        ({"file": ("train-images-idx3-ubyte", idx(TRAIN)),
          "labels_file": ("train-labels-idx1-ubyte", idx(Y_TRAIN[:30]))}, {}, "labels_file"),
        ({"file": ("train-images-idx3-ubyte", idx(TRAIN)),
          "labels_file": ("train-labels-idx1-ubyte", idx(Y_TRAIN)),
          "test_file": ("t10k-images-idx3-ubyte", idx(TEST)),
          "test_labels_file": ("t10k-labels-idx1-ubyte", idx(Y_TEST[:3]))}, {},
         "test_labels_file"),
    ],
)
def test_a_label_count_that_is_not_the_example_count_is_a_422_naming_the_field(
    job_client: TestClient, files: dict[str, Any], data: dict[str, str], field: str
) -> None:
    response = upload(job_client, "mismatch", files, **data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == (field, "label_count")
    assert "labels for" in error["message"]


@pytest.mark.parametrize(
    ("files", "data", "field", "rule"),
    [
        ({"file": ("a.csv", b"a,b\n1,2\n3,4\n")}, {"label_column": "c"}, "label_column",
         "label_column"),
        ({"file": ("a.npy", b"\x93NUMPY")}, {"label_column": "c"}, "label_column", "csv_only"),
        ({"file": ("a.csv", b"a,label\n1,2.5\n3,4\n")}, {}, "file", "labels"),
        ({"file": ("a.npz", npz(x=TRAIN, y=Y_TRAIN))},
         {}, "labels_file", "one_label_source"),
    ],
)
def test_labels_that_cannot_be_taken_are_a_422_naming_the_field(
    job_client: TestClient, files: dict[str, Any], data: dict[str, str], field: str, rule: str
) -> None:
    if field == "labels_file":
        files = {**files, "labels_file": ("train-labels-idx1-ubyte", idx(Y_TRAIN))}
    response = upload(job_client, "refused", files, **data)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == (field, rule)


def test_labels_files_beside_idx_images_on_disk_are_read(tmp_path: Path) -> None:
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(TRAIN)))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(Y_TRAIN)))
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx(TEST))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx(Y_TEST))
    dataset = load_dataset(str(tmp_path))
    assert dataset.classes == ("3", "5", "7")
    names = np.asarray(dataset.classes)
    assert names[dataset.labels].tolist() == as_names(Y_TRAIN)
    assert names[dataset.test_labels].tolist() == as_names(Y_TEST)


def test_a_regression_target_named_y_in_an_npz_on_disk_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "points.npz"
    np.savez(path, x=RNG.normal(size=(10, 2)), y=RNG.normal(size=10))
    dataset = load_dataset(str(path))
    assert dataset.labels is None and len(dataset.examples) == 10


def test_the_reference_of_a_model_trained_on_a_labelled_upload_uses_its_test_labels(
    job_client: TestClient, store: DatasetStore, tmp_path: Path
) -> None:
    body = npz(x_train=TRAIN, y_train=Y_TRAIN, x_test=TEST, y_test=Y_TEST)
    assert upload(job_client, "ref-npz", {"file": ("ref.npz", body)}).status_code in (200, 201)
    dataset, _ = store.load("ref-npz")
    model = train_vae(
        dataset, VAEHyperparameters(latent_dim=2, hidden_sizes=[8]),
        VAETrainingOptions(epochs=1, batch_size=16, eval_importance_samples=2),
    )
    card = model.config_dict()["data"]
    assert card["classes"] == ["3", "5", "7"] and card["dataset"] == "ref-npz"
    model.save(tmp_path / "1")
    loaded = LoadedModel("ref-vae", 1, load_model(tmp_path / "1"), tmp_path / "1")
    assert loaded.model.data.classes == ["3", "5", "7"]  # the card survives a save and load
    latent = visuals.reference(loaded, 1, lambda name: store.load(name)[0])["latent"]
    assert latent["labels_source"] == "dataset" and latent["classes"] == ["3", "5", "7"]
    assert np.asarray(latent["classes"])[latent["labels"]].tolist() == as_names(Y_TEST)


def _no_data(name: str) -> Any:
    raise UnknownDataset(name)


def test_the_shipped_mnist_vae_colours_its_samples_by_the_classifiers_digit() -> None:
    path = REPO_ROOT / "weights" / "mnist-vae" / "2"
    loaded = LoadedModel("mnist-vae", 2, load_model(path), path)
    classifier = REPO_ROOT / "weights" / visuals.CLASSIFIER
    body = visuals.reference(loaded, 1, _no_data, classifier)
    latent = body["latent"]
    assert body["source"] == "model samples"
    assert latent["labels_source"] == "classifier prediction"
    assert latent["classes"] == [str(d) for d in range(10)]
    assert len(latent["labels"]) == len(latent["points"])
    assert len(set(np.asarray(latent["labels"]).tolist())) >= 5  # samples of many digits
    without = visuals.reference(loaded, 1, _no_data)["latent"]
    assert without["labels"] is None and without["labels_source"] is None
