"""Where models live: the shipped ``weights_dir`` (read-only) and the model store (trained ones).

Layout, in both roots: ``<root>/<name>/<version>/{config.json, model.safetensors}``. The store
adds, per version, ``gate.json`` (the gate's verdict) and, per model, ``aliases.json``
(``{"stable": 3, "best": 2}``), written by one atomic rename so every process reading the
folder sees either the old aliases or the new ones.

A trained name may reuse a shipped one: its versions continue after the shipped versions. A
version number present in both roots is the shipped one. Shipped versions (and any version
without a ``gate.json``) count as passed and promoted. ``stable``, what requests without a
version get, is the ``stable`` alias when one is set (to a version that exists), else the latest
promoted version.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from app.gate import GATE_FILE, GateVerdict, PromotePolicy, evaluate_gate
from models import CONFIG_FILE, GenerativeModel
from models.storage import is_valid_name, list_versions, publish_model, write_atomic

__all__ = [
    "ALIASES_FILE", "ALIAS_PATTERN", "STABLE", "IncompatibleVersion", "ModelStore",
    "is_valid_alias", "resolve_stable",
]

logger = logging.getLogger("genserve.store")

ALIASES_FILE = "aliases.json"
ALIAS_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
"""Alias names start with a letter, so a version number is never read as an alias."""
_ALIAS = re.compile(ALIAS_PATTERN)
STABLE = "stable"


def is_valid_alias(alias: str) -> bool:
    return bool(_ALIAS.match(alias))


def resolve_stable(
    versions: Mapping[int, bool], aliases: Mapping[str, int]
) -> int | None:
    """``stable``: the alias when it names one of ``versions``, else the newest promoted one.

    ``versions`` maps each version to whether it was promoted (passed its gate, or shipped).
    """
    pinned = aliases.get(STABLE)
    if pinned in versions:
        return pinned
    promoted = [v for v, ok in versions.items() if ok]
    return max(promoted) if promoted else None


class IncompatibleVersion(ValueError):
    """A new version whose kind or data shape differs from the versions already there."""


class ModelStore:
    """Both roots of one deployment, read from disk on every call (the registry caches)."""

    def __init__(self, shipped: Path, store: Path) -> None:
        self.shipped = Path(shipped)
        self.store = Path(store)

    def names(self) -> list[str]:
        found: set[str] = set()
        for root in (self.shipped, self.store):
            with contextlib.suppress(OSError):
                found.update(
                    p.name for p in root.iterdir() if p.is_dir() and is_valid_name(p.name)
                )
        return sorted(found)

    def model_dirs(self, name: str) -> list[Path]:
        return [self.shipped / name, self.store / name] if is_valid_name(name) else []

    def version_dirs(self, name: str) -> dict[int, Path]:
        """Every complete version of ``name`` in both roots, oldest first."""
        if not is_valid_name(name):
            return {}
        found = {v: self.store / name / str(v) for v in list_versions(self.store / name)}
        found.update({v: self.shipped / name / str(v) for v in list_versions(self.shipped / name)})
        return dict(sorted(found.items()))

    def is_shipped(self, path: Path) -> bool:
        return path.parent.parent == self.shipped

    def config(self, name: str, version: int | None = None) -> dict[str, Any] | None:
        """A saved config with its ``version``: the one given, or the latest; None if absent.
        Raises ``ValueError`` for a file that is not a JSON object."""
        versions = self.version_dirs(name)
        chosen = max(versions) if versions and version is None else version
        if chosen not in versions:
            return None
        config = json.loads((versions[chosen] / CONFIG_FILE).read_bytes())
        if not isinstance(config, dict) or not isinstance(config.get("kind"), str):
            raise ValueError(f"{CONFIG_FILE} of {name}/{chosen} is not a JSON object with a 'kind'")
        return {**config, "version": chosen}

    def gate(self, path: Path) -> GateVerdict | None:
        """A version folder's verdict; None for shipped versions and those published before."""
        if self.is_shipped(path):
            return None
        try:
            return GateVerdict.from_record(json.loads((path / GATE_FILE).read_text()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, AttributeError) as exc:
            logger.error("unreadable gate verdict %s: %s", path / GATE_FILE, exc)
            return GateVerdict(False, [f"the saved verdict is unreadable: {exc}"], "auto", False)

    def aliases_path(self, name: str) -> Path:
        return self.store / name / ALIASES_FILE

    def aliases(self, name: str) -> dict[str, int]:
        """The aliases set by hand or by promotion; {} when none were."""
        path = self.aliases_path(name)
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.error("unreadable aliases file %s: %s", path, exc)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {
            k: v for k, v in raw.items()
            if isinstance(k, str) and is_valid_alias(k) and type(v) is int and v >= 1
        }

    def promoted(self, name: str) -> dict[int, bool]:
        return {
            version: (gate.promoted if (gate := self.gate(path)) is not None else True)
            for version, path in self.version_dirs(name).items()
        }

    def stable(self, name: str) -> tuple[int, dict[str, Any]] | None:
        """The stable version and its config, as the gate compares a new one with it."""
        version = resolve_stable(self.promoted(name), self.aliases(name))
        if version is None:
            return None
        try:
            config = self.config(name, version)
        except (OSError, ValueError) as exc:  # it does not load either: nothing to compare with
            logger.error("stable version %s/%d is unreadable: %s", name, version, exc)
            return None
        return (version, config) if config is not None else None

    @contextlib.contextmanager
    def _locked(self, name: str, what: str = "aliases") -> Iterator[None]:
        """One writer of a model's ``what`` (aliases, or publishing) at a time, across
        processes."""
        folder = self.store / name
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f".{what}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def set_alias(self, name: str, alias: str, version: int | None) -> dict[str, int]:
        """Point ``alias`` at ``version`` (None removes it); returns the aliases after."""
        with self._locked(name):
            aliases = self.aliases(name)
            if version is None:
                aliases.pop(alias, None)
            else:
                aliases[alias] = version
            write_atomic(
                self.aliases_path(name), (json.dumps(aliases, sort_keys=True) + "\n").encode()
            )
        return aliases

    def publish(
        self, model: GenerativeModel, name: str, policy: PromotePolicy = "auto",
        tolerance_per_dim: float = 0.01,
    ) -> tuple[int, GateVerdict]:
        """Judge ``model`` against the stable version (:mod:`app.gate`), then save it as the next
        version of ``name`` in the store with the verdict; a promoted one becomes ``stable``."""
        candidate = json.loads(json.dumps(model.config_dict(), default=str))  # as saved
        with self._locked(name, "publish"):  # judged against what is there when it lands
            self._check_compatible(name, candidate)
            verdict = evaluate_gate(candidate, self.stable(name), policy, tolerance_per_dim)
            return self.publish_judged(model, name, verdict), verdict

    def _check_compatible(self, name: str, candidate: Mapping[str, Any]) -> None:
        """One name holds one kind of model on one data shape. Jobs check this when queued,
        but two jobs queued for the same new name both pass that check; the second to finish
        is refused here, before anything is written."""
        try:
            latest = self.config(name)
        except (OSError, ValueError):  # unreadable: the registry reports it; nothing to match
            return
        if latest is None:
            return
        mine = (candidate.get("kind"), (candidate.get("data") or {}).get("shape"))
        theirs = (latest.get("kind"), (latest.get("data") or {}).get("shape"))
        if mine != theirs:
            raise IncompatibleVersion(
                f"{name} version {latest['version']} is a {theirs[0]} on data of shape "
                f"{theirs[1]}, this model a {mine[0]} on data of shape {mine[1]}: one model name "
                "holds one kind on one data shape; train under another name"
            )

    def publish_judged(self, model: GenerativeModel, name: str, verdict: GateVerdict) -> int:
        """Save ``model`` with a verdict already reached; a promoted one becomes ``stable``."""
        shipped = list_versions(self.shipped / name) if is_valid_name(name) else []
        version = publish_model(
            model, self.store, name, after=max(shipped, default=0),
            extra_files={GATE_FILE: (json.dumps(verdict.record(), indent=2) + "\n").encode()},
        )
        if verdict.promoted:
            self.set_alias(name, STABLE, version)
        return version
