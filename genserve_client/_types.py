"""What the client returns: small frozen dataclasses with numpy arrays inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FINISHED_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
"""A job in one of these states never changes again (the server's ``app.jobs.records.TERMINAL``;
a test keeps the two equal)."""

__all__ = [
    "Classification",
    "Interpolation",
    "Job",
    "JobEvent",
    "LogLikelihood",
    "ModelInfo",
    "Samples",
]

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    kind: str
    version: int
    versions: list[int]
    data_shape: tuple[int, ...]
    value_range: tuple[float, float] | None
    capabilities: list[str]
    dataset: str
    metrics: dict[str, Any]
    config: dict[str, Any] | None = None
    classes: list[str] | None = None  # a conditional model's labels, in index order
    conditional: bool = False

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ModelInfo:
        value_range = body.get("value_range")
        return cls(
            name=body["name"], kind=body["kind"], version=body["version"],
            versions=list(body.get("versions", [body["version"]])),
            data_shape=tuple(body["data_shape"]),
            value_range=tuple(value_range) if value_range else None,  # type: ignore[arg-type]
            capabilities=list(body.get("capabilities", [])), dataset=body.get("dataset", ""),
            metrics=dict(body.get("metrics", {})), config=body.get("config"),
            classes=body.get("classes"), conditional=bool(body.get("conditional", False)),
        )


@dataclass(frozen=True)
class Samples:
    """``samples``: ``[n, *data_shape]`` float32; ``seed`` reproduces them (with ``labels``,
    for a conditional model: the class of each sample, given or drawn)."""

    model: str
    version: int
    seed: int
    samples: FloatArray
    labels: list[str] | None = None


@dataclass(frozen=True)
class LogLikelihood:
    """Per example, nats: exact for a GMM, the importance-weighted bound for a VAE."""

    model: str
    version: int
    log_likelihood: NDArray[np.float64]
    bits_per_dim: NDArray[np.float64]
    elbo: NDArray[np.float64] | None
    estimator: str


@dataclass(frozen=True)
class Classification:
    """p(y | x) of a conditional model: ``probabilities`` and ``log_likelihood_per_class``
    ``[B, C]`` with columns in ``classes`` order, ``log_prior`` ``[C]``, ``predicted`` names."""

    model: str
    version: int
    classes: list[str]
    probabilities: NDArray[np.float64]
    predicted: list[str]
    log_likelihood_per_class: NDArray[np.float64]
    log_prior: NDArray[np.float64]
    estimator: str


@dataclass(frozen=True)
class Interpolation:
    """``path``: ``[steps, *data_shape]`` at positions ``t`` from 0 to 1; ``details`` per step."""

    model: str
    version: int
    t: NDArray[np.float64]
    path: FloatArray
    details: dict[str, NDArray[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    name: str
    status: str
    progress: float
    error: str | None
    result: dict[str, Any] | None
    metrics: list[dict[str, Any]]
    raw: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def promoted(self) -> bool | None:
        """Whether the new version became stable (what requests without a version get); None
        until the job succeeds. False: it is stored and answers only when named."""
        if self.status != "succeeded" or self.result is None:
            return None
        return bool(self.result.get("promoted", True))

    @property
    def gate(self) -> dict[str, Any] | None:
        """The training gate's verdict: ``passed``, ``reasons``, ``policy``."""
        return None if self.result is None else self.result.get("gate")

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Job:
        metrics = body.get("metrics")
        if metrics is None:
            metrics = [body["last_metrics"]] if body.get("last_metrics") else []
        return cls(
            id=body["id"], kind=body.get("kind", ""), name=body.get("name", ""),
            status=body["status"], progress=float(body.get("progress", 0.0)),
            error=body.get("error"), result=body.get("result"), metrics=list(metrics), raw=body,
        )


@dataclass(frozen=True)
class JobEvent:
    """One server-sent event of ``/jobs/{id}/events``: ``progress`` or ``status``."""

    event: str
    data: dict[str, Any]
