"""Which models this process serves: every complete version under ``weights/``, on one device."""

from __future__ import annotations

import logging
import threading
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

    def refresh(self) -> list[str]:
        """Load every version on disk not loaded yet; returns the ``name/version`` keys added."""
        added: list[str] = []
        if not self.weights_dir.is_dir():
            logger.warning("weights folder %s does not exist; no models loaded", self.weights_dir)
            return added
        for model_dir in sorted(p for p in self.weights_dir.iterdir() if p.is_dir()):
            if not is_valid_name(model_dir.name):
                continue
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

    def get(self, name: str | None = None, version: int | None = None) -> LoadedModel:
        chosen = name or self.default_name
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
