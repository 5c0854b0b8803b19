"""Specifications for models.cvae: labels through both networks, Bayes' rule over IWAE
estimates of log p(x | y), seeded label sampling, and training on a data set's labels."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from models import load_model
from models.base import DataSpec, InvalidModelInput
from models.cvae import CVAE, CVAEHyperparameters
from models.datasets import load_dataset
from models.training import VAETrainingOptions, train_vae
from models.vae import LatentPriorSpec

CLASSES = ["zero", "one", "two"]


def make_model(architecture: str = "mlp") -> CVAE:
    torch.manual_seed(0)
    model = CVAE(
        CVAEHyperparameters(latent_dim=3, hidden_sizes=[16], architecture=architecture,  # type: ignore[arg-type]
                            channels=[4], likelihood="bernoulli"),
        DataSpec(shape=(4, 4), value_range=(0.0, 1.0), classes=CLASSES),
    )
    model.set_class_prior(torch.tensor([10.0, 30.0, 57.0]))
    return model.eval()


@pytest.fixture(scope="module")
def model() -> CVAE:
    return make_model()


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return torch.rand(5, 16, generator=torch.Generator().manual_seed(1))


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_both_networks_see_the_label(architecture: str, images: torch.Tensor) -> None:
    model = make_model(architecture)
    zero, two = (torch.nn.functional.one_hot(torch.full((5,), c), 3).float() for c in (0, 2))
    assert not torch.allclose(model.encode_params(images, zero)[0],
                              model.encode_params(images, two)[0])
    z = torch.zeros(5, 3)
    assert not torch.allclose(model.decode(z, zero), model.decode(z, two))


def test_class_prior_comes_from_counts(model: CVAE) -> None:
    torch.testing.assert_close(model.class_log_prior.exp(), torch.tensor([11.0, 31.0, 58.0]) / 100)


def test_class_probabilities_sum_to_one_and_the_prediction_is_their_arg_max(
    model: CVAE, images: torch.Tensor,
) -> None:
    result = model.classify(images, importance_samples=4, generator=seeded(0))
    assert result["log_likelihood_per_class"].shape == (5, 3)
    torch.testing.assert_close(result["probabilities"].sum(-1), torch.ones(5))
    assert torch.equal(result["predicted"], result["probabilities"].argmax(-1))
    joint = result["log_likelihood_per_class"] + result["log_prior"]
    torch.testing.assert_close(result["probabilities"], torch.softmax(joint, -1))


def test_log_px_is_logsumexp_over_classes_of_the_same_estimates(
    model: CVAE, images: torch.Tensor,
) -> None:
    per_class = model.classify(images, importance_samples=8, generator=seeded(2))
    marginal = model.log_likelihood(images, importance_samples=8, generator=seeded(2))
    expected = torch.logsumexp(per_class["log_likelihood_per_class"] + per_class["log_prior"], -1)
    torch.testing.assert_close(marginal["log_likelihood"], expected)


def test_log_px_given_y_per_class_agrees_with_classify_for_large_k(
    model: CVAE, images: torch.Tensor,
) -> None:
    per_class = model.classify(images, importance_samples=3000, generator=seeded(3))
    for c in range(3):
        given = model.log_likelihood(images, importance_samples=3000, generator=seeded(4),
                                     labels=torch.full((5,), c))["log_likelihood"]
        torch.testing.assert_close(given, per_class["log_likelihood_per_class"][:, c],
                                   atol=0.05, rtol=0.0)


def test_one_seed_gives_every_class_the_draws_of_the_labelled_estimate(
    model: CVAE, images: torch.Tensor,
) -> None:
    """Common random numbers: log p(x | y) with labels is column y of the per-class estimates
    of the same seed, for every row's own label."""
    per_class = model.classify(images, importance_samples=8, generator=seeded(5))
    labels = torch.tensor([0, 2, 1, 1, 0])
    given = model.log_likelihood(images, importance_samples=8, generator=seeded(5), labels=labels)
    own_class = per_class["log_likelihood_per_class"].gather(1, labels[:, None])[:, 0]
    torch.testing.assert_close(given["log_likelihood"], own_class)


def test_log_px_is_logsumexp_of_the_labelled_estimates_under_one_seed(
    model: CVAE, images: torch.Tensor,
) -> None:
    marginal = model.log_likelihood(images, importance_samples=8, generator=seeded(6))
    labelled = [model.log_likelihood(images, importance_samples=8, generator=seeded(6),
                                     labels=torch.full((5,), c)) for c in range(3)]
    log_prior = model.class_log_prior
    for key in ("log_likelihood", "elbo"):
        joint = torch.stack([scores[key] for scores in labelled], -1) + log_prior
        torch.testing.assert_close(marginal[key], joint.logsumexp(-1))


def test_a_batch_of_requests_estimates_what_each_would_alone(
    model: CVAE, images: torch.Tensor,
) -> None:
    together = model.classify(images, importance_samples=6,
                              groups=[(2, seeded(7)), (3, seeded(8))])
    first = model.classify(images[:2], importance_samples=6, generator=seeded(7))
    second = model.classify(images[2:], importance_samples=6, generator=seeded(8))
    for key in ("log_likelihood_per_class", "probabilities"):
        torch.testing.assert_close(together[key], torch.cat([first[key], second[key]]))


def test_sampling_with_labels_is_seeded_and_reproducible(model: CVAE) -> None:
    labels = torch.tensor([0, 2, 1, 1])
    first = model.sample(4, generator=seeded(5), labels=labels)
    assert torch.equal(first, model.sample(4, generator=seeded(5), labels=labels))
    assert not torch.equal(first, model.sample(4, generator=seeded(6), labels=labels))


def test_a_seed_draws_the_same_latents_whatever_the_labels(model: CVAE) -> None:
    a = model.sample_noise(4, generator=seeded(5), labels=torch.tensor([0, 0, 0, 0]))
    b = model.sample_noise(4, generator=seeded(5), labels=torch.tensor([2, 2, 2, 2]))
    assert torch.equal(a["z"], b["z"])
    assert not torch.equal(model.sample_from_noise(a), model.sample_from_noise(b))


def test_sampling_without_labels_draws_classes_from_the_prior(model: CVAE) -> None:
    labels = model.sample_noise(4000, generator=seeded(0))["labels"]
    shares = torch.bincount(labels, minlength=3).float() / 4000
    torch.testing.assert_close(shares, model.class_log_prior.exp(), atol=0.03, rtol=0.0)


def test_the_noise_of_two_requests_joined_gives_each_its_own_samples(model: CVAE) -> None:
    a = model.sample_noise(3, generator=seeded(1), labels=torch.tensor([0, 1, 2]))
    b = model.sample_noise(2, generator=seeded(2))
    together = model.sample_from_noise({key: torch.cat([a[key], b[key]]) for key in a})
    torch.testing.assert_close(together, torch.cat([model.sample_from_noise(a),
                                                    model.sample_from_noise(b)]))


@pytest.mark.parametrize("labels", [torch.tensor([3]), torch.tensor([-1]), torch.tensor([1.0])])
def test_a_label_outside_the_classes_is_refused(
    model: CVAE, images: torch.Tensor, labels: torch.Tensor,
) -> None:
    with pytest.raises(InvalidModelInput, match="labels"):
        model.sample(1, labels=labels)
    with pytest.raises(InvalidModelInput, match="labels"):
        model.log_likelihood(images[:1], labels=labels)


def test_holding_x_and_moving_y_keeps_the_latent_and_moves_the_label(
    model: CVAE, images: torch.Tensor,
) -> None:
    result = model.interpolate(images[0], images[0], 5, labels=torch.tensor([0, 2]))
    assert torch.equal(result["latents"][0], result["latents"][-1])
    torch.testing.assert_close(result["label_weights"][0], torch.tensor([1.0, 0.0, 0.0]))
    torch.testing.assert_close(result["label_weights"][2], torch.tensor([0.5, 0.0, 0.5]))
    torch.testing.assert_close(result["label_weights"][-1], torch.tensor([0.0, 0.0, 1.0]))
    assert not torch.allclose(result["path"][0], result["path"][-1])


def test_encode_without_labels_uses_the_inferred_class_deterministically(
    model: CVAE, images: torch.Tensor,
) -> None:
    first, again = model.encode(images), model.encode(images)
    assert torch.equal(first["mean"], again["mean"])
    forced = model.encode(images, labels=model.infer_labels(images))
    assert torch.equal(forced["mean"], first["mean"])


def test_reconstruct_without_labels_is_reconstruct_with_the_inferred_ones(
    model: CVAE, images: torch.Tensor,
) -> None:
    inferred = model.infer_labels(images)
    assert torch.equal(model.reconstruct(images), model.reconstruct(images, labels=inferred))
    other = (inferred + 1) % 3
    assert not torch.equal(model.reconstruct(images), model.reconstruct(images, labels=other))


def test_a_cvae_needs_classes_and_has_no_latent_gmm() -> None:
    with pytest.raises(ValueError, match="labelled data"):
        CVAE(CVAEHyperparameters(), DataSpec(shape=(4,)))
    with pytest.raises(ValidationError, match="latent_prior"):
        CVAEHyperparameters(latent_prior=LatentPriorSpec())


@pytest.fixture(scope="module")
def trained() -> CVAE:
    model = train_vae(
        load_dataset("digits"), CVAEHyperparameters(latent_dim=4, hidden_sizes=[32]),
        VAETrainingOptions(epochs=3, eval_importance_samples=5), model_class=CVAE,
    )
    assert isinstance(model, CVAE)
    return model


def test_training_uses_the_data_sets_labels_and_class_counts(trained: CVAE) -> None:
    assert trained.data.classes == [str(d) for d in range(10)]
    prior = trained.class_log_prior.exp()
    assert 0.08 < float(prior.min()) and float(prior.max()) < 0.12  # digits is about balanced
    assert "log p(x | y)" in trained.metrics["estimator"]


def test_saved_and_loaded_it_classifies_the_same(trained: CVAE, tmp_path: Path) -> None:
    trained.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, CVAE)
    x = torch.rand(3, 64, generator=seeded(0))
    torch.testing.assert_close(
        loaded.classify(x, importance_samples=3, generator=seeded(1))["probabilities"],
        trained.classify(x, importance_samples=3, generator=seeded(1))["probabilities"],
    )
