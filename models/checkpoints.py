"""Training checkpoints: model, Adam state and random state, so long fits can stop and resume.

Everything tensor-valued goes through safetensors and everything else through JSON, like the
shipped weights: resuming never unpickles anything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

__all__ = ["Checkpoint", "checkpoint_epoch", "load_checkpoint", "save_checkpoint"]

_TENSORS = "checkpoint.safetensors"
_STATE = "checkpoint.json"


class Checkpoint(dict[str, Any]):
    """``epoch``, ``history`` and whatever else the loop stored in JSON."""


def save_checkpoint(
    directory: Path, *, model: torch.nn.Module, optimiser: torch.optim.Optimizer,
    generator: torch.Generator, state: dict[str, Any],
) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    optimiser_state = optimiser.state_dict()
    for index, slots in optimiser_state["state"].items():
        for name, value in slots.items():
            tensors[f"optimizer.{index}.{name}"] = torch.as_tensor(value).detach().cpu()
    tensors["generator"] = generator.get_state()
    meta = {**state, "param_groups": optimiser_state["param_groups"]}
    for name, payload in ((_TENSORS, None), (_STATE, meta)):
        partial = directory / f".{name}.partial"
        if payload is None:
            save_file(tensors, str(partial))
        else:
            partial.write_text(json.dumps(payload))
        os.replace(partial, directory / name)


def load_checkpoint(
    directory: Path, *, model: torch.nn.Module, optimiser: torch.optim.Optimizer,
    generator: torch.Generator,
) -> Checkpoint | None:
    """Restore into the given objects; None when the folder holds no checkpoint."""
    if not (directory / _TENSORS).is_file() or not (directory / _STATE).is_file():
        return None
    tensors = load_file(str(directory / _TENSORS))
    meta = json.loads((directory / _STATE).read_text())
    device = next(model.parameters()).device
    model.load_state_dict(
        {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    )
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            slots.setdefault(int(index), {})[name] = value if name == "step" else value.to(device)
    optimiser.load_state_dict({"state": slots, "param_groups": meta.pop("param_groups")})
    generator.set_state(tensors["generator"])
    return Checkpoint(meta)


def checkpoint_epoch(directory: Path) -> int | None:
    """The last epoch saved in ``directory`` (a resumed fit starts after it); None when there
    is no complete checkpoint."""
    if not (directory / _TENSORS).is_file() or not (directory / _STATE).is_file():
        return None
    epoch = json.loads((directory / _STATE).read_text()).get("epoch")
    return int(epoch) if isinstance(epoch, int) else None
