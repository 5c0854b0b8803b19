"""Weights on disk: ``<weights_dir>/<name>/<version>/{model.safetensors, config.json}``.

A model is published by writing it into a hidden temporary folder beside its versions and
renaming that folder into place: readers see either no version or a complete one, never half.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from models.base import CONFIG_FILE, WEIGHTS_FILE, GenerativeModel
from models.names import NAME_PATTERN, is_valid_name

__all__ = [
    "NAME_PATTERN", "VERSION_MODE", "is_valid_name", "list_versions", "publish_model",
    "remove_abandoned_staging", "write_atomic",
]

_STAGING_PREFIX = ".staging-"
VERSION_MODE = 0o755
"""A published version folder's mode, as the shipped ones have (readable by a serving user)."""


def list_versions(model_dir: Path) -> list[int]:
    """Complete versions of one model, oldest first (temporary folders are skipped)."""
    if not model_dir.is_dir():
        return []
    versions = [
        int(child.name)
        for child in model_dir.iterdir()
        if child.name.isdigit()
        and (child / CONFIG_FILE).is_file()
        and (child / WEIGHTS_FILE).is_file()
    ]
    return sorted(versions)


def publish_model(
    model: GenerativeModel, weights_dir: str | Path, name: str, *, after: int = 0,
    extra_files: Mapping[str, bytes] | None = None,
) -> int:
    """Save ``model`` as the next version of ``name`` atomically; returns the version number.

    Versions are numbered past ``after`` too (a model store continues a shipped model's
    versions). ``extra_files`` (a gate verdict, say) go into the folder before it appears.
    """
    if not is_valid_name(name):
        raise ValueError(f"model name {name!r} must match {NAME_PATTERN}")
    model_dir = Path(weights_dir) / name
    model_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=model_dir))
    try:
        model.save(staging)
        for filename, content in (extra_files or {}).items():
            (staging / filename).write_bytes(content)
        staging.chmod(VERSION_MODE)  # mkdtemp's 0700 would hide it from a serving user
        for _ in range(100):
            existing = [int(c.name) for c in model_dir.iterdir() if c.name.isdigit()]
            version = max([*existing, after]) + 1
            try:
                os.rename(staging, model_dir / str(version))
                return version
            except OSError:  # another publisher took this version first: try the next
                continue
        raise RuntimeError(f"could not publish {name}: too many concurrent publishers")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_abandoned_staging(weights_dir: str | Path, older_than_s: float = 600.0) -> list[Path]:
    """Delete staging folders left by a publisher that died mid-write; returns them.

    They are never served (no version number), only wasted space. A publisher writes its folder
    within seconds, so one untouched for ``older_than_s`` has no owner left.
    """
    root = Path(weights_dir)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_s
    removed = []
    for staging in root.glob(f"*/{_STAGING_PREFIX}*"):
        try:
            if staging.is_dir() and staging.stat().st_mtime < cutoff:
                shutil.rmtree(staging)
                removed.append(staging)
        except OSError:  # gone already (another worker swept it) or not ours to remove
            continue
    return removed


def write_atomic(path: Path, content: bytes) -> None:
    """Replace ``path`` with ``content`` in one rename: a reader sees the old or the new file."""
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
