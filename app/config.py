"""Settings from ``GENSERVE_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RENAMED_SETTINGS", "Settings"]

logger = logging.getLogger("genserve.config")

ENV_PREFIX = "GENSERVE_"
RENAMED_SETTINGS: dict[str, str] = {
    "max_batch_size": "max_request_examples",
    "batch_max_size": "batch_max_examples",
}
"""Old setting name -> new one. The old names (and their ``GENSERVE_*`` variables) are still
read, with a deprecation warning; the new name wins when both are set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _accept_renamed(cls, data: Any) -> Any:
        """Read each setting under its old name too: from arguments and ``.env`` (which reach
        here under the old name) and from the environment (which pydantic-settings reads only
        under the new one)."""
        if not isinstance(data, dict):
            return data
        environ = {key.upper(): value for key, value in os.environ.items()}
        for old, new in RENAMED_SETTINGS.items():
            old_env, new_env = ENV_PREFIX + old.upper(), ENV_PREFIX + new.upper()
            if old in data:
                value = data.pop(old)
            elif old_env in environ:
                value = environ[old_env]
            else:
                continue
            message = f"{old_env} ({old}) is deprecated: use {new_env} ({new})"
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            logger.warning(message)
            data.setdefault(new, value)
        return data

    weights_dir: Path = Field(
        default=Path("weights"),
        description="The shipped models, <name>/<version>/; read, never written (jobs publish "
        "into model_store).",
    )
    data_dir: Path = Field(default=Path("data"), description="Jobs, uploads and keys.")
    model_store: Path | None = Field(
        default=None,
        description="Where jobs publish trained versions (default <data_dir>/models); served "
        "beside the read-only weights_dir, with the aliases and gate verdicts.",
    )
    gate_tolerance_nats_per_dim: float = Field(
        default=0.01, ge=0.0,
        description="The gate holds back a new version whose held-out log-likelihood is more "
        "than this many nats per data dimension below the stable version's (same test split).",
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    default_model: str | None = Field(
        default=None,
        description="Model used when a request names none; it must load, or the server does not "
        "start. Unset: the first model (alphabetically) with a stable version.",
    )
    api_key: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=list)
    torch_threads: int | None = Field(
        default=None, ge=1,
        description="Intra-op threads for inference; default one core fewer than available, "
        "at least 1 (the event loop keeps a core).",
    )
    log_level: str = Field(default="INFO", description="Root log level.")
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line with the request id."
    )

    max_request_examples: int = Field(
        default=256, ge=1,
        description="Examples in one request (inputs, rows); formerly GENSERVE_MAX_BATCH_SIZE.",
    )
    max_samples: int = Field(default=256, ge=1, description="n in /sample.")
    max_interpolation_steps: int = Field(default=64, ge=2)
    max_importance_samples: int = Field(default=5000, ge=1)
    max_image_pixels: int = Field(default=1_048_576, ge=1, description="Pixels per PNG.")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    request_timeout_s: float = Field(
        default=60.0, gt=0, description="Inference work per request; past it, a 408."
    )

    # -- access --------------------------------------------------------------------------------
    protect_inference: bool = Field(
        default=False, description="Require the API key on inference endpoints too."
    )

    # -- jobs, queue and storage (issue: training jobs) ----------------------------------------
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for job records; default SQLite in data_dir."
    )
    queue_url: str | None = Field(
        default=None, description="redis://... for a shared queue; default SQLite in data_dir."
    )
    queue_name: str = Field(
        default="genserve", pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="Huey queue name (Redis key prefix); services sharing a queue use the same.",
    )
    embedded_worker: bool = Field(
        default=True, description="Start a local worker process beside the API."
    )
    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # -- uploads, bounded from their headers before anything is decoded (app.dataset_files) --
    max_decoded_bytes: int | None = Field(
        default=None, ge=1024,
        description="An upload's examples as stored (uint8, float32 or float64; training and "
        "test split together); default 4x GENSERVE_MAX_UPLOAD_BYTES (256 MiB).",
    )
    max_dataset_rows: int = Field(default=1_000_000, ge=2, description="Examples per upload.")
    max_dataset_features: int = Field(
        default=1_048_576, ge=1, description="Values per example (CSV columns, pixels...)."
    )
    max_queued_jobs: int = Field(default=20, ge=1, description="Jobs waiting for a worker.")
    max_active_jobs: int = Field(default=40, ge=1, description="Jobs queued or running.")
    reload_interval_s: float = Field(default=2.0, gt=0, description="Weights folder polling.")

    @property
    def model_store_dir(self) -> Path:
        """The model store: ``GENSERVE_MODEL_STORE``, else ``<data_dir>/models``."""
        return self.model_store if self.model_store is not None else self.data_dir / "models"

    # -- dynamic batching (issue: throughput) --------------------------------------------------
    batching: bool = Field(
        default=True, description="Coalesce concurrent requests for one model and operation."
    )
    batch_max_examples: int = Field(
        default=256, ge=1,
        description="Examples in one batched pass over several requests, formerly "
        "GENSERVE_BATCH_MAX_SIZE (16 requests of /sample n=16: more answers per "
        "wake-up of the event loop; memory stays bounded by the models' chunking).",
    )
    batch_runners: int | None = Field(
        default=None, ge=1, le=64,
        description="Batches computed at once (threads, each with GENSERVE_TORCH_THREADS); "
        "default one per core, so compute-bound batches use every core.",
    )
    batch_nice: int = Field(
        default=0, ge=0, le=19,
        description="Niceness added to the batch runners' threads (Linux), so that contended "
        "cores go to the event loop first: measured on a loaded 2-core machine, /sample c=64 "
        "tails shrank at 5 but a lone request waited longer for its core; 0 leaves them as "
        "they are.",
    )
    batch_max_wait_ms: float = Field(
        default=2.0, ge=0, description="Longest a request waits for company (under load only)."
    )
    batch_policy: Literal["adaptive", "fixed"] = Field(
        default="adaptive",
        description="When a batch waits for company: adaptive, only while requests arrive faster "
        "than batches complete (a lone request never waits); fixed, the earlier rule (up to "
        "GENSERVE_BATCH_MAX_WAIT_MS whenever a runner is busy or the last batch had company).",
    )

    # -- admission control (issue 17 #3): cost = row passes x multiply-adds per row pass, see
    # app/admission.py. Defaults from the shipped mnist-vae (450,794 multiply-adds per row pass).
    admission: bool = Field(
        default=True, description="Admit inference work against cost budgets; 429 past them."
    )
    light_cost: int = Field(
        default=2**30, ge=1,
        description="Requests costing at most this (row passes x multiply-adds per row pass; "
        "about 2,400 row passes of the MNIST VAE) are light: their own lane and budget.",
    )
    light_budget: int = Field(
        default=2**35, ge=1,
        description="Cost of light requests admitted and not yet answered, all models.",
    )
    heavy_budget: int = Field(
        default=600_000_000_000, ge=1,
        description="Cost of heavy requests in flight, all models together (default: the "
        "largest MNIST VAE log-likelihood the limits allow, 256 rows x k 5,000). One request "
        "over it runs only alone.",
    )
    heavy_model_budget: int = Field(
        default=600_000_000_000, ge=1,
        description="Cost of heavy requests in flight for one model (all its versions).",
    )
    heavy_client_budget: int | None = Field(
        default=None, ge=0,
        description="Cost of heavy requests one client (API key, else address) may hold while "
        "other clients want the heavy lane; refused clients also take turns. Default half "
        "of GENSERVE_HEAVY_BUDGET; 0 turns per-client fairness off.",
    )
    heavy_runners: int | None = Field(
        default=None, ge=1, le=64,
        description="Threads computing heavy requests; default one core fewer than available "
        "(at least 1), so light requests and the event loop keep a core.",
    )
    heavy_nice: int = Field(
        default=10, ge=0, le=19,
        description="Niceness added to the heavy runners' threads (Linux), so that contended "
        "cores go to the event loop and light work first; 0 leaves them as they are.",
    )
    reference_importance_samples: list[int] = Field(
        default=[1, 10, 100, 1000],
        description="The k values /models/{name}/reference accepts (each is cached).",
    )
    # -- slow and idle connections (app/server.py) --------------------------------------------
    body_read_timeout_s: float = Field(
        default=30.0, gt=0,
        description="Longest wait for the next piece of a request body; past it, a 408.",
    )
    body_timeout_s: float = Field(
        default=120.0, gt=0,
        description="A request body must arrive whole within this long of its headers, however "
        "steadily it trickles; past it, a 408 (a 64 MiB upload needs about 4.5 Mbit/s).",
    )
    header_timeout_s: float = Field(
        default=10.0, gt=0,
        description="A connection whose request line and headers are not all in this long after "
        "it opened (or after the previous response) is closed (uvicorn --http "
        "app.server:HttpToolsProtocol).",
    )
    keep_alive_timeout_s: int = Field(
        default=5, ge=1, description="Idle keep-alive connections are closed after this long."
    )
    event_loop: Literal["asyncio", "uvloop"] = Field(
        default="asyncio",
        description="The event loop `genserve serve` runs: the standard library's (tails that "
        "hold on a shared machine) or uvloop (about a quarter of a millisecond less at low load; "
        "it writes answers holding the GIL). The image runs uvicorn with `--loop asyncio`.",
    )
    max_connections_per_client: int = Field(
        default=256, ge=0,
        description="Open connections one client address (an IPv6 /64) may hold in one server "
        "process; past it, a new one is answered 429 and closed. Behind a reverse proxy every "
        "client has the proxy's address: raise it, or 0 (no cap) and cap at the proxy.",
    )
    max_connections: int | None = Field(
        default=None, ge=0,
        description="Open connections in one server process; past it, a new one is answered "
        "503 and closed. Default three quarters of the soft open-file limit (ulimit -n), the "
        "rest kept for files, the database, Redis and the model store; 0 = no cap.",
    )
