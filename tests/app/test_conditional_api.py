"""Labels through the API: /sample, /encode, /reconstruct, /log-likelihood and /interpolate take
them, answers name the classes used or drawn, /classify gives p(y | x); a label a model cannot
take is a 422 naming ``labels``; batching changes no answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from models import CVAE, ClassConditionalGMM, CVAEHyperparameters, DataSpec, GMMHyperparameters
from models.storage import publish_model

CLASSES = ["cat", "dog", "owl"]
API_KEY = "conditional-test-key"
ROWS = np.random.default_rng(0).random((6, 16)).round(4).tolist()
POINTS = [[0.1, 0.2], [5.5, 0.3], [0.4, 6.2], [3.0, 3.0], [-1.0, 0.5], [6.5, -0.5]]


def tiny_cvae() -> CVAE:
    torch.manual_seed(0)
    model = CVAE(
        CVAEHyperparameters(latent_dim=2, hidden_sizes=[8], likelihood="bernoulli"),
        DataSpec(shape=(4, 4), value_range=(0.0, 1.0), dataset="tiny", classes=CLASSES),
    )
    model.set_class_prior(torch.tensor([5.0, 3.0, 2.0]))
    return model.eval()


def tiny_cgmm() -> ClassConditionalGMM:
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(3).repeat_interleave(40)
    centres = torch.tensor([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]], dtype=torch.float64)
    x = centres[labels] + torch.randn(120, 2, generator=generator, dtype=torch.float64)
    model = ClassConditionalGMM(
        GMMHyperparameters(n_components=2, n_init=1), DataSpec(shape=(2,), classes=CLASSES)
    )
    model.fit(x, labels)
    return model.eval()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, weights_dir: Path) -> Settings:
    root = tmp_path_factory.mktemp("conditional-weights")
    publish_model(tiny_cvae(), root, "tiny-cvae")
    publish_model(tiny_cgmm(), root, "tiny-cgmm")
    for name in ("tiny-vae", "tiny-gmm"):  # unconditional models, from the shared fixture
        (root / name).symlink_to(weights_dir / name)
    return Settings(
        weights_dir=root, data_dir=tmp_path_factory.mktemp("data"), device="cpu",
        default_model="tiny-cvae", max_samples=64, max_request_examples=32,
        max_interpolation_steps=16, max_importance_samples=500, max_image_pixels=4096,
        embedded_worker=False, api_key=API_KEY,
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _answers(settings: Settings, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(*(client.post(p, json=b) for p, b in calls))
    for response in responses:
        assert response.status_code == 200, response.text
    return [response.json() for response in responses]


def batched_and_alone(
    settings: Settings, calls: list[tuple[str, dict[str, Any]]]
) -> tuple[list[Any], list[Any]]:
    on = settings.model_copy(update={"batching": True, "batch_max_size": 64})
    off = settings.model_copy(update={"batching": False})
    return asyncio.run(_answers(on, calls)), asyncio.run(_answers(off, calls))


def test_a_conditional_model_lists_its_classes_and_classify(client: TestClient) -> None:
    card = client.get("/models/tiny-cvae").json()
    assert card["conditional"] is True and card["classes"] == CLASSES
    assert "classify" in card["capabilities"]
    plain = client.get("/models/tiny-vae").json()
    assert plain["conditional"] is False and "classify" not in plain["capabilities"]


@pytest.mark.parametrize("model", ["tiny-cvae", "tiny-cgmm"])
def test_labels_by_name_and_by_index_draw_the_same_samples(client: TestClient, model: str) -> None:
    by_name = post(client, "/sample", {"model": model, "n": 3, "seed": 4,
                                       "labels": ["owl", "cat", "owl"]})
    by_index = post(client, "/sample", {"model": model, "n": 3, "seed": 4, "labels": [2, 0, 2]})
    assert by_name["samples"] == by_index["samples"]


def test_one_label_for_all_is_that_label_for_every_sample(client: TestClient) -> None:
    one = post(client, "/sample", {"model": "tiny-cvae", "n": 4, "seed": 1, "labels": ["dog"]})
    each = post(client, "/sample", {"model": "tiny-cvae", "n": 4, "seed": 1, "labels": [1] * 4})
    other = post(client, "/sample", {"model": "tiny-cvae", "n": 4, "seed": 1, "labels": [0]})
    assert one["samples"] == each["samples"] and one["samples"] != other["samples"]


@pytest.mark.parametrize("model", ["tiny-cvae", "tiny-cgmm"])
def test_seeded_label_samples_are_the_same_batched_or_alone(
    settings: Settings, model: str
) -> None:
    calls = [("/sample", {"model": model, "n": 1 + i % 3, "seed": 10 + i,
                          **({"labels": [CLASSES[i % 3]]} if i % 4 else {})}) for i in range(8)]
    batched, alone = batched_and_alone(settings, calls)
    for together, single in zip(batched, alone, strict=True):
        np.testing.assert_allclose(together["samples"], single["samples"], rtol=1e-5, atol=1e-6)


def test_log_likelihoods_with_and_without_labels_are_the_same_batched_or_alone(
    settings: Settings,
) -> None:
    calls = [("/log-likelihood", {"model": "tiny-cvae", "inputs": ROWS[i % 3 : i % 3 + 2],
                                  "importance_samples": 10, "seed": i,
                                  **({"labels": [i % 3, 2]} if i % 2 else {})})
             for i in range(8)]
    batched, alone = batched_and_alone(settings, calls)
    for together, single in zip(batched, alone, strict=True):
        np.testing.assert_allclose(together["log_likelihood"], single["log_likelihood"],
                                   rtol=1e-5, atol=1e-5)


def test_classify_is_the_same_batched_or_alone(settings: Settings) -> None:
    calls = [("/classify", {"model": "tiny-cvae", "inputs": ROWS[i : i + 1 + i % 2],
                            "importance_samples": 10, "seed": i}) for i in range(6)]
    batched, alone = batched_and_alone(settings, calls)
    for together, single in zip(batched, alone, strict=True):
        assert together["predicted"] == single["predicted"]
        for a, b in zip(together["probabilities"], single["probabilities"], strict=True):
            np.testing.assert_allclose([a[c] for c in CLASSES], [b[c] for c in CLASSES],
                                       rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("model", "rows"), [("tiny-cvae", ROWS), ("tiny-cgmm", POINTS)])
def test_class_probabilities_sum_to_one_and_name_the_predicted_class(
    client: TestClient, model: str, rows: list[list[float]]
) -> None:
    answer = post(client, "/classify", {"model": model, "inputs": rows, "seed": 0,
                                        "importance_samples": 5})
    assert answer["classes"] == CLASSES and len(answer["probabilities"]) == len(rows)
    for probabilities, predicted in zip(answer["probabilities"], answer["predicted"], strict=True):
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert predicted == max(probabilities, key=probabilities.__getitem__)


def test_one_label_for_all_inputs_scores_each_under_that_label(client: TestClient) -> None:
    body = {"model": "tiny-cgmm", "inputs": POINTS[:3]}
    each = post(client, "/log-likelihood", {**body, "labels": [1, 1, 1]})
    once = post(client, "/log-likelihood", {**body, "labels": [1]})
    assert once["log_likelihood"] == each["log_likelihood"]


def test_exact_log_px_is_the_sum_over_classes_of_the_labelled_ones(client: TestClient) -> None:
    prior = post(client, "/classify", {"model": "tiny-cgmm", "inputs": POINTS})["log_prior"]
    marginal = post(client, "/log-likelihood", {"model": "tiny-cgmm", "inputs": POINTS})
    per_class = [
        post(client, "/log-likelihood", {"model": "tiny-cgmm", "inputs": POINTS,
                                         "labels": [c] * len(POINTS)})["log_likelihood"]
        for c in CLASSES
    ]
    joint = np.asarray(per_class).T + np.asarray([prior[c] for c in CLASSES])
    expected = np.logaddexp.reduce(joint, axis=1)
    np.testing.assert_allclose(marginal["log_likelihood"], expected, rtol=1e-5, atol=1e-4)
    assert "log p(x)" in marginal["estimator"]


def test_holding_x_and_moving_y_interpolates_between_classes(client: TestClient) -> None:
    answer = post(client, "/interpolate", {"model": "tiny-cvae", "inputs": ROWS[:1], "steps": 4,
                                           "labels": ["cat", "owl"]})
    assert answer["shape"] == [4, 4, 4]
    weights = answer["details"]["label_weights"]
    assert weights[0] == [1.0, 0.0, 0.0] and weights[-1] == [0.0, 0.0, 1.0]
    latents = answer["details"]["latents"]
    assert latents[0] == latents[-1]


@pytest.mark.parametrize("path", ["/encode", "/reconstruct"])
@pytest.mark.parametrize(("model", "rows"), [("tiny-cvae", ROWS), ("tiny-cgmm", POINTS)])
def test_encode_and_reconstruct_condition_on_the_labels_given(
    client: TestClient, path: str, model: str, rows: list[list[float]]
) -> None:
    body = {"model": model, "inputs": rows[:3]}
    owls = post(client, path, {**body, "labels": ["owl"]})
    dogs = post(client, path, {**body, "labels": [1, 1, 1]})
    assert (owls["labels"], dogs["labels"]) == (["owl"] * 3, ["dog"] * 3)
    assert owls != {**dogs, "labels": owls["labels"]}  # another class, another answer


@pytest.mark.parametrize("path", ["/encode", "/reconstruct"])
@pytest.mark.parametrize(("model", "rows"), [("tiny-cvae", ROWS), ("tiny-cgmm", POINTS)])
def test_without_labels_encode_and_reconstruct_report_the_class_they_took(
    client: TestClient, path: str, model: str, rows: list[list[float]]
) -> None:
    inferred = post(client, path, {"model": model, "inputs": rows})
    assert len(inferred["labels"]) == len(rows) and set(inferred["labels"]) <= set(CLASSES)
    given = post(client, path, {"model": model, "inputs": rows, "labels": inferred["labels"]})
    assert given == inferred


@pytest.mark.parametrize("path", ["/encode", "/reconstruct"])
def test_a_class_conditional_gmm_takes_the_classifiers_prediction(
    client: TestClient, path: str
) -> None:
    predicted = post(client, "/classify", {"model": "tiny-cgmm", "inputs": POINTS})["predicted"]
    assert post(client, path, {"model": "tiny-cgmm", "inputs": POINTS})["labels"] == predicted


@pytest.mark.parametrize("path", ["/encode", "/reconstruct", "/sample"])
def test_an_unconditional_model_answers_without_labels(client: TestClient, path: str) -> None:
    body = {"model": "tiny-gmm", **({"n": 2} if path == "/sample" else {"inputs": POINTS[:2]})}
    assert "labels" not in post(client, path, body)


def test_labelled_and_unlabelled_encodings_are_the_same_batched_or_alone(
    settings: Settings,
) -> None:
    calls = [("/encode", {"model": "tiny-cvae", "inputs": ROWS[i % 4 : i % 4 + 1 + i % 2],
                          **({"labels": [CLASSES[i % 3]]} if i % 2 else {})}) for i in range(8)]
    batched, alone = batched_and_alone(settings, calls)
    for together, single in zip(batched, alone, strict=True):
        assert together["labels"] == single["labels"]
        np.testing.assert_allclose(together["encoding"]["mean"], single["encoding"]["mean"],
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model", ["tiny-cvae", "tiny-cgmm"])
def test_samples_without_labels_report_the_classes_drawn(client: TestClient, model: str) -> None:
    drawn = post(client, "/sample", {"model": model, "n": 12, "seed": 5})
    assert len(drawn["labels"]) == 12 and set(drawn["labels"]) <= set(CLASSES)
    again = post(client, "/sample", {"model": model, "n": 12, "seed": 5,
                                     "labels": drawn["labels"]})
    assert again["samples"] == drawn["samples"] and again["labels"] == drawn["labels"]


def test_the_classifier_agrees_with_the_classes_a_cgmm_reports(client: TestClient) -> None:
    drawn = post(client, "/sample", {"model": "tiny-cgmm", "n": 12, "seed": 6,
                                     "temperature": 0.3})
    predicted = post(client, "/classify", {"model": "tiny-cgmm", "inputs": drawn["samples"]})
    assert predicted["predicted"] == drawn["labels"]


def test_samples_with_labels_report_them_by_name(client: TestClient) -> None:
    answer = post(client, "/sample", {"model": "tiny-cvae", "n": 3, "labels": [2]})
    assert answer["labels"] == ["owl"] * 3


def test_cvae_log_px_is_logsumexp_of_the_labelled_estimates_under_one_seed(
    client: TestClient,
) -> None:
    body = {"model": "tiny-cvae", "inputs": ROWS, "importance_samples": 20, "seed": 9}
    prior = post(client, "/classify", {**body})["log_prior"]
    marginal = post(client, "/log-likelihood", body)
    per_class = [post(client, "/log-likelihood", {**body, "labels": [c]}) for c in CLASSES]
    for key in ("log_likelihood", "elbo"):
        joint = np.asarray([scores[key] for scores in per_class]).T + [prior[c] for c in CLASSES]
        np.testing.assert_allclose(marginal[key], np.logaddexp.reduce(joint, axis=1),
                                   rtol=0, atol=1e-4)


@pytest.mark.parametrize(
    ("path", "body", "rule"),
    [
        ("/sample", {"model": "tiny-cvae", "labels": ["zebra"]}, "classes"),
        ("/sample", {"model": "tiny-cgmm", "labels": [3]}, "classes"),
        ("/sample", {"model": "tiny-cvae", "n": 3, "labels": [0, 1]}, "one_per_example"),
        ("/sample", {"model": "tiny-vae", "labels": [0]}, "conditional"),
        ("/log-likelihood", {"model": "tiny-cvae", "inputs": ROWS[:2], "labels": [0, 1, 0]},
         "one_per_example"),
        ("/log-likelihood", {"model": "tiny-cvae", "inputs": ROWS[:1], "labels": [-1]},
         "classes"),
        ("/log-likelihood", {"model": "tiny-gmm", "inputs": POINTS[:1], "labels": [0]},
         "conditional"),
        ("/interpolate", {"model": "tiny-cvae", "inputs": ROWS[:1], "labels": ["cat", "cow"]},
         "classes"),
        ("/interpolate", {"model": "tiny-vae", "inputs": [[0.5] * 64], "labels": [0, 1]},
         "conditional"),
        ("/encode", {"model": "tiny-vae", "inputs": [[0.5] * 64], "labels": [0]}, "conditional"),
        ("/reconstruct", {"model": "tiny-gmm", "inputs": POINTS[:1], "labels": ["cat"]},
         "conditional"),
        ("/encode", {"model": "tiny-cgmm", "inputs": POINTS[:1], "labels": ["cow"]}, "classes"),
        ("/reconstruct", {"model": "tiny-cvae", "inputs": ROWS[:1], "labels": [3]}, "classes"),
        ("/reconstruct", {"model": "tiny-cvae", "inputs": ROWS[:3], "labels": [0, 1]},
         "one_per_example"),
    ],
)
def test_a_label_the_model_cannot_take_is_a_422_naming_labels(
    client: TestClient, path: str, body: dict[str, Any], rule: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == ("labels", rule)


def test_classify_on_an_unconditional_model_is_refused(client: TestClient) -> None:
    response = client.post("/classify", json={"model": "tiny-gmm", "inputs": POINTS[:1]})
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "capabilities"


def test_the_python_client_passes_labels_and_classifies(client: TestClient) -> None:
    from genserve_client import Client

    gs = Client()
    gs._http = client  # type: ignore[assignment]  # the app in-process: an httpx.Client
    info = gs.model("tiny-cgmm")
    assert info.conditional and info.classes == CLASSES
    owls = gs.sample(3, model="tiny-cgmm", seed=2, labels="owl").samples
    assert gs.classify(owls, model="tiny-cgmm").predicted == ["owl"] * 3
    result = gs.classify(POINTS, model="tiny-cgmm")
    np.testing.assert_allclose(result.probabilities.sum(1), 1.0, rtol=1e-6)
    given = gs.log_likelihood(POINTS[:2], model="tiny-cgmm", labels=["cat", 1]).log_likelihood
    np.testing.assert_allclose(given, [result.log_likelihood_per_class[0, 0],
                                       result.log_likelihood_per_class[1, 1]], rtol=1e-5)
    path = gs.interpolate(ROWS[0], None, model="tiny-cvae", steps=3, labels=["cat", "dog"])
    assert path.path.shape == (3, 4, 4)


def test_a_cvae_reference_scores_a_class_share_of_the_rows(client: TestClient) -> None:
    from app import visuals

    answer = client.get("/models/tiny-cvae/reference", params={"importance_samples": 100})
    assert answer.status_code == 200, answer.text
    assert answer.json()["n"] == visuals.MAX_REFERENCE_ROWS // len(CLASSES)
    assert "per class" in answer.json()["estimator"]


@pytest.mark.parametrize("kind", ["cvae", "cgmm"])
def test_a_conditional_job_needs_a_labelled_dataset(client: TestClient, kind: str) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    refused = client.post("/jobs", headers=auth, json={
        "kind": kind, "name": f"my-{kind}", "dataset": "pinwheel"})
    assert refused.status_code == 422, refused.text
    assert (refused.json()["error"]["field"], refused.json()["error"]["rule"]) == (
        "dataset", "labelled")
    queued = client.post("/jobs", headers=auth, json={
        "kind": kind, "name": f"my-{kind}", "dataset": "digits"})
    assert queued.status_code == 202, queued.text


@pytest.mark.parametrize("label", [1.5, True, [1], {"a": 1}, None])
def test_a_label_of_another_type_is_named_once_as_a_class_label(
    client: TestClient, label: object
) -> None:
    response = client.post("/sample", json={"model": "tiny-cvae", "labels": [label]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["rule"]) == ("labels[0]", "class_label")
