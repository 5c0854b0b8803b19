"""The service calls only what ``models.GenerativeModel`` declares: read from the source, every
attribute the serving code takes from a model is declared on the base class."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from torch import nn

from models import GenerativeModel

APP = Path(__file__).resolve().parents[2] / "app"
# the serving code: what the CLI and the training jobs do with a model is the plugins' contract
SERVING = sorted(
    [APP / name for name in ("admission.py", "batching.py", "inference.py", "operations.py",
                             "registry.py", "visuals.py")]
    + list((APP / "routers").glob("*.py")),
)


def _model_attributes(tree: ast.AST) -> set[str]:
    """Names read from ``model`` / ``<x>.model`` (``loaded.model``, ``call.model``)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if (isinstance(owner, ast.Name) and owner.id == "model") or (
            isinstance(owner, ast.Attribute) and owner.attr == "model"
            and not (isinstance(owner.value, ast.Name) and owner.value.id == "request")
        ):
            found.add(node.attr)
    return found


def _declared(name: str) -> bool:
    own = name in vars(GenerativeModel) or name in GenerativeModel.__annotations__
    return own or hasattr(nn.Module, name)


@pytest.mark.parametrize("path", SERVING, ids=lambda p: str(p.relative_to(APP)))
def test_the_serving_code_reads_only_declared_model_attributes(path: Path) -> None:
    used = _model_attributes(ast.parse(path.read_text()))
    assert sorted(name for name in used if not _declared(name)) == []


def test_the_check_sees_the_batch_functions_calls() -> None:
    """The reader above could pass by finding nothing: it finds the batch functions' calls."""
    used = _model_attributes(ast.parse((APP / "batching.py").read_text()))
    assert {"sample_noise", "sample_from_noise", "log_likelihood", "encode"} <= used
    assert not _declared("fit")  # and a name the base does not declare fails it
