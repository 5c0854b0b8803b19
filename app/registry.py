"""Which models this process serves: every complete version of the shipped ``weights/`` and of
the model store, on one device, with each model's aliases (``stable`` and named ones)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from starlette.concurrency import run_in_threadpool

from app.admission import row_cost
from app.errors import ModelNotFound, clip
from app.gate import GateVerdict
from app.model_store import STABLE, ModelStore, is_valid_alias, resolve_stable
from models import CONFIG_FILE, WEIGHTS_FILE, GenerativeModel, load_model
from models.storage import is_valid_name

__all__ = ["LoadedModel", "ModelRegistry", "VersionRef", "resolve_device"]

logger = logging.getLogger("genserve.registry")


def resolve_device(setting: str) -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU is a configuration error."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("GENSERVE_DEVICE=cuda but no CUDA device is available")
    return torch.device(setting)


LATEST_VERSION_CHECK_S = 0.25
"""How often the watcher thread looks at loaded models' folders: how stale "the stable version"
(a newly promoted version, a moved alias) may be, beside the time to load a new version."""

VersionRef = int | str | None
"""A version number, an alias name (``stable``, ``best``), or None for ``stable``."""


def _stat_key(path: str | Path) -> tuple[int, int, int]:
    """Changes when a file or folder is replaced or written: inode, mtime, size."""
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _files_key(path: Path) -> tuple[tuple[int, int, int], ...]:
    """A version's files as they are now: a failed version is tried again when this changes."""
    return tuple(_stat_key(path / f) for f in (CONFIG_FILE, WEIGHTS_FILE))


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: int
    model: GenerativeModel
    path: Path
    gate: GateVerdict | None = None
    """The gate's verdict when the version was published; None for shipped versions."""

    @property
    def promoted(self) -> bool:
        return self.gate is None or self.gate.promoted


class ModelRegistry:
    """Loads models at startup and on ``refresh()``; lookups by name and version or alias.

    Two sides that never wait for each other. The disk side (:meth:`refresh`, :meth:`poll`)
    stats folders and loads weights, on the watcher thread or a worker thread, one pass at a
    time. The request side (:meth:`get`, :meth:`names`, :meth:`aliases`...) reads only memory:
    the disk side publishes each change by swapping in a new mapping, so a lookup never takes
    a lock that is held across disk I/O, and a request for a loaded model never waits on a load.
    """

    def __init__(
        self, weights_dir: Path, device: torch.device, default_name: str | None = None,
        store_dir: Path | None = None,
    ) -> None:
        self.weights_dir = weights_dir
        self.store = ModelStore(weights_dir, store_dir if store_dir is not None else weights_dir)
        self.device = device
        self._configured_default = default_name
        self._models: dict[str, dict[int, LoadedModel]] = {}
        self._aliases: dict[str, dict[str, int]] = {}
        self.failed: dict[str, str] = {}
        self._failed_files: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._seen: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self._aliases_seen: dict[str, tuple[int, int, int]] = {}
        self._watcher: threading.Thread | None = None
        self._stop_watching = threading.Event()
        self._warned_missing = False

    def refresh(self, name: str | None = None) -> list[str]:
        """Load every version on disk not loaded yet (of ``name`` only, when given), retry
        failed ones whose files changed, and re-read aliases files that changed.

        Cheap when nothing changed: a directory listing per model. Returns the ``name/version``
        keys added. Publishing renames a complete folder into place, so a version is either
        absent or whole here.
        """
        with self._refresh_lock:
            return self._refresh(name)

    def _folders_key(self, name: str) -> tuple[tuple[int, int, int], ...]:
        return tuple(_stat_key(folder) for folder in self.store.model_dirs(name))

    def _refresh(self, name: str | None) -> list[str]:
        added: list[str] = []
        if not self.weights_dir.is_dir() and not self.store.store.is_dir():
            if not self._warned_missing:  # rescanned every few seconds: say it once
                logger.warning("weights folder %s does not exist; no models loaded",
                               self.weights_dir)
                self._warned_missing = True
            return added
        if name is not None:
            names = [name] if is_valid_name(name) else []
        else:
            names = self.store.names()
        for model_name in names:
            self._seen[model_name] = self._folders_key(model_name)
            for version, path in self.store.version_dirs(model_name).items():
                key = f"{model_name}/{version}"
                if version in self._models.get(model_name, {}):
                    continue
                files = _files_key(path)
                if key in self.failed:
                    if self._failed_files.get(key) == files:
                        continue
                    logger.info("model %s changed on disk since it failed to load: retrying", key)
                if self._load(model_name, version, path, files):
                    added.append(key)
            self._read_aliases(model_name)
        return added

    def _load(
        self, name: str, version: int, path: Path, files: tuple[tuple[int, int, int], ...]
    ) -> bool:
        key = f"{name}/{version}"
        try:
            model = load_model(path, device=self.device)
            row_cost(model)  # counted here, off the event loop, not at the first request
        except Exception as exc:  # a bad file must not stop the others from serving
            with self._lock:
                self.failed = {**self.failed, key: f"{type(exc).__name__}: {exc}"}
            self._failed_files[key] = files
            logger.error("skipping model %s: %s", key, self.failed[key])
            return False
        loaded = LoadedModel(name, version, model, path, self.store.gate(path))
        with self._lock:  # held for the swap only: readers see the old mapping or the new one
            self._models = {**self._models, name: {**self._models.get(name, {}), version: loaded}}
            self.failed = {k: v for k, v in self.failed.items() if k != key}
            self._failed_files.pop(key, None)
        logger.info("loaded model %s (%s) on %s", key, model.kind, self.device)
        return True

    def _read_aliases(self, name: str) -> None:
        seen = _stat_key(self.store.aliases_path(name))
        if self._aliases_seen.get(name) != seen:
            self._aliases = {**self._aliases, name: self.store.aliases(name)}
            self._aliases_seen[name] = seen

    @property
    def default_name(self) -> str | None:
        if self._configured_default in self._models:
            return self._configured_default
        served = [n for n in self.names() if self.stable_version(n) is not None]
        return served[0] if served else next(iter(self.names()), None)

    def names(self) -> list[str]:
        return sorted(self._models)

    def versions(self, name: str) -> list[int]:
        return sorted(self._models.get(name, {}))

    def loaded_versions(self, name: str) -> list[LoadedModel]:
        versions = self._models.get(name, {})
        return [versions[v] for v in sorted(versions)]

    def stable_version(self, name: str) -> int | None:
        """What a request without a version gets: see :func:`app.model_store.resolve_stable`."""
        versions = self._models.get(name, {})
        return resolve_stable(
            {v: m.promoted for v, m in versions.items()}, self._aliases.get(name, {})
        )

    def aliases(self, name: str) -> dict[str, int]:
        """``stable`` (when some version is) and every alias set on ``name``."""
        aliases = dict(self._aliases.get(name, {}))
        stable = self.stable_version(name)
        if stable is None:
            aliases.pop(STABLE, None)
        else:
            aliases[STABLE] = stable
        return dict(sorted(aliases.items()))

    def current(self, name: str) -> LoadedModel:
        """The stable version, else (no version passed its gate) the newest: for listings."""
        versions = self._models[name]
        stable = self.stable_version(name)
        return versions[stable if stable is not None else max(versions)]

    def latest(self) -> list[LoadedModel]:
        return [self.current(name) for name in self.names() if self._models.get(name)]

    def servable(self) -> list[LoadedModel]:
        """Each model that answers a request without a version, at its stable version. A name
        whose versions were all held back by the gate is loaded but not servable: it answers
        only requests that name a version."""
        models = self._models
        found = [(name, self.stable_version(name)) for name in sorted(models)]
        return [models[name][v] for name, v in found if v is not None and v in models[name]]

    def poll(self) -> list[str]:
        """Re-scan each loaded model whose folders changed (a new version, a moved alias); a
        stat per folder otherwise. The watcher thread calls it, so requests never do."""
        added: list[str] = []
        for name in list(self._models):
            if self._folders_key(name) != self._seen.get(name):
                added.extend(self.refresh(name))
        return added

    def start_watching(self, interval: float = LATEST_VERSION_CHECK_S) -> None:
        """Poll for changes every ``interval`` seconds on a thread of its own: stats and loads
        of new versions of loaded models stay off the event loop."""
        if self._watcher is not None:
            return
        self._stop_watching.clear()
        self._watcher = threading.Thread(
            target=self._watch, args=(interval,), name="registry-watch", daemon=True
        )
        self._watcher.start()

    def stop_watching(self) -> None:
        self._stop_watching.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
            self._watcher = None

    def _watch(self, interval: float) -> None:
        while not self._stop_watching.wait(interval):
            try:
                added = self.poll()
                if added:
                    logger.info("loaded new model version(s): %s", ", ".join(added))
            except Exception:  # a passing disk error must not end the watch
                logger.exception("registry watch pass failed")

    def needs_disk(self, name: str | None, version: VersionRef = None) -> bool:
        """Whether :meth:`get` would go to the disk: the model, or the numbered version, is not
        loaded yet. Never true for what a loaded model already serves."""
        chosen = name or self.default_name
        if chosen is None or not is_valid_name(chosen):
            return False
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        known = self._models.get(chosen, {})
        return not known or (isinstance(version, int) and version not in known)

    async def ensure(self, name: str | None, version: VersionRef = None) -> None:
        """Load what :meth:`get` would load, on a worker thread: an async caller awaits this
        first, so even a version not loaded yet keeps the event loop free while it loads."""
        if self.needs_disk(name, version):
            chosen = name or self.default_name
            await run_in_threadpool(self.refresh, chosen)

    async def resolve(
        self, name: str | None = None, version: VersionRef = None, *, or_newest: bool = False
    ) -> LoadedModel:
        """:meth:`get` for async callers (requests): a model or version not loaded yet is
        loaded on a worker thread, so no request holds the event loop on the disk."""
        await self.ensure(name, version)
        return self.get(name, version, or_newest=or_newest)

    def get(
        self, name: str | None = None, version: VersionRef = None, *, or_newest: bool = False
    ) -> LoadedModel:
        """``name`` (default: the default model) at ``version``: a number, an alias, or None
        for ``stable``; with ``or_newest``, None falls back to the newest version when none is
        stable (a description of the model, not an answer from it).

        Memory only, never the disk: what is not loaded yet is not found. Requests come through
        :meth:`resolve`, which loads it on a worker thread first; synchronous callers call
        :meth:`refresh` first."""
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        number = version if isinstance(version, int) else None
        chosen = name or self.default_name
        if chosen is None:
            raise ModelNotFound("no models are loaded", field="model", rule="exists")
        versions = self._models.get(chosen)
        if not versions:
            raise ModelNotFound(
                f"model {clip(chosen)!r} is not loaded; available: {self.names()}",
                field="model", rule="exists",
            )
        if number is None and version is None and or_newest:
            return self.current(chosen)
        if number is None:
            number = self._resolve_alias(chosen, version if isinstance(version, str) else STABLE)
        if number not in versions:
            raise ModelNotFound(
                f"model {chosen!r} has no version {number}; available: {sorted(versions)}",
                field="version", rule="exists",
            )
        return versions[number]

    def _resolve_alias(self, name: str, alias: str) -> int:
        aliases = self.aliases(name)
        if alias in aliases:
            return aliases[alias]
        if alias == STABLE:
            raise ModelNotFound(
                f"model {name!r} has no stable version: none of its versions "
                f"{self.versions(name)} passed the training gate. Name one (\"version\": N), "
                f"or point the stable alias at one (PUT /models/{name}/aliases/stable)",
                field="version", rule="stable",
            )
        if not is_valid_alias(alias):
            raise ModelNotFound(
                f"version {clip(alias)!r} is neither a version number nor an alias name",
                field="version", rule="version_or_alias",
            )
        raise ModelNotFound(
            f"model {name!r} has no alias {clip(alias)!r}; its aliases: {sorted(aliases)}",
            field="version", rule="alias_exists",
        )
