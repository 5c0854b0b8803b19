"""Class labels in requests (the conditional-generation convention): by name or index for a
conditional model, refused with the field and the rule otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from app.errors import InvalidInput
from app.inference import InferenceService
from app.registry import LoadedModel
from models import DataSpec
from tests.app.toy_model import Toy, ToyHyperparameters

CLASSES = ["cat", "dog", "owl"]


class ConditionalToy(Toy):
    conditional = True

    def infer_labels(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(len(x), dtype=torch.int64)


def _loaded(model: Toy) -> LoadedModel:
    return LoadedModel("toy", 1, model, Path("."))


@pytest.fixture
def conditional() -> LoadedModel:
    data = DataSpec(shape=(2,), dataset="toy", classes=CLASSES)
    return _loaded(ConditionalToy(ToyHyperparameters(), data))


def test_labels_by_name_or_index_become_class_indices(conditional: LoadedModel) -> None:
    labels = InferenceService.labels(["owl", 0, "dog"], conditional, 3)
    assert labels is not None and labels.dtype == torch.int64
    assert labels.tolist() == [2, 0, 1]


def test_no_labels_is_none(conditional: LoadedModel) -> None:
    assert InferenceService.labels(None, conditional, 3) is None


@pytest.mark.parametrize("label", ["emu", 3, -1, True])
def test_a_label_outside_the_classes_is_refused(conditional: LoadedModel, label: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        InferenceService.labels([label], conditional, 1)  # type: ignore[list-item]
    assert (refused.value.status_code, refused.value.field, refused.value.rule) == (
        422, "labels", "classes")


def test_one_label_per_example(conditional: LoadedModel) -> None:
    with pytest.raises(InvalidInput, match="one per example"):
        InferenceService.labels(["cat", "cat", "cat"], conditional, 2)


def test_one_label_for_all_examples(conditional: LoadedModel) -> None:
    one = InferenceService.labels(["cat"], conditional, 3)
    assert one is not None and one.tolist() == [CLASSES.index("cat")] * 3


def test_labels_for_a_model_that_is_not_conditional_are_refused() -> None:
    plain = _loaded(Toy(ToyHyperparameters(), DataSpec(shape=(2,), classes=CLASSES)))
    with pytest.raises(InvalidInput) as refused:
        InferenceService.labels(["cat"], plain, 1)
    assert (refused.value.field, refused.value.rule) == ("labels", "conditional")
