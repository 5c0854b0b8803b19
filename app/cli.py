"""``genserve``: train a model into ``weights/`` or start the service.

    genserve train vae --dataset digits --out weights/digits-vae
    genserve train gmm --dataset pinwheel --components 10 --out weights/pinwheel-gmm
    genserve train gmm --dataset pinwheel --name my-gmm       # into the model store, gated
    genserve train gmm --dataset pinwheel --name my-gmm --server http://127.0.0.1:8000
    genserve serve --port 8000
    genserve worker --workers 2
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
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


def _progress_printer() -> Any:
    def report(event: Mapping[str, float]) -> None:
        if event.get("phase") == "evaluation":  # the final evaluation's progress: no line
            return
        print(_describe_step(event) + f"  {float(event.get('elapsed_s', 0.0)):7.1f}s", flush=True)

    return report


def _describe_step(event: Mapping[str, Any]) -> str:
    """One line of a fit's progress, by what the event holds (epochs, iterations, else its
    numbers): the same for every kind, local or remote."""
    if "epoch" in event and "test_elbo" in event:
        epochs = f"/{int(event['epochs'])}" if "epochs" in event else ""
        return (f"epoch {int(event['epoch']):4d}{epochs}  train loss "
                f"{float(event['train_loss']):10.3f}  test ELBO {float(event['test_elbo']):10.3f}")
    if "iteration" in event:
        value = event.get("log_likelihood", event.get("train_log_likelihood", float("nan")))
        return (f"restart {int(event.get('restart', 0))}  iteration "
                f"{int(event['iteration']):4d}  mean log-likelihood {float(value):12.4f}")
    return "  ".join(f"{k} {v:g}" for k, v in event.items()
                     if isinstance(v, int | float) and k not in ("progress", "elapsed_s", "step"))


_SHARED_OPTIONS = {"seed": "seed", "test_fraction": "test_fraction",
                   "split_seed": "split_seed", "binarize": "binarize"}
_RESERVED = {"command", "kind", "dataset", "out", "server", "api_key", "name", "promote",
             "param", "quiet", "init_from", "checkpoint_dir"}
"""Destinations of the train command's own options: no kind's parameter may take them."""


def _kind_options(kind: Any) -> dict[str, str]:
    """Command-line option -> job parameter for ``kind``: its short names (``--components``),
    and every other parameter under its own name (``--reg-covar``). Options left out are not
    sent, so a local run and a job take the same defaults (the kind's own), which follow the
    data."""
    fields = {name for part in kind.parts for name in part.model_fields}
    shared = {option: param for option, param in _SHARED_OPTIONS.items() if param in fields}
    own = fields - _RESERVED - set(kind.cli_options.values())
    return {**shared, **{f: f for f in own}, **kind.cli_options}


def _job_params(args: argparse.Namespace) -> dict[str, Any]:
    """The job's params from the options given: the one mapping for a local run and a remote
    job alike. An option of another kind is refused, not dropped."""
    from models.kinds import get_kind, kinds

    options = _kind_options(get_kind(args.kind))
    others = {option for kind in kinds().values() for option in _kind_options(kind)}
    stray = sorted(option for option in others - set(options)
                   if getattr(args, option, None) is not None)
    if stray:
        names = ", ".join("--" + option.replace("_", "-") for option in stray)
        raise SystemExit(f"genserve train {args.kind}: {names} is not an option of a "
                         f"{args.kind}; see genserve train --help")
    given = {param: getattr(args, option) for option, param in options.items()
             if getattr(args, option, None) is not None}
    return {**given, **_parse_params(args.param)}


def _server_model(text: str) -> dict[str, Any]:
    """``name`` or ``name/version`` of a model on the server (``--init-from`` with ``--server``)."""
    model, _, version = text.strip("/").partition("/")
    if version and not version.isdigit():
        raise SystemExit(f"--init-from {text!r}: use a model name or name/version on the server")
    return {"model": model, **({"version": int(version)} if version else {})}


def _remote_body(args: argparse.Namespace) -> dict[str, Any]:
    """The ``POST /jobs`` body of ``genserve train ... --server``."""
    name = args.name or (Path(args.out).name if args.out else None)
    if not name:
        raise SystemExit("--server needs --name (or --out) for the model's name")
    body: dict[str, Any] = {"kind": args.kind, "name": name, "dataset": args.dataset,
                            "params": _job_params(args), "promote": args.promote}
    if args.init_from:
        body["init_from"] = _server_model(args.init_from)
    return body


def _client(server: str, api_key: str | None) -> Any:
    """The HTTP client of remote mode (tests swap it for one on a mock transport)."""
    from genserve_client import Client

    return Client(server.rstrip("/"), api_key=api_key, timeout=30.0)


def _train_remote(args: argparse.Namespace) -> int:
    from app.cli_progress import follow_job
    from genserve_client import APIError, JobFailed

    body = _remote_body(args)
    try:
        with _client(args.server, args.api_key) as client:
            job = client.submit_job(
                body["kind"], body["name"], body["dataset"], body["params"],
                promote=body["promote"], init_from=body.get("init_from"),
            )
            print(f"submitted job {job.id} to {args.server}", file=sys.stderr)
            final = follow_job(client, job.id)
    except APIError as exc:
        detail = f" (field {exc.field}, rule {exc.rule})" if exc.field or exc.rule else ""
        print(f"error: server answered {exc.status_code}: {exc.message}{detail}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopped following; the job goes on (DELETE /jobs/{id} cancels it)",
              file=sys.stderr)
        return 130
    if final.status != "succeeded":
        print(f"error: {JobFailed(final)}", file=sys.stderr)
        return 1
    result = final.result or {}
    _report(result["model"], result["version"], result["metrics"],
            result.get("promoted", True), result.get("gate"), job=final.id)
    return 0


_UNKNOWN: Any = object()


def _report(
    name: str, version: int, metrics: Mapping[str, Any], promoted: bool,
    gate: Mapping[str, Any] | None, stable: int | None = _UNKNOWN, **extra: Any,
) -> None:
    """The new version as JSON on stdout; on stderr, plainly, whether it went live.
    ``stable``: the model's stable version now, None when it has none (unknown: not said)."""
    print(json.dumps({"model": name, "version": version, **extra, "promoted": promoted,
                      "gate": gate, "metrics": metrics}, indent=2))
    reasons = "; ".join((gate or {}).get("reasons", []))
    if promoted:
        print(f"{name} version {version} is now stable", file=sys.stderr)
        return
    if stable is None:
        others = (f"{name} has no stable version, so requests without a version are refused "
                  f"until one is named or promoted (PUT /models/{name}/aliases/stable)")
    elif stable is _UNKNOWN:
        others = "requests without a version keep the stable version, if the model has one"
    else:
        others = f"requests without a version keep the stable one (version {stable})"
    print(f"NOT PROMOTED: {name} version {version} is stored and answers only when named "
          f"(version {version}); {others}. Why: {reasons}", file=sys.stderr)


def _train(args: argparse.Namespace) -> int:
    if args.server:
        return _train_remote(args)
    if not args.out and not args.name:
        raise SystemExit("genserve train: give --name (the model store), --out (a folder) or "
                         "--server (train remotely)")
    from fastapi.exceptions import RequestValidationError

    from app.errors import InvalidInput
    from app.jobs.params import training_rows, validate_params
    from models.datasets import load_dataset
    from models.names import NAME_RULE, is_valid_name
    from models.storage import publish_model

    if args.name and not is_valid_name(args.name):  # checked before training, not at publish
        raise SystemExit(f"--name {args.name!r}: {NAME_RULE}")
    if args.out and not is_valid_name(Path(args.out).name):
        raise SystemExit(f"--out {args.out!r}: its last part is the model's name: {NAME_RULE}")
    from models.kinds import FitContext, ParameterRefused, get_kind

    kind = get_kind(args.kind)
    job_params = _job_params(args)
    if (args.checkpoint_dir and args.checkpoint_every is None
            and "checkpoint_every" in kind.options.model_fields):
        job_params.setdefault("checkpoint_every", 10)
    try:
        params = validate_params(args.kind, job_params)
    except RequestValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}"
                             for e in exc.errors())
        raise SystemExit(f"genserve train: {problems}") from None
    from models.datasets import UnknownDataset

    try:
        dataset = load_dataset(args.dataset)
    except UnknownDataset as exc:  # a usage error: one line and argparse's exit code
        print(f"genserve train: --dataset: {exc}", file=sys.stderr)
        return 2
    try:  # the job's rule (app.jobs.params.check_fit)
        n_train = training_rows(
            dataset.name, len(dataset.examples),
            float(getattr(params.options, "test_fraction", 0.25)),
            published_test=dataset.test_examples is not None,
        )
    except InvalidInput as exc:
        raise SystemExit(f"genserve train: {exc.message}") from None
    progress = None if args.quiet else _progress_printer()
    hyperparameters: Any = params.hyperparameters
    warm_start = None
    if args.init_from:
        if kind.warm_start_hyperparameters is None:
            raise SystemExit(f"--init-from: a {kind.name} cannot start from a saved model")
        warm_start = _load_model_of(kind.name, args.init_from, "--init-from")
        try:
            hyperparameters = kind.warm_start_hyperparameters(
                warm_start.hparams.model_dump(mode="json"), job_params
            )
        except ParameterRefused as exc:
            raise SystemExit(f"genserve train: {exc}") from None
    from models.kinds import DataFacts

    facts = DataFacts(name=dataset.name, shape=tuple(dataset.shape), n_train=n_train,
                      levels=dataset.levels, classes=dataset.classes)
    try:
        kind.check_params(hyperparameters, params.options, facts)
    except ParameterRefused as exc:
        raise SystemExit(f"genserve train: {exc}") from None
    context = FitContext(
        checkpoint_dir=Path(args.checkpoint_dir) if args.checkpoint_dir else None,
        warm_start=warm_start,
    )
    model = kind.fit(dataset, hyperparameters, params.options, progress=progress,
                     context=context)
    if args.out:
        out = Path(args.out)
        version = publish_model(model, out.parent, out.name)
        print(json.dumps({"model": out.name, "version": version, "metrics": model.metrics},
                         indent=2))
        return 0
    from app.config import Settings
    from app.model_store import ModelStore, resolve_stable

    settings = Settings()
    store = ModelStore(settings.weights_dir, settings.model_store_dir)
    version, verdict = store.publish(model, args.name, args.promote,
                                     settings.gate_tolerance_nats_per_dim)
    _report(args.name, version, model.metrics, verdict.promoted, verdict.api(),
            stable=resolve_stable(store.promoted(args.name), store.aliases(args.name)),
            store=str(settings.model_store_dir))
    return 0


def _load_model_of(kind: str, path: str, purpose: str) -> Any:
    """The model of ``kind`` at ``path``: a version folder, or a model folder (its latest)."""
    from models import load_model
    from models.storage import list_versions

    folder = Path(path)
    if not (folder / "config.json").is_file():
        versions = list_versions(folder)
        if not versions:
            raise SystemExit(f"{folder} holds no complete model version")
        folder = folder / str(versions[-1])
    model = load_model(folder)
    if model.kind != kind:
        raise SystemExit(f"{folder} is a {model.kind}; {purpose} needs a {kind}")
    return model


def _fit_prior(args: argparse.Namespace) -> int:
    import torch

    from models.datasets import load_dataset
    from models.storage import publish_model
    from models.training import fit_latent_prior
    from models.vae import LatentPriorSpec

    folder = Path(args.model)
    model = _load_model_of("vae", args.model, "a latent prior")
    dataset = load_dataset(args.dataset)
    binarize = model.data.preprocessing.get("binarize")
    if binarize:
        dataset = dataset.binarized(binarize)
    split = model.data.split
    rows = dataset.split(
        test_fraction=float(split.get("test_fraction", 0.25)), seed=int(split.get("seed", 0))
    )
    spec = LatentPriorSpec(n_components=args.components, covariance_type=args.covariance)
    fit_latent_prior(model, rows, spec)
    if args.score_with:
        from models.quality import DigitClassifier, score_priors

        classifier = DigitClassifier.load(args.score_with)
        reference = dataset.test_examples if dataset.test_examples is not None else None
        if reference is None or dataset.levels is None:
            raise SystemExit("--score-with needs a data set with a published test split")
        images = torch.from_numpy(reference.reshape(len(reference), -1) / (dataset.levels - 1))
        model.metrics["sample_scores"] = {
            "metric": "genserve's own: Frechet distance in the features of an MNIST MLP "
            "classifier (not Inception FID), and its mean top-class probability",
            **score_priors(model, classifier, images.float()),
        }
    version = publish_model(model, folder.parent, folder.name)
    print(json.dumps({"model": folder.name, "version": version,
                      "latent_prior": model.training_info["latent_prior"]}, indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app import metrics
    from app.config import Settings
    from app.observability import configure_logging
    from app.server import uvicorn_options

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)  # uvicorn's lines too
    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY", "1"))
    shared_metrics = metrics.shared_between_processes() if workers > 1 else nullcontext()
    with shared_metrics:  # /metrics adds up every process's counters
        uvicorn.run(
            "app.main:app", host=args.host or settings.host, port=args.port or settings.port,
            log_level=settings.log_level.lower(), workers=workers,
            log_config=None,  # one handler on the root logger writes each line, once
            access_log=False,  # genserve logs each request itself, with its id and model
            **uvicorn_options(settings),  # slow and idle connections time out
        )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.config import Settings
    from app.jobs.worker import run_worker
    from app.observability import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    run_worker(settings, workers=args.workers)
    return 0


def _option_type(annotation: Any) -> dict[str, Any]:
    """argparse's ``type``/``choices`` for a parameter's annotation; JSON text otherwise."""
    import types
    import typing

    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if annotation in (int, float, str):
        return {"type": annotation}
    if typing.get_origin(annotation) is typing.Literal:
        values = typing.get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return {"choices": list(values)}
        if all(isinstance(v, int) for v in values):
            return {"type": int, "choices": list(values)}
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (int,):
        return {"type": _hidden_sizes}
    return {"type": _json_value}


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _add_kind_parameters(train: argparse.ArgumentParser, installed: Mapping[str, Any]) -> None:
    """``--<parameter>`` for every parameter of every installed kind that has no option yet,
    so a plugin's kind is trained from the command line as genserve's own are. A kind whose
    options are listed under another heading too (``--components``) has its own group, which
    names them."""
    taken = {action.dest for action in train._actions}
    common = set.intersection(*(set(_kind_options(k)) for k in installed.values()))
    for kind in installed.values():
        group = None
        short = set(kind.cli_options.values())  # --components stands for n_components
        elsewhere = sorted(set(_kind_options(kind)) & taken - common)
        for part in kind.parts:
            for name, info in part.model_fields.items():
                if name in taken or name in _RESERVED or name in short:
                    continue
                taken.add(name)
                if group is None:
                    group = train.add_argument_group(f"{kind.title} ({kind.name})")
                group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None,
                                   help=info.description, **_option_type(info.annotation))
        if elsewhere and kind.name not in ("vae", "gmm"):  # those two groups are written out
            group = group or train.add_argument_group(f"{kind.title} ({kind.name})")
            group.description = "also: " + ", ".join(
                "--" + option.replace("_", "-") for option in elsewhere)


def _say_which_kinds(train: argparse.ArgumentParser, installed: Mapping[str, Any]) -> None:
    """An option only some kinds take says which, in its help: ``--seed`` (gmm, vae), and
    ``--components`` (gmm and any plugin kind that takes it) though it is listed under GMM."""
    takers: dict[str, list[str]] = {}
    for kind in installed.values():
        for option in _kind_options(kind):
            takers.setdefault(option, []).append(kind.name)
    general = {action.dest for group in train._action_groups
               if group.title in ("options", "optional arguments")
               for action in group._group_actions}
    for action in train._actions:
        names = takers.get(action.dest)
        if names and len(names) < len(installed) and (action.dest in general or len(names) > 1):
            action.help = f"{action.help or ''} [{', '.join(sorted(names))}]".lstrip()


def _hidden_sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()] if text else []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genserve", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="fit a model and publish it as a new version")
    from models.kinds import kinds

    installed = kinds()
    train.add_argument("kind", choices=list(installed),
                       help="an installed model kind (entry-point group genserve.models)")
    train.add_argument("--dataset", required=True, help="digits, pinwheel, two-moons or a path")
    train.add_argument("--out", help="model folder, e.g. weights/digits-vae (local training)")
    train.add_argument(
        "--server", default=os.environ.get("GENSERVE_URL"),
        help="submit a job to this genserve server instead of training here ($GENSERVE_URL)",
    )
    train.add_argument(
        "--api-key", default=os.environ.get("GENSERVE_API_KEY"),
        help="the server's API key ($GENSERVE_API_KEY)",
    )
    train.add_argument("--name", help="model name in the model store (GENSERVE_MODEL_STORE, "
                       "default data/models) or on the server (default: --out's last part)")
    train.add_argument("--promote", choices=["auto", "always", "never"], default="auto",
                       help="auto: stable only when it passes the training gate")
    train.add_argument("--seed", type=int)
    train.add_argument("--test-fraction", type=float)
    train.add_argument("--split-seed", type=int)
    train.add_argument(
        "--binarize", choices=["dynamic", "static", "threshold"], default=None,
        help="binarise discrete images (MNIST-style log-likelihood tables use dynamic)",
    )
    train.add_argument("--param", action="append", default=[], help="extra key=value")
    train.add_argument("--quiet", action="store_true")
    vae = train.add_argument_group("VAE")
    vae.add_argument("--epochs", type=int,
                     help="passes over the data (default: a step budget that follows the data)")
    vae.add_argument("--steps", type=int, help="optimisation steps (instead of --epochs)")
    vae.add_argument("--batch-size", type=int)
    vae.add_argument("--learning-rate", type=float)
    vae.add_argument("--latent-dim", type=int)
    vae.add_argument("--hidden", type=_hidden_sizes, help="e.g. 256,128")
    vae.add_argument("--architecture", choices=["mlp", "conv"],
                     help="conv: stride-2 convolutions before the hidden layers (images only)")
    vae.add_argument("--channels", type=_hidden_sizes,
                     help="conv channels, one stride-2 layer each, e.g. 32,64")
    vae.add_argument("--likelihood", choices=["bernoulli", "gaussian"])
    vae.add_argument("--eval-k", type=int, help="importance samples for metrics")
    vae.add_argument("--objective", choices=["elbo", "iwae"])
    vae.add_argument("--train-k", type=int, help="importance samples (iwae)")
    vae.add_argument("--precision", choices=["float32", "bfloat16"],
                     help="bfloat16: mixed-precision products, faster on bfloat16 hardware")
    vae.add_argument("--lr-schedule", choices=["constant", "cosine"])
    vae.add_argument("--init-from", default=None, metavar="MODEL",
                     help="start from this model's weights (model or version folder; with "
                     "--server, name or name/version); its networks' options are its own")
    vae.add_argument("--checkpoint-dir", default=None, help="save and resume training state")
    vae.add_argument("--checkpoint-every", type=int, help="epochs per checkpoint (10)")
    vae.add_argument("--kl-warmup-steps", type=int, help="KL weight rises from 0 over these steps")
    vae.add_argument("--free-bits", type=float, help="nats per latent dimension that cost nothing")
    vae.add_argument("--latent-prior", type=int, metavar="K",
                     help="fit a K-component GMM to the latent means (sample with prior=gmm)")

    prior = commands.add_parser(
        "fit-prior", help="fit a latent GMM prior to a trained VAE and publish it as a new version"
    )
    prior.add_argument("model", help="model folder, e.g. weights/mnist-vae (latest version)")
    prior.add_argument("--dataset", required=True, help="the data set the VAE was trained on")
    prior.add_argument("--components", type=int, default=10)
    prior.add_argument("--covariance", choices=["full", "diag", "spherical", "tied"],
                       default="full")
    prior.add_argument("--score-with", default=None, metavar="CLASSIFIER",
                       help="score samples of each prior, e.g. weights/_scorers/mnist-classifier")
    gmm = train.add_argument_group("GMM")
    gmm.add_argument("--components", type=int)
    gmm.add_argument("--covariance", choices=["full", "diag", "spherical", "tied"])
    gmm.add_argument("--n-init", type=int)
    gmm.add_argument("--max-iter", type=int)
    _add_kind_parameters(train, installed)
    _say_which_kinds(train, installed)

    serve = commands.add_parser("serve", help="start the HTTP service (uvicorn app.main:app)")
    serve.add_argument("--host", default=None,
                       help="default: $GENSERVE_HOST, else 127.0.0.1 (make serve: HOST=)")
    serve.add_argument("--port", type=int, default=None,
                       help="default: $GENSERVE_PORT, else 8000 (make serve: PORT=)")
    serve.add_argument("--workers", type=int, default=None,
                       help="API processes on the port (default: $WEB_CONCURRENCY or 1)")

    worker = commands.add_parser(
        "worker", help="run training jobs from the queue (GENSERVE_QUEUE_URL, DATABASE_URL)"
    )
    worker.add_argument("--workers", type=int, default=1, help="jobs run at once")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("train", "fit-prior"):  # serve and worker set up the service's logging
        remote = args.command == "train" and bool(args.server)  # a progress bar, not INFO lines
        logging.basicConfig(
            level=logging.WARNING if remote else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
        )
    handlers = {"train": _train, "serve": _serve, "worker": _worker, "fit-prior": _fit_prior}
    try:
        return handlers[args.command](args)
    except ValueError as error:  # bad options or data (pydantic's errors too): a message, no trace
        if args.command not in ("train", "fit-prior"):
            raise
        raise SystemExit(f"genserve {args.command}: {error}") from None


if __name__ == "__main__":
    sys.exit(main())
