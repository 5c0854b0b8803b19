"""The gate before a trained version goes live: checks on its held-out numbers, then the policy.

A pure function of two saved configs (``config.json``: ``kind``, ``data``, ``metrics``,
``training``), so it is tested without training anything. The rules, in order:

1. not collapsed: a VAE needs ``metrics.active_units >= 1``;
2. beats the baseline clearly: ``metrics.test_log_likelihood`` exceeds
   ``metrics.baseline_test_log_likelihood`` (the baseline fitted on the same training split and
   scored on the same test split) by more than twice the held-out estimate's standard error
   (``metrics.test_log_likelihood_stderr``), so a model that only ties with independent pixels
   (the same grey smudge in every sample) does not pass on noise;
2b. keeps what the stable version offers: a VAE whose stable version samples from a latent
   mixture prior (``"prior": "gmm"``) must have one too, or requests that ask for it would fail;
3. not worse than the stable version by more than ``tolerance_per_dim`` nats per data
   dimension. The two must have been scored on the same test set (same dataset, split and
   preprocessing, and the same data bytes where both recorded them): a version that cannot be
   compared with the one it would replace (another dataset under the same name, say) is held
   back, and the reasons say why; promoting it is then a deliberate call (an alias move, or
   ``promote: always``).

A metric that is missing or not finite cannot be checked, and a check that cannot be made does
not pass: the gate holds the version back and names the metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["GATE_FILE", "GateVerdict", "PromotePolicy", "evaluate_gate", "same_test_set"]

GATE_FILE = "gate.json"
"""The verdict, saved in the version's folder beside ``config.json``."""

PromotePolicy = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    """Whether every check held."""
    reasons: list[str]
    """When it failed, why; when it passed, what was checked."""
    policy: PromotePolicy
    promoted: bool
    """Whether the version became ``stable``: ``passed`` under ``auto``; forced by the others."""
    compared_with: int | None = None
    """The stable version it was measured against, if any."""

    def api(self) -> dict[str, Any]:
        """The ``gate`` object of the API: ``passed``, ``reasons``, ``policy``."""
        return {"passed": self.passed, "reasons": list(self.reasons), "policy": self.policy}

    def record(self) -> dict[str, Any]:
        """What ``gate.json`` holds."""
        return {**self.api(), "promoted": self.promoted, "compared_with": self.compared_with}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> GateVerdict:
        policy = record.get("policy", "auto")
        return cls(
            passed=bool(record.get("passed")), reasons=[str(r) for r in record.get("reasons", [])],
            policy=policy if policy in ("auto", "always", "never") else "auto",
            promoted=bool(record.get("promoted", record.get("passed"))),
            compared_with=record.get("compared_with"),
        )


def _number(metrics: Mapping[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _dataset_sha256(config: Mapping[str, Any]) -> str | None:
    job = (config.get("training") or {}).get("job") or {}
    sha = (job.get("dataset") or {}).get("sha256")
    return sha if isinstance(sha, str) else None


def same_test_set(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    """None when two versions were scored on the same test set; else how they differ."""
    data_a, data_b = a.get("data") or {}, b.get("data") or {}
    for key, what in (("dataset", "dataset"), ("split", "test split"),
                      ("preprocessing", "preprocessing"), ("shape", "data shape")):
        if data_a.get(key) != data_b.get(key):
            return f"its {what} is {data_b.get(key)!r}, this one's {data_a.get(key)!r}"
    sha_a, sha_b = _dataset_sha256(a), _dataset_sha256(b)
    if sha_a and sha_b and sha_a != sha_b:
        return f"its dataset bytes differ (sha256 {sha_b[:12]}..., this one's {sha_a[:12]}...)"
    return None


def _latent_prior(config: Mapping[str, Any]) -> bool:
    return bool((config.get("hyperparameters") or {}).get("latent_prior"))


def _dimensions(config: Mapping[str, Any]) -> int:
    return math.prod(int(d) for d in (config.get("data") or {}).get("shape") or [1])


def evaluate_gate(
    candidate: Mapping[str, Any],
    stable: tuple[int, Mapping[str, Any]] | None,
    policy: PromotePolicy = "auto",
    tolerance_per_dim: float = 0.01,
) -> GateVerdict:
    """The verdict on ``candidate`` (a saved config) against ``stable`` (version, config)."""
    metrics = candidate.get("metrics") or {}
    failures: list[str] = []
    notes: list[str] = []

    if candidate.get("kind") in ("vae", "cvae"):
        active = metrics.get("active_units")
        if isinstance(active, bool) or not isinstance(active, int):
            failures.append("cannot check for posterior collapse: metrics.active_units is missing")
        elif active < 1:
            failures.append(
                "collapsed: no active latent unit (a unit is active when Cov_x(E_q[z_u|x]) > "
                "0.01); the encoder ignores its input"
            )
        else:
            notes.append(f"not collapsed: {active} active latent unit(s)")

    log_likelihood = _number(metrics, "test_log_likelihood")
    baseline = _number(metrics, "baseline_test_log_likelihood")
    baseline_name = metrics.get("baseline") or "the baseline"
    if log_likelihood is None:
        failures.append(
            "cannot check the held-out log-likelihood: metrics.test_log_likelihood is missing "
            "or not finite"
        )
    elif baseline is None:
        failures.append(
            "cannot compare with a baseline: metrics.baseline_test_log_likelihood is missing "
            "or not finite"
        )
    else:
        margin = 2.0 * (_number(metrics, "test_log_likelihood_stderr") or 0.0)
        if log_likelihood <= baseline + margin:
            failures.append(
                f"does not clearly beat {baseline_name}: held-out log-likelihood "
                f"{log_likelihood:.2f} nats, not above {baseline:.2f} + {margin:.2f} (twice "
                "the standard error)"
            )
        else:
            notes.append(
                f"beats {baseline_name}: held-out log-likelihood {log_likelihood:.2f} nats > "
                f"{baseline:.2f} + {margin:.2f} (twice the standard error)"
            )

    compared_with = None
    if stable is None:
        notes.append("no stable version to compare with")
    else:
        version, stable_config = stable
        if _latent_prior(stable_config) and not _latent_prior(candidate):
            failures.append(
                f"stable version {version} samples from a latent mixture prior (\"prior\": "
                "\"gmm\") and this one has none, so requests asking for it would fail; train "
                "with latent_prior_components"
            )
        stable_ll = _number(stable_config.get("metrics") or {}, "test_log_likelihood")
        difference = same_test_set(candidate, stable_config)
        if difference is not None:
            failures.append(
                f"cannot compare with stable version {version}, so it stays stable: "
                f"{difference}; make this one stable by hand if it should replace it"
            )
        elif stable_ll is None:
            failures.append(
                f"cannot compare with stable version {version}, so it stays stable: it has no "
                "held-out log-likelihood; make this one stable by hand if it should replace it"
            )
        elif log_likelihood is not None:
            compared_with = version
            dims = _dimensions(candidate)
            tolerance = tolerance_per_dim * dims
            if log_likelihood < stable_ll - tolerance:
                failures.append(
                    f"worse than stable version {version}: {log_likelihood:.2f} nats against "
                    f"{stable_ll:.2f}, more than the tolerance of {tolerance:.2f} "
                    f"({tolerance_per_dim:g} nats x {dims} dimensions)"
                )
            else:
                notes.append(
                    f"within {tolerance:.2f} nats of stable version {version} or better: "
                    f"{log_likelihood:.2f} against {stable_ll:.2f}"
                )

    passed = not failures
    promoted = {"auto": passed, "always": True, "never": False}[policy]
    reasons = list(notes) if passed else failures
    if policy == "always" and not passed:
        reasons.append("made stable anyway: the job asked for promote=always")
    if policy == "never":
        reasons.append("not made stable: the job asked for promote=never")
    return GateVerdict(passed, reasons, policy, promoted, compared_with)
