"""Specifications for models.cgmm: one exact mixture per class, Bayes' rule over them, labels."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.mixture import GaussianMixture as SklearnMixture

from models import load_model
from models.base import DataSpec, InvalidModelInput
from models.cgmm import ClassConditionalGMM
from models.datasets import load_dataset
from models.gmm import GMMHyperparameters
from models.training import train_cgmm

CLASSES = ["a", "b", "c"]
CENTRES = torch.tensor([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]], dtype=torch.float64)


@pytest.fixture(scope="module")
def blobs() -> tuple[torch.Tensor, torch.Tensor]:
    """Three labelled Gaussian blobs in 2-D, of 60, 90 and 150 rows."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate((60, 90, 150))])
    scales = torch.tensor([[1.0, 0.5], [0.7, 1.2], [1.5, 0.8]], dtype=torch.float64)
    x = CENTRES[labels] + scales[labels] * torch.randn(len(labels), 2, generator=generator,
                                                       dtype=torch.float64)
    return x, labels


def make_model(n_components: int = 2, tol: float = 1e-3) -> ClassConditionalGMM:
    return ClassConditionalGMM(
        GMMHyperparameters(n_components=n_components, reg_covar=1e-6, n_init=1, tol=tol,
                           dtype="float64"),
        DataSpec(shape=(2,), classes=CLASSES),
    )


@pytest.fixture(scope="module")
def fitted(blobs: tuple[torch.Tensor, torch.Tensor]) -> ClassConditionalGMM:
    model = make_model()
    model.fit(*blobs)
    return model


def test_one_component_per_class_gives_sklearns_density_for_each_class(
    blobs: tuple[torch.Tensor, torch.Tensor],
) -> None:
    x, labels = blobs
    model = make_model(n_components=1, tol=1e-10)
    model.fit(x, labels)
    probe = torch.linspace(-3.0, 8.0, 24, dtype=torch.float64).reshape(12, 2)
    for c in range(3):
        reference = SklearnMixture(1, reg_covar=1e-6).fit(x[labels == c].numpy())
        given = model.log_likelihood(probe, labels=torch.full((12,), c))["log_likelihood"]
        np.testing.assert_allclose(given.numpy(), reference.score_samples(probe.numpy()),
                                   rtol=1e-5, atol=1e-4)


def test_class_prior_is_the_training_counts_add_one_smoothed(fitted: ClassConditionalGMM) -> None:
    expected = torch.tensor([61.0, 91.0, 151.0], dtype=torch.float64) / 303.0
    torch.testing.assert_close(fitted.class_log_prior.exp(), expected)


def test_log_px_is_logsumexp_over_classes_of_log_px_given_y_plus_log_prior(
    fitted: ClassConditionalGMM,
) -> None:
    probe = torch.randn(20, 2, generator=torch.Generator().manual_seed(1)) * 4
    per_class = torch.stack([
        fitted.log_likelihood(probe, labels=torch.full((20,), c))["log_likelihood"].double()
        for c in range(3)
    ], -1)
    expected = torch.logsumexp(per_class + fitted.class_log_prior, -1)
    marginal = fitted.log_likelihood(probe)["log_likelihood"].double()
    torch.testing.assert_close(marginal, expected, rtol=1e-6, atol=1e-5)


def test_class_probabilities_sum_to_one_and_the_prediction_is_their_arg_max(
    fitted: ClassConditionalGMM, blobs: tuple[torch.Tensor, torch.Tensor],
) -> None:
    x, labels = blobs
    result = fitted.classify(x)
    torch.testing.assert_close(result["probabilities"].sum(-1), torch.ones(len(x)))
    assert torch.equal(result["predicted"], result["probabilities"].argmax(-1))
    assert float((result["predicted"] == labels).double().mean()) > 0.97


def test_sampling_with_labels_is_seeded_reproducible_and_of_the_class_asked(
    fitted: ClassConditionalGMM,
) -> None:
    labels = torch.tensor([2, 0, 1, 1] * 50)

    def draw(seed: int) -> torch.Tensor:
        return fitted.sample(200, generator=torch.Generator().manual_seed(seed), labels=labels)

    first, again, other = draw(3), draw(3), draw(4)
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert float((fitted.classify(first)["predicted"] == labels).double().mean()) > 0.95


def test_sampling_without_labels_draws_classes_from_the_prior(
    fitted: ClassConditionalGMM,
) -> None:
    noise = fitted.sample_noise(3000, generator=torch.Generator().manual_seed(0))
    shares = torch.bincount(noise["labels"], minlength=3).double() / 3000
    torch.testing.assert_close(shares, fitted.class_log_prior.exp(), atol=0.03, rtol=0.0)


def test_the_noise_of_two_requests_joined_gives_each_its_own_samples(
    fitted: ClassConditionalGMM,
) -> None:
    a = fitted.sample_noise(5, generator=torch.Generator().manual_seed(1),
                            labels=torch.tensor([0, 1, 2, 0, 1]))
    b = fitted.sample_noise(3, generator=torch.Generator().manual_seed(2))
    joined = {key: torch.cat([a[key], b[key]]) for key in a}
    together = fitted.sample_from_noise(joined)
    assert torch.equal(together[:5], fitted.sample_from_noise(a))
    assert torch.equal(together[5:], fitted.sample_from_noise(b))


@pytest.mark.parametrize("labels", [torch.tensor([3]), torch.tensor([-1]), torch.tensor([0.0])])
def test_a_label_outside_the_classes_is_refused(
    fitted: ClassConditionalGMM, labels: torch.Tensor,
) -> None:
    with pytest.raises(InvalidModelInput, match="labels"):
        fitted.sample(1, labels=labels)
    with pytest.raises(InvalidModelInput, match="labels"):
        fitted.log_likelihood(torch.zeros(1, 2), labels=labels)


def test_labels_must_give_one_class_per_row(fitted: ClassConditionalGMM) -> None:
    with pytest.raises(InvalidModelInput, match="shape"):
        fitted.log_likelihood(torch.zeros(3, 2), labels=torch.tensor([0, 1]))


def test_the_inferred_class_is_the_classifiers_prediction(fitted: ClassConditionalGMM) -> None:
    x = torch.cat([CENTRES, CENTRES + 0.8])
    assert torch.equal(fitted.infer_labels(x), fitted.classify(x)["predicted"])
    assert fitted.infer_labels(CENTRES).tolist() == [0, 1, 2]


def test_encode_gives_class_probabilities_and_responsibilities_within_the_class(
    fitted: ClassConditionalGMM,
) -> None:
    x = CENTRES.clone()
    result = fitted.encode(x)
    torch.testing.assert_close(result["responsibilities"].sum(-1), torch.ones(3))
    forced = fitted.encode(x, labels=torch.tensor([1, 1, 1]))
    mixture = fitted._mixture(1)
    expected = mixture.encode(x)["responsibilities"]
    torch.testing.assert_close(forced["responsibilities"], expected)


def test_reconstruct_is_the_mean_of_the_given_class_components(
    fitted: ClassConditionalGMM,
) -> None:
    x = CENTRES.clone()
    forced = fitted.reconstruct(x, labels=torch.tensor([2, 2, 2]))
    torch.testing.assert_close(forced, fitted._mixture(2).reconstruct(x).float())
    inferred = fitted.reconstruct(x)
    torch.testing.assert_close(inferred, fitted.reconstruct(x, labels=torch.tensor([0, 1, 2])))


def test_a_seed_with_the_labels_it_drew_draws_the_same_samples(
    fitted: ClassConditionalGMM,
) -> None:
    drawn = fitted.sample_noise(40, generator=torch.Generator().manual_seed(3))
    again = fitted.sample_noise(40, generator=torch.Generator().manual_seed(3),
                                labels=drawn["labels"])
    for key in ("labels", "component", "eps"):
        assert torch.equal(drawn[key], again[key])


def test_interpolating_across_classes_ends_in_the_target_class(
    fitted: ClassConditionalGMM,
) -> None:
    a = CENTRES[0] + torch.tensor([0.5, -0.2], dtype=torch.float64)
    result = fitted.interpolate(a, a, 5, labels=torch.tensor([0, 2]))
    torch.testing.assert_close(result["path"][0].double(), a, rtol=0, atol=1e-6)
    assert result["class_probabilities"][0].argmax() == 0
    assert result["class_probabilities"][-1].argmax() == 2


def test_a_model_without_classes_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="labelled data"):
        ClassConditionalGMM(GMMHyperparameters(), DataSpec(shape=(2,)))


def test_saved_and_loaded_it_scores_the_same(fitted: ClassConditionalGMM, tmp_path: Path) -> None:
    fitted.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, ClassConditionalGMM) and loaded.data.classes == CLASSES
    probe = torch.randn(6, 2, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(loaded.classify(probe)["probabilities"],
                               fitted.classify(probe)["probabilities"])


def test_trained_on_digits_it_classifies_held_out_digits() -> None:
    model = train_cgmm(load_dataset("digits"), GMMHyperparameters(n_components=2, n_init=1))
    assert model.data.classes == [str(d) for d in range(10)]
    assert model.metrics["test_accuracy"] > 0.9
    assert model.metrics["test_log_likelihood"] > model.metrics["baseline_test_log_likelihood"]
    assert model.metrics["test_log_likelihood"] >= model.metrics[
        "test_log_likelihood_given_label"] - math.log(10)
