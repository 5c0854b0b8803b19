"""LitServe 0.2.19 serving genserve's VAE with LitServe's own batching (max 64, 5 ms).

Run from the benchmark's own environment (``bench/.venv``, never genserve's dependencies):

    PYTHONPATH=. bench/.venv/bin/python -m bench._litserve_app --port 8011 --model-dir DIR

One LitAPI per operation (``/sample``, ``/reconstruct``, ``/log-likelihood``), each with the
batched maths genserve's batcher uses (per-request generators, one decode for the batch), so the
comparison is between the serving stacks, not the models. Answers are JSON lists, as LitServe's
examples write them. (No ``from __future__ import annotations``: LitServe reads the annotation
of ``decode_request``'s argument to build its endpoint, so that argument has none.)
"""

import argparse
from typing import Any

import litserve as ls
import torch

from models import load_model

MAX_BATCH_SIZE = 64
BATCH_TIMEOUT_S = 0.005


def _generator(seed: int | None) -> torch.Generator:
    generator = torch.Generator()
    return generator.manual_seed(seed) if seed is not None else generator


class _VAEAPI(ls.LitAPI):  # type: ignore[misc]
    def __init__(self, model_dir: str, api_path: str) -> None:
        super().__init__(
            max_batch_size=MAX_BATCH_SIZE, batch_timeout=BATCH_TIMEOUT_S, api_path=api_path
        )
        self.model_dir = model_dir

    def setup(self, device: str) -> None:
        self.model = load_model(self.model_dir)
        self.shape = list(self.model.data.shape)

    def batch(self, inputs: list[Any]) -> list[Any]:
        return inputs  # requests differ in size and seed: predict handles the list

    def unbatch(self, output: list[Any]) -> list[Any]:
        return output


class SampleAPI(_VAEAPI):
    def decode_request(self, request, **kwargs: Any) -> tuple[int, int | None]:
        return int(request.get("n", 16)), request.get("seed")

    def predict(self, batch: list[tuple[int, int | None]], **kwargs: Any) -> list[Any]:
        with torch.inference_mode():
            noises = [self.model.sample_noise(n, generator=_generator(seed)) for n, seed in batch]
            z = {key: torch.cat([noise[key] for noise in noises]) for key in noises[0]}
            samples = self.model.sample_from_noise(z)
        return list(samples.split([n for n, _ in batch]))

    def encode_response(self, output: torch.Tensor, **kwargs: Any) -> dict[str, Any]:
        return {
            "shape": [len(output), *self.shape],
            "samples": output.reshape(-1, *self.shape).tolist(),
        }


class ReconstructAPI(_VAEAPI):
    def decode_request(self, request, **kwargs: Any) -> torch.Tensor:
        return torch.tensor(request["inputs"], dtype=torch.float32)

    def predict(self, batch: list[torch.Tensor], **kwargs: Any) -> list[Any]:
        with torch.inference_mode():
            rows = self.model.reconstruct(torch.cat(batch))
        return list(rows.split([len(x) for x in batch]))

    def encode_response(self, output: torch.Tensor, **kwargs: Any) -> dict[str, Any]:
        return {
            "shape": [len(output), *self.shape],
            "reconstructions": output.reshape(-1, *self.shape).tolist(),
        }


class LogLikelihoodAPI(_VAEAPI):
    def decode_request(
        self, request, **kwargs: Any
    ) -> tuple[torch.Tensor, int, int | None]:
        x = torch.tensor(request["inputs"], dtype=torch.float32)
        return x, int(request.get("importance_samples", 100)), request.get("seed")

    def predict(self, batch: list[tuple[torch.Tensor, int, int | None]], **kwargs: Any) -> Any:
        outputs: list[Any] = []
        by_k: dict[int, list[int]] = {}
        for i, (_, k, _) in enumerate(batch):
            by_k.setdefault(k, []).append(i)
        results: dict[int, Any] = {}
        with torch.inference_mode():
            for k, members in by_k.items():
                x = torch.cat([batch[i][0] for i in members])
                groups = [(len(batch[i][0]), _generator(batch[i][2])) for i in members]
                scores = self.model.log_likelihood(x, importance_samples=k, groups=groups)
                sizes = [len(batch[i][0]) for i in members]
                parts = {key: value.split(sizes) for key, value in scores.items()}
                for j, i in enumerate(members):
                    results[i] = {key: parts[key][j] for key in parts}
        outputs = [results[i] for i in range(len(batch))]
        return outputs

    def encode_response(self, output: dict[str, torch.Tensor], **kwargs: Any) -> dict[str, Any]:
        return {key: value.tolist() for key, value in output.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--model-dir", required=True)
    args = parser.parse_args()
    apis = [
        SampleAPI(args.model_dir, "/sample"),
        ReconstructAPI(args.model_dir, "/reconstruct"),
        LogLikelihoodAPI(args.model_dir, "/log-likelihood"),
    ]
    server = ls.LitServer(apis, accelerator="cpu", workers_per_device=1)
    server.run(
        host="127.0.0.1", port=args.port, log_level="warning", generate_client_file=False,
        access_log=False,
    )


if __name__ == "__main__":
    main()
