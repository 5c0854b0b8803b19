"""The baseline a FastAPI user writes first: declared pydantic request and response models.

Sync endpoints (FastAPI runs them in its thread pool), answers as ``tensor.tolist()`` validated
and serialised by the declared ``response_model``: the best of the plain paths the issue measured.
The model is genserve's own (same maths, same weights), loaded from ``BENCH_MODEL_DIR``.

    BENCH_MODEL_DIR=... uvicorn bench._plain_fastapi:app
"""

from __future__ import annotations

import os
from typing import Any

import torch
from fastapi import FastAPI
from pydantic import BaseModel, Field

from models import load_model

model = load_model(os.environ["BENCH_MODEL_DIR"])
shape = list(model.data.shape)
app = FastAPI()


class SampleIn(BaseModel):
    n: int = Field(default=16, ge=1, le=256)
    seed: int | None = None
    model: str | None = None


class SampleOut(BaseModel):
    shape: list[int]
    samples: list[list[list[float]]]


class InputsIn(BaseModel):
    inputs: list[list[float]]
    importance_samples: int = Field(default=100, ge=1, le=5000)
    seed: int | None = None
    model: str | None = None


class ReconstructOut(BaseModel):
    shape: list[int]
    reconstructions: list[list[list[float]]]


class LogLikelihoodOut(BaseModel):
    log_likelihood: list[float]
    elbo: list[float]


def _generator(seed: int | None) -> torch.Generator:
    generator = torch.Generator()
    return generator.manual_seed(seed) if seed is not None else generator


@app.get("/health")
def health() -> dict[str, Any]:
    return {"status": "ok"}


@app.post("/sample", response_model=SampleOut)
def sample(request: SampleIn) -> dict[str, Any]:
    with torch.inference_mode():
        x = model.sample(request.n, generator=_generator(request.seed))
    return {"shape": [request.n, *shape], "samples": x.reshape(-1, *shape).tolist()}


@app.post("/reconstruct", response_model=ReconstructOut)
def reconstruct(request: InputsIn) -> dict[str, Any]:
    with torch.inference_mode():
        x = model.reconstruct(torch.tensor(request.inputs))
    return {"shape": [len(x), *shape], "reconstructions": x.reshape(-1, *shape).tolist()}


@app.post("/log-likelihood", response_model=LogLikelihoodOut)
def log_likelihood(request: InputsIn) -> dict[str, Any]:
    with torch.inference_mode():
        scores = model.log_likelihood(
            torch.tensor(request.inputs), importance_samples=request.importance_samples,
            generator=_generator(request.seed),
        )
    return {key: value.tolist() for key, value in scores.items()}
