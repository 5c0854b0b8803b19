"""Early stopping for the VAE's training loop: a validation split carved from the training rows,
its ELBO at regular checks, and the weights of the best check.

Training stops once the validation ELBO has not beaten its best by ``min_delta`` for
``patience`` checks in a row (Prechelt 1998, "Early Stopping - But When?"; Keras's
``EarlyStopping(restore_best_weights=True)``), and the loop hands back the best check's weights.
The validation rows are never the test split: the held-out figure and the training gate stay
untouched by the choice of when to stop.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from models.datasets import DatasetSplit

__all__ = ["MIN_VALIDATION_ROWS", "EarlyStopping", "ValidationSplit", "carve_validation",
           "validation_rows"]

MIN_VALIDATION_ROWS = 10
"""Validation rows a job needs (checked before it is queued, ``models.kinds``): the ELBO of a
handful of rows is too noisy to stop on. The library itself only needs one."""


def validation_rows(n_train: int, fraction: float) -> int:
    """How many of ``n_train`` training rows ``carve_validation`` holds back."""
    return min(n_train - 1, max(1, round(fraction * n_train)))


@dataclass(frozen=True)
class ValidationSplit:
    """The training split less its validation rows, and those rows (fixed: a dynamically
    binarised set is drawn once, so every check scores the same data)."""

    rows: DatasetSplit
    x: NDArray[np.float32]
    labels: NDArray[np.int64] | None


def carve_validation(rows: DatasetSplit, fraction: float, seed: int) -> ValidationSplit:
    """Hold back ``round(fraction x n_train)`` training rows (at least one, and at least one
    left to train on), chosen by ``seed``; the test split is not touched."""
    n = len(rows.train)
    if n < 2:
        raise ValueError(
            f"early stopping needs a validation split: the training split has {n} row(s); "
            "set early_stopping_patience to 0"
        )
    n_val = validation_rows(n, fraction)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    held, kept = np.sort(order[:n_val]), np.sort(order[n_val:])
    x = rows.train[held]
    if rows.dynamic_binarization:  # one fixed draw, as the test split has
        x = (rng.random(x.shape) < x).astype(np.float32)
    labels = rows.train_labels
    train_rows = dataclasses.replace(
        rows, train=rows.train[kept], train_labels=None if labels is None else labels[kept]
    )
    return ValidationSplit(train_rows, x, None if labels is None else labels[held])


@dataclass
class EarlyStopping:
    """The checks' bookkeeping: the best validation ELBO, its step and weights, and the counted
    checks since it last improved by ``min_delta``.

    Every check competes for the best weights, from the first one on; only counted checks
    (``update(..., count=True)``: the training loop counts those after the KL warm-up) move
    patience, so training never stops during the warm-up yet the weights it hands back may come
    from it (a raised budget can overfit before its warm-up ends).

    A check that beats the best by less than ``min_delta`` still becomes the best (its weights
    are the ones handed back) but does not reset the count: training stops on a plateau, and
    the model returned is the best one seen.
    """

    patience: int
    min_delta: float
    best: float = -math.inf
    best_step: int | None = None
    best_epoch: int | None = None
    checks: int = 0
    since_improvement: int = 0
    best_state: dict[str, torch.Tensor] | None = field(default=None, repr=False)

    def update(self, elbo: float, model: torch.nn.Module, *, step: int, epoch: int,
               count: bool = True) -> bool:
        """Record one check; True when training should stop (never for an uncounted check)."""
        self.checks += 1
        if count:
            if elbo > self.best + self.min_delta:
                self.since_improvement = 0
            else:
                self.since_improvement += 1
        if elbo > self.best:
            self.best, self.best_step, self.best_epoch = elbo, step, epoch
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return count and self.since_improvement >= self.patience

    def restore_best(self, model: torch.nn.Module) -> bool:
        """Load the best check's weights into ``model``; False when there was no check."""
        if self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True

    def state(self) -> dict[str, Any]:
        """The JSON part of a checkpoint (the best weights go beside it as tensors)."""
        return {
            "best": self.best if math.isfinite(self.best) else None,
            "best_step": self.best_step, "best_epoch": self.best_epoch,
            "checks": self.checks, "since_improvement": self.since_improvement,
        }

    def load_state(self, state: dict[str, Any], best_state: dict[str, torch.Tensor] | None
                   ) -> None:
        best = state.get("best")
        self.best = -math.inf if best is None else float(best)
        self.best_step, self.best_epoch = state.get("best_step"), state.get("best_epoch")
        self.checks = int(state.get("checks", 0))
        self.since_improvement = int(state.get("since_improvement", 0))
        self.best_state = best_state
