"""Datasets to train on: the built-in ones and uploads. API key only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from app.auth import RequireAPIKey
from app.dataset_files import UploadLimits, UploadTooLarge
from app.dataset_store import DatasetStore
from app.deps import SettingsDep
from app.jobs.schemas import DatasetList, DatasetSummary
from app.jobs.service import require_job_store
from models.names import Name

router = APIRouter(prefix="/datasets", tags=["datasets"], dependencies=[RequireAPIKey])


def _store(request: Request) -> DatasetStore:
    store: DatasetStore | None = request.app.state.datasets
    return require_job_store(store, request)


StoreDep = Annotated[DatasetStore, Depends(_store)]


@router.get("", response_model=DatasetList)
def list_datasets(store: StoreDep) -> DatasetList:
    return DatasetList(datasets=store.list())


@router.get("/{name}", response_model=DatasetSummary)
def get_dataset(name: str, store: StoreDep) -> DatasetSummary:
    return store.info(name, field="name")


@router.post(
    "", status_code=201, response_model=DatasetSummary,
    responses={200: {"model": DatasetSummary, "description": "The same data, uploaded before"}},
)
def upload_dataset(
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(
        description="The file name's suffix says the format: .npy, .npz (array x, optionally "
        "x_test), .csv, .zip of PNGs, or MNIST IDX (.idx, -ubyte, optionally .gz); other bytes "
        "are refused."
    )],
    name: Annotated[Name | None, Form(
        description="Lower case, digits, -_. and not a built-in "
        "dataset's name; defaults to the file name's stem."
    )] = None,
    test_file: Annotated[
        UploadFile | None,
        File(description="The published test split, in the same format (e.g. MNIST's "
             "t10k-images-idx3-ubyte.gz beside train-images); an .npz brings its own x_test"),
    ] = None,
    labels_file: Annotated[
        UploadFile | None,
        File(description="One label per training example: IDX (MNIST's "
             "train-labels-idx1-ubyte.gz) or a 1-D .npy; an .npz brings its own y_train/y, a "
             "CSV its label column, a zip of PNGs its class folders"),
    ] = None,
    test_labels_file: Annotated[
        UploadFile | None,
        File(description="One label per test_file example (e.g. t10k-labels-idx1-ubyte.gz)"),
    ] = None,
    label_column: Annotated[str | None, Form(
        max_length=200,
        description="CSV only: the column holding integer class labels, by header name or "
        "0-based index; by default a header cell named label or y",
    )] = None,
) -> JSONResponse:
    """Parse, check and store an upload under its content hash."""
    limit = settings.max_upload_bytes
    data = _read_limited(file, limit, "file")
    used = len(data)
    extra: dict[str, tuple[str, bytes] | None] = {}
    for field, upload in (("test_file", test_file), ("labels_file", labels_file),
                          ("test_labels_file", test_labels_file)):
        if upload is not None:
            content = _read_limited(upload, limit - used, field)
            used += len(content)
            extra[field] = (upload.filename or field, content)
    info, created = store.add(
        file.filename or "upload", data, name, UploadLimits.from_settings(settings),
        extra.pop("test_file", None), label_column=label_column, **extra,
    )
    body = info.model_dump(mode="json")
    return JSONResponse(body, status_code=201 if created else 200)


def _read_limited(upload: UploadFile, limit: int, field: str) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            f"the upload is over the limit of {limit} bytes "
            "(GENSERVE_MAX_UPLOAD_BYTES, files together)",
            field=field, rule="max_upload_bytes",
        )
    return data
