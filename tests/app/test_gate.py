"""The training gate as a pure function of saved configs: each rule, each policy."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.gate import GateVerdict, evaluate_gate, same_test_set

DATA = {
    "shape": [8, 8], "dataset": "digits",
    "split": {"test_fraction": 0.25, "seed": 0, "n_train": 1348, "n_test": 449},
    "preprocessing": {"dequantize": "uniform", "levels": 17},
}


def config(kind: str = "vae", data: dict[str, Any] | None = None, **metrics: Any
           ) -> dict[str, Any]:
    base: dict[str, Any] = {"test_log_likelihood": 45.0, "baseline_test_log_likelihood": 10.0,
                            "baseline": "factorised Gaussian per pixel"}
    if kind == "vae":
        base["active_units"] = 5
    return {"kind": kind, "data": dict(data or DATA), "metrics": {**base, **metrics},
            "training": {}}


def test_a_good_first_version_passes_and_says_what_was_checked() -> None:
    verdict = evaluate_gate(config(), None)
    assert verdict.passed and verdict.promoted and verdict.policy == "auto"
    assert any("5 active" in r for r in verdict.reasons)
    assert any("beats factorised Gaussian per pixel" in r for r in verdict.reasons)
    assert verdict.api() == {"passed": True, "reasons": verdict.reasons, "policy": "auto"}


def test_a_vae_with_no_active_unit_is_held_back_as_collapsed() -> None:
    verdict = evaluate_gate(config(active_units=0), None)
    assert not verdict.passed and not verdict.promoted
    assert verdict.reasons == [
        "collapsed: no active latent unit (a unit is active when Cov_x(E_q[z_u|x]) > 0.01); "
        "the encoder ignores its input"
    ]


def test_a_gmm_is_not_asked_for_active_units() -> None:
    assert evaluate_gate(config("gmm"), None).passed


@pytest.mark.parametrize("log_likelihood", [10.0, 9.0, -51.1])
def test_a_model_that_does_not_beat_its_baseline_is_held_back(log_likelihood: float) -> None:
    verdict = evaluate_gate(config(test_log_likelihood=log_likelihood), None)
    assert not verdict.passed
    assert verdict.reasons[0].startswith("does not clearly beat factorised Gaussian per pixel")


def test_a_model_within_two_standard_errors_of_its_baseline_is_held_back() -> None:
    """32.3 nats against a baseline of 31.1 with a standard error of 1.1: the page's old form
    gave this, and its samples were one grey smudge."""
    tie = config(test_log_likelihood=32.3, baseline_test_log_likelihood=31.1,
                 test_log_likelihood_stderr=1.1)
    verdict = evaluate_gate(tie, None)
    assert not verdict.passed and "31.10 + 2.20" in verdict.reasons[0]
    clear = config(test_log_likelihood=33.5, baseline_test_log_likelihood=31.1,
                   test_log_likelihood_stderr=1.1)
    assert evaluate_gate(clear, None).passed


def test_a_version_that_drops_the_stable_versions_latent_prior_is_held_back() -> None:
    with_prior = config()
    with_prior["hyperparameters"] = {"latent_prior": {"n_components": 10}}
    verdict = evaluate_gate(config(test_log_likelihood=60.0), (2, with_prior))
    assert not verdict.passed
    assert any("latent mixture prior" in reason for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("missing", "value"),
    [("active_units", None), ("baseline_test_log_likelihood", None),
     ("test_log_likelihood", None), ("test_log_likelihood", math.nan),
     ("baseline_test_log_likelihood", math.inf), ("active_units", True)],
)
def test_a_metric_that_is_missing_cannot_be_checked_and_holds_the_version_back(
    missing: str, value: Any
) -> None:
    candidate = config()
    if value is None:
        del candidate["metrics"][missing]
    else:
        candidate["metrics"][missing] = value
    verdict = evaluate_gate(candidate, None)
    assert not verdict.passed and not verdict.promoted
    assert any(r.startswith("cannot") and f"metrics.{missing}" in r for r in verdict.reasons)


def test_a_version_worse_than_stable_by_more_than_the_tolerance_is_held_back() -> None:
    # tolerance 0.01 nats x 64 dimensions = 0.64 nats
    verdict = evaluate_gate(config(test_log_likelihood=44.0), (3, config()), tolerance_per_dim=0.01)
    assert not verdict.passed and verdict.compared_with == 3
    assert "worse than stable version 3" in verdict.reasons[0]
    assert "0.64" in verdict.reasons[0]


def test_a_version_within_the_tolerance_of_stable_passes() -> None:
    verdict = evaluate_gate(config(test_log_likelihood=44.5), (3, config()), tolerance_per_dim=0.01)
    assert verdict.passed and verdict.compared_with == 3


def test_a_version_that_cannot_be_compared_with_stable_is_held_back() -> None:
    """Another test split (or dataset) under the same name: no number says the new one is as
    good, so the one serving stays stable until someone decides otherwise."""
    other = {**DATA, "split": {"test_fraction": 0.5, "seed": 1, "n_train": 899, "n_test": 898}}
    stable = config(data=other, test_log_likelihood=10.0)
    verdict = evaluate_gate(config(), (2, stable))
    assert not verdict.passed and not verdict.promoted and verdict.compared_with is None
    assert any(r.startswith("cannot compare with stable version 2, so it stays stable: its test "
                            "split") for r in verdict.reasons)


def test_an_incomparable_version_goes_live_when_asked() -> None:
    other = {**DATA, "dataset": "two-moons"}
    verdict = evaluate_gate(config(), (2, config(data=other)), policy="always")
    assert verdict.promoted and not verdict.passed


def test_different_dataset_bytes_under_one_name_are_another_test_set() -> None:
    a, b = config(), config()
    a["training"] = {"job": {"dataset": {"name": "up", "sha256": "a" * 64}}}
    b["training"] = {"job": {"dataset": {"name": "up", "sha256": "b" * 64}}}
    assert same_test_set(a, a) is None
    assert "bytes differ" in (same_test_set(a, b) or "")
    assert same_test_set(a, config()) is None  # a shipped model records no bytes: the name


def test_promote_always_makes_a_failing_version_stable_and_says_so() -> None:
    verdict = evaluate_gate(config(active_units=0), None, policy="always")
    assert not verdict.passed and verdict.promoted
    assert verdict.reasons[-1] == "made stable anyway: the job asked for promote=always"


def test_promote_never_keeps_a_passing_version_back_and_says_so() -> None:
    verdict = evaluate_gate(config(), None, policy="never")
    assert verdict.passed and not verdict.promoted
    assert verdict.reasons[-1] == "not made stable: the job asked for promote=never"


def test_a_verdict_survives_its_record() -> None:
    verdict = evaluate_gate(config(test_log_likelihood=1.0), (1, config()))
    assert GateVerdict.from_record(verdict.record()) == verdict
