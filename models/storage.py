"""Weights on disk: ``<weights_dir>/<name>/<version>/{model.safetensors, config.json}``.

A model is published by writing it into a hidden temporary folder beside its versions and
renaming that folder into place: readers see either no version or a complete one, never half.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from models.base import CONFIG_FILE, WEIGHTS_FILE, GenerativeModel

__all__ = ["NAME_PATTERN", "is_valid_name", "list_versions", "publish_model"]

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,62}$"
_NAME = re.compile(NAME_PATTERN)


def is_valid_name(name: str) -> bool:
    """Safe model and dataset names: lower-case, digits, ``-_.``; no path separators."""
    return bool(_NAME.match(name)) and ".." not in name


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
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=model_dir))
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
