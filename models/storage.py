"""Weights on disk: ``<weights_dir>/<name>/<version>/{model.safetensors, config.json}``.

A model is published by writing it into a hidden temporary folder beside its versions and
renaming that folder into place: readers see either no version or a complete one, never half.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from models.base import CONFIG_FILE, WEIGHTS_FILE, GenerativeModel
from models.names import NAME_PATTERN, is_valid_name

__all__ = [
    "NAME_PATTERN", "is_valid_name", "list_versions", "publish_model", "remove_abandoned_staging",
]

_STAGING_PREFIX = ".staging-"


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


def publish_model(model: GenerativeModel, weights_dir: str | Path, name: str) -> int:
    """Save ``model`` as the next version of ``name`` atomically; returns the version number."""
    if not is_valid_name(name):
        raise ValueError(f"model name {name!r} must match {NAME_PATTERN}")
    model_dir = Path(weights_dir) / name
    model_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=model_dir))
    try:
        model.save(staging)
        for _ in range(100):
            existing = [int(c.name) for c in model_dir.iterdir() if c.name.isdigit()]
            version = max(existing, default=0) + 1
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
