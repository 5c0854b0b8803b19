"""Which models this process serves: every complete version under ``weights/``, on one device."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from app.errors import ModelNotFound
from models import GenerativeModel, load_model
from models.storage import is_valid_name, list_versions

__all__ = ["LoadedModel", "ModelRegistry", "resolve_device"]

logger = logging.getLogger("genserve.registry")


def resolve_device(setting: str) -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU is a configuration error."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("GENSERVE_DEVICE=cuda but no CUDA device is available")
    return torch.device(setting)


LATEST_VERSION_CHECK_S = 0.25
"""How stale "the latest version" may be: a model folder is looked at this often at most."""


def _mtime_ns(path: str | Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: int
    model: GenerativeModel
    path: Path


class ModelRegistry:
    """Loads models at startup and on ``refresh()``; lookups are by name and optional version."""

    def __init__(
        self, weights_dir: Path, device: torch.device, default_name: str | None = None
    ) -> None:
        self.weights_dir = weights_dir
        self.device = device
        self._configured_default = default_name
        self._models: dict[str, dict[int, LoadedModel]] = {}
        self.failed: dict[str, str] = {}
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._seen_mtime: dict[str, int] = {}
        self._stat_at: dict[str, float] = {}  # monotonic time of each model's last check
        self._warned_missing = False

    def refresh(self, name: str | None = None) -> list[str]:
        """Load every version on disk not loaded yet (of ``name`` only, when given).

        Cheap when nothing changed: a directory listing per model. Returns the ``name/version``
        keys added. Publishing renames a complete folder into place, so a version is either
        absent or whole here.
        """
        with self._refresh_lock:
            return self._refresh(name)

    def _refresh(self, name: str | None) -> list[str]:
        added: list[str] = []
        if not self.weights_dir.is_dir():
            if not self._warned_missing:  # rescanned every few seconds: say it once
                logger.warning("weights folder %s does not exist; no models loaded",
                               self.weights_dir)
                self._warned_missing = True
            return added
        if name is not None:
            candidates = [self.weights_dir / name] if is_valid_name(name) else []
        else:
            candidates = sorted(p for p in self.weights_dir.iterdir() if p.is_dir())
        for model_dir in candidates:
            if not is_valid_name(model_dir.name) or not model_dir.is_dir():
                continue
            self._seen_mtime[model_dir.name] = _mtime_ns(model_dir)
            for version in list_versions(model_dir):
                key = f"{model_dir.name}/{version}"
                if version in self._models.get(model_dir.name, {}) or key in self.failed:
                    continue
                path = model_dir / str(version)
                try:
                    model = load_model(path, device=self.device)
                except Exception as exc:  # a bad file must not stop the others from serving
                    self.failed[key] = f"{type(exc).__name__}: {exc}"
                    logger.error("skipping model %s: %s", key, self.failed[key])
                    continue
                with self._lock:
                    self._models.setdefault(model_dir.name, {})[version] = LoadedModel(
                        model_dir.name, version, model, path
                    )
                added.append(key)
                logger.info("loaded model %s (%s) on %s", key, model.kind, self.device)
        return added

    @property
    def default_name(self) -> str | None:
        if self._configured_default in self._models:
            return self._configured_default
        return next(iter(sorted(self._models)), None)

    def names(self) -> list[str]:
        return sorted(self._models)

    def versions(self, name: str) -> list[int]:
        return sorted(self._models.get(name, {}))

    def latest(self) -> list[LoadedModel]:
        return [self.get(name) for name in self.names()]

    def _changed_on_disk(self, name: str, version: int | None) -> bool:
        """A version we lack, or (asking for the latest) a model folder changed since a scan."""
        versions = self._models.get(name, {})
        if version is not None and version in versions:
            return False
        if not versions or version is not None:
            return True
        # At most one stat per model per interval: a syscall on the event loop lets the batching
        # thread take the GIL, and under load the loop then waits for it on every request.
        now = time.monotonic()
        if now - self._stat_at.get(name, -math.inf) < LATEST_VERSION_CHECK_S:
            return False
        self._stat_at[name] = now
        return _mtime_ns(os.path.join(self.weights_dir, name)) != self._seen_mtime.get(name)

    def get(self, name: str | None = None, version: int | None = None) -> LoadedModel:
        chosen = name or self.default_name
        if chosen is not None and is_valid_name(chosen) and self._changed_on_disk(chosen, version):
            self.refresh(chosen)  # a version published a moment ago answers at once
        if chosen is None:
            raise ModelNotFound("no models are loaded", field="model", rule="exists")
        versions = self._models.get(chosen)
        if not versions:
            raise ModelNotFound(
                f"model {chosen!r} is not loaded; available: {self.names()}",
                field="model", rule="exists",
            )
        if version is None:
            return versions[max(versions)]
        if version not in versions:
            raise ModelNotFound(
                f"model {chosen!r} has no version {version}; available: {sorted(versions)}",
                field="version", rule="exists",
            )
        return versions[version]
