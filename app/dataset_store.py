"""Data sets by name: the built-in ones, and uploads stored by content hash.

An upload is parsed (``app.dataset_files``), normalised to one array (``x``, plus ``x_test`` when
the upload has a published test split) and written once to ``<data_dir>/datasets/<sha256>.npz``,
where ``sha256`` hashes those arrays (dtype, shape and bytes), so the same examples uploaded as
CSV or ``.npy`` are one file. A SQL record maps the name to the
hash with its shape, size and levels. Workers resolve names here too, so a job records exactly
which data trained its model.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from app.dataset_files import ParsedData, UploadLimits, parse_upload
from app.errors import InvalidInput, ServiceError
from app.jobs import records
from app.jobs.schemas import DatasetSummary
from models.datasets import BUILTIN_DATASETS, Dataset, load_array_file, load_dataset
from models.names import NAME_RULE, is_valid_name

__all__ = ["DatasetConflict", "DatasetInfo", "DatasetNotFound", "DatasetStore", "array_sha256"]


class DatasetNotFound(ServiceError):
    status_code = 404
    error_type = "dataset_not_found"


class DatasetConflict(ServiceError):
    status_code = 409
    error_type = "conflict"


DatasetInfo = DatasetSummary
"""What the store knows of a data set is exactly what the API answers about it."""


def array_sha256(
    array: NDArray[Any], test: NDArray[Any] | None = None, *,
    labels: dict[str, Any] | None = None,
) -> str:
    """Hash of an array's dtype, shape and C-ordered bytes (then the test split's, if any, then
    the labels' arrays by name: the same examples labelled otherwise are other data)."""
    digest = hashlib.sha256(f"{array.dtype.str}|{list(array.shape)}|".encode())
    digest.update(np.ascontiguousarray(array).reshape(-1).view(np.uint8).data)  # no copy
    if test is not None:
        digest.update(f"|test|{test.dtype.str}|{list(test.shape)}|".encode())
        digest.update(np.ascontiguousarray(test).reshape(-1).view(np.uint8).data)
    for key, value in sorted((labels or {}).items()):
        value = np.asarray(value)
        digest.update(f"|{key}|{value.dtype.str}|{list(value.shape)}|".encode())
        digest.update(np.ascontiguousarray(value).reshape(-1).view(np.uint8).data)
    return digest.hexdigest()


def _label_arrays(parsed: ParsedData) -> dict[str, Any]:
    """``y``, ``y_test`` (class indices) and ``classes`` (names), as the store keeps them."""
    if parsed.labels is None or parsed.classes is None:
        return {}
    arrays: dict[str, Any] = {"y": parsed.labels, "classes": np.array(parsed.classes)}
    if parsed.test_labels is not None:
        arrays["y_test"] = parsed.test_labels
    return arrays


@functools.lru_cache(maxsize=len(BUILTIN_DATASETS))
def _builtin_info(name: str) -> DatasetInfo:
    dataset = load_dataset(name)
    return DatasetInfo(
        name=name, builtin=True, sha256=array_sha256(dataset.examples),
        shape=list(dataset.shape), n=len(dataset.examples), levels=dataset.levels,
        dtype=str(dataset.examples.dtype),
        classes=list(dataset.classes) if dataset.classes is not None else None,
    )


def _record_info(
    record: records.DatasetRecord, n_test: int | None = None, classes: list[str] | None = None
) -> DatasetInfo:
    return DatasetInfo(
        name=record.name, builtin=False, sha256=record.sha256, shape=list(record.shape),
        n=record.n, n_test=n_test, levels=record.levels, dtype=record.dtype,
        format=record.format, filename=record.filename, size_bytes=record.size_bytes,
        classes=classes,
    )


def _classes(path: Path) -> list[str] | None:
    """The stored class names (a small array of strings the store wrote); None without."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("classes.npy") as stream:
            names = np.lib.format.read_array(stream, allow_pickle=False)
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return None
    return [str(name) for name in names]


def _test_rows(path: Path) -> int | None:
    """Rows of the stored ``x_test``, read from its ``.npy`` header; None without one."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("x_test.npy") as stream:
            version = np.lib.format.read_magic(stream)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape = read(stream)[0]
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return None
    return int(shape[0])


class DatasetStore:
    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.root = data_dir / "datasets"

    def path(self, sha256: str) -> Path:
        return self.root / f"{sha256}.npz"

    def list(self) -> list[DatasetInfo]:
        builtins = [_builtin_info(name) for name in sorted(BUILTIN_DATASETS)]
        return builtins + [self._info(r) for r in records.list_datasets(self.engine)]

    def _info(self, record: records.DatasetRecord) -> DatasetInfo:
        path = self.path(record.sha256)
        return _record_info(record, _test_rows(path), _classes(path))

    def info(self, name: str, *, field: str = "dataset") -> DatasetInfo:
        if name in BUILTIN_DATASETS:
            return _builtin_info(name)
        record = records.get_dataset(self.engine, name) if is_valid_name(name) else None
        if record is None:
            known = sorted(BUILTIN_DATASETS) + [r.name for r in records.list_datasets(self.engine)]
            raise DatasetNotFound(
                f"unknown dataset {name!r}: use one of {known} or upload it with POST /datasets",
                field=field, rule="exists",
            )
        return self._info(record)

    def load(self, name: str) -> tuple[Dataset, DatasetInfo]:
        """The examples for training, with the record that names their hash."""
        info = self.info(name)
        if info.builtin:
            dataset = load_dataset(name)
            return dataset, info.model_copy(update={"sha256": array_sha256(dataset.examples)})
        dataset = load_array_file(self.path(info.sha256), key="x")
        source = {"origin": "upload", "sha256": info.sha256, "filename": info.filename}
        return dataclasses.replace(dataset, name=name, source=source), info

    def add(
        self, filename: str, data: bytes, name: str | None, limits: UploadLimits,
        test_file: tuple[str, bytes] | None = None, **labels: Any,
    ) -> tuple[DatasetInfo, bool]:
        """Parse, store and record an upload (with its test split and its labels, if it has
        them: ``labels`` are :func:`parse_upload`'s keywords); returns its info and whether it
        is new."""
        name = name if name is not None else _name_from(filename)
        if not is_valid_name(name):
            raise InvalidInput(
                f"dataset name {name[:80]!r} is not valid: {NAME_RULE}",
                field="name", rule="pattern",
            )
        if name in BUILTIN_DATASETS:
            raise DatasetConflict(
                f"{name!r} is a built-in dataset; choose another name", field="name",
                rule="unique",
            )
        parsed = parse_upload(filename, data, limits, test_file, **labels)
        label_arrays = _label_arrays(parsed)
        sha256 = array_sha256(parsed.array, parsed.test, labels=label_arrays)
        existing = records.get_dataset(self.engine, name)
        if existing is not None:
            return self._same_or_conflict(existing, sha256)
        self._write(sha256, parsed.array, parsed.test, label_arrays)
        record = records.DatasetRecord(
            name=name, sha256=sha256, shape=[int(s) for s in parsed.array.shape[1:]],
            n=int(parsed.array.shape[0]), levels=parsed.levels, dtype=str(parsed.array.dtype),
            format=parsed.format, filename=filename[:255],
            upload_sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
            created_at=records.utcnow(),
        )
        try:
            records.add_dataset(self.engine, record)
        except IntegrityError:  # the same name was added meanwhile
            existing = records.get_dataset(self.engine, name)
            assert existing is not None
            return self._same_or_conflict(existing, sha256)
        return self._info(record), True

    def _same_or_conflict(
        self, existing: records.DatasetRecord, sha256: str
    ) -> tuple[DatasetInfo, bool]:
        if existing.sha256 == sha256:
            return self._info(existing), False
        raise DatasetConflict(
            f"dataset {existing.name!r} exists with other data (sha256 {existing.sha256[:12]}...); "
            "upload under another name",
            field="name", rule="unique",
        )

    def _write(
        self, sha256: str, array: NDArray[Any], test: NDArray[Any] | None,
        labels: dict[str, Any] | None = None,
    ) -> None:
        """Write ``<sha256>.npz`` atomically (temporary file, then rename); once per content."""
        target = self.path(sha256)
        if target.is_file():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".upload-", suffix=".npz", dir=self.root)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                arrays = {"x": array} if test is None else {"x": array, "x_test": test}
                arrays.update(labels or {})
                np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


def _name_from(filename: str) -> str:
    """``Train-Images-idx3-ubyte.gz`` -> ``train-images-idx3-ubyte``."""
    base = Path(filename.replace("\\", "/")).name.lower()
    for suffix in (".gz", ".npy", ".npz", ".csv", ".zip"):
        base = base.removesuffix(suffix)
    cleaned = "".join(c if c.isascii() and c.isalnum() or c in "-_." else "-" for c in base)
    while ".." in cleaned:
        cleaned = cleaned.replace("..", ".")
    return cleaned.strip("-_.")[:63].rstrip("-_.") or "dataset"
