"""``genserve``: train a model into ``weights/`` or start the service.

    genserve train vae --dataset digits --epochs 50 --out weights/digits-vae
    genserve train gmm --dataset pinwheel --components 10 --out weights/pinwheel-gmm
    genserve serve --port 8000
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``key=value`` pairs, values read as JSON when they parse (numbers, lists), else text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--param expects key=value, got {pair!r}")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def _progress_printer(kind: str) -> Any:
    def report(event: Mapping[str, float]) -> None:
        if kind == "vae":
            print(
                f"epoch {int(event['epoch']):4d}/{int(event['epochs'])}  "
                f"train loss {event['train_loss']:10.3f}  test ELBO {event['test_elbo']:10.3f}  "
                f"{event['elapsed_s']:7.1f}s",
                flush=True,
            )
        else:
            print(
                f"restart {int(event['restart'])}  iteration {int(event['iteration']):4d}  "
                f"mean log-likelihood {event['log_likelihood']:12.4f}  {event['elapsed_s']:7.1f}s",
                flush=True,
            )

    return report


def _train(args: argparse.Namespace) -> int:
    from models.datasets import load_dataset
    from models.gmm import GMMHyperparameters
    from models.storage import publish_model
    from models.training import SplitOptions, VAETrainingOptions, train_gmm, train_vae
    from models.vae import VAEHyperparameters

    dataset = load_dataset(args.dataset)
    params = _parse_params(args.param)
    split = {
        "test_fraction": args.test_fraction, "split_seed": args.split_seed,
        "binarize": args.binarize,
    }
    progress = None if args.quiet else _progress_printer(args.kind)
    if args.kind == "vae":
        hparams: Any = VAEHyperparameters.model_validate(
            {"latent_dim": args.latent_dim, "hidden_sizes": args.hidden,
             "likelihood": args.likelihood, **params}
        )
        options = VAETrainingOptions(
            epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
            lr_schedule=args.lr_schedule, objective=args.objective, train_k=args.train_k,
            seed=args.seed, eval_importance_samples=args.eval_k,
            checkpoint_every=args.checkpoint_every, **split,
        )
        model: Any = train_vae(
            dataset, hparams, options, progress=progress,
            checkpoint_dir=Path(args.checkpoint_dir) if args.checkpoint_dir else None,
        )
    else:
        hparams = GMMHyperparameters.model_validate(
            {"n_components": args.components, "covariance_type": args.covariance,
             "n_init": args.n_init, "max_iter": args.max_iter, "seed": args.seed, **params}
        )
        model = train_gmm(dataset, hparams, split=SplitOptions(**split), progress=progress)
    out = Path(args.out)
    version = publish_model(model, out.parent, out.name)
    print(json.dumps({"model": out.name, "version": version, "metrics": model.metrics}, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.config import Settings

    settings = Settings()
    uvicorn.run(
        "app.main:app", host=args.host or settings.host, port=args.port or settings.port,
        log_level="info",
    )
    return 0


def _hidden_sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()] if text else []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genserve", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="fit a model and publish it as a new version")
    train.add_argument("kind", choices=["vae", "gmm"])
    train.add_argument("--dataset", required=True, help="digits, pinwheel, two-moons or a path")
    train.add_argument("--out", required=True, help="model folder, e.g. weights/digits-vae")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--test-fraction", type=float, default=0.25)
    train.add_argument("--split-seed", type=int, default=0)
    train.add_argument(
        "--binarize", choices=["dynamic", "static", "threshold"], default=None,
        help="binarise discrete images (MNIST-style log-likelihood tables use dynamic)",
    )
    train.add_argument("--param", action="append", default=[], help="extra key=value")
    train.add_argument("--quiet", action="store_true")
    vae = train.add_argument_group("VAE")
    vae.add_argument("--epochs", type=int, default=50)
    vae.add_argument("--batch-size", type=int, default=128)
    vae.add_argument("--learning-rate", type=float, default=1e-3)
    vae.add_argument("--latent-dim", type=int, default=8)
    vae.add_argument("--hidden", type=_hidden_sizes, default=[128, 128], help="e.g. 256,128")
    vae.add_argument("--likelihood", choices=["bernoulli", "gaussian"], default="gaussian")
    vae.add_argument("--eval-k", type=int, default=1000, help="importance samples for metrics")
    vae.add_argument("--objective", choices=["elbo", "iwae"], default="elbo")
    vae.add_argument("--train-k", type=int, default=1, help="importance samples (iwae)")
    vae.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant")
    vae.add_argument("--checkpoint-dir", default=None, help="save and resume training state")
    vae.add_argument("--checkpoint-every", type=int, default=10, help="epochs per checkpoint")
    gmm = train.add_argument_group("GMM")
    gmm.add_argument("--components", type=int, default=8)
    gmm.add_argument("--covariance", choices=["full", "diag", "spherical", "tied"], default="full")
    gmm.add_argument("--n-init", type=int, default=3)
    gmm.add_argument("--max-iter", type=int, default=200)

    serve = commands.add_parser("serve", help="start the HTTP service (uvicorn app.main:app)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    handlers = {"train": _train, "serve": _serve}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
