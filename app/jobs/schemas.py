"""Request and response schemas of ``/jobs`` and ``/datasets``."""

from __future__ import annotations

import functools
import operator
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
    create_model,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.jobs.records import JobStatus
from app.schemas import GateInfo
from models.kinds import UnknownModelKind, get_kind, kinds
from models.names import Name

__all__ = [
    "DatasetList",
    "DatasetRef",
    "DatasetSummary",
    "JobDetail",
    "JobList",
    "JobRequest",
    "JobResult",
    "JobSummary",
    "WarmStart",
]

JobStatusName = JobStatus


class WarmStart(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    model: Name = Field(description="A saved VAE to start from.")
    version: int | None = Field(
        default=None, ge=1, description="Default: its latest version, pinned when queued."
    )


JOB_EXAMPLES: list[dict[str, Any]] = [
    {"kind": kind.name, "name": f"my-{kind.example.get('dataset', 'digits')}-{kind.name}",
     "dataset": kind.example.get("dataset", "digits"),
     "params": dict(kind.example.get("params", {}))}
    for kind in kinds().values()
]
"""One per installed kind, from its registration's ``example``: shown in the OpenAPI schema and
offered by /docs; tests/app/test_api_docs.py submits each."""


def _installed_kind(value: str) -> str:
    try:
        get_kind(value)
    except UnknownModelKind as exc:  # a 422 naming the installed kinds, rule installed_kind
        raise PydanticCustomError("installed_kind", str(exc)) from None
    return value


KindName = Annotated[str, AfterValidator(_installed_kind)]


class JobRequest(BaseModel):
    """The body of ``POST /jobs``. Its OpenAPI schema is a union over ``kind`` (see
    ``__get_pydantic_json_schema__``); requests are validated here with ``params`` as a plain
    object, then by ``app.jobs.params.validate_params``, whose errors name ``params.<field>``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: KindName = Field(description="Which model to train: an installed kind (GET /kinds).")
    name: Name = Field(description="Model name; the job publishes its next version.")
    dataset: Name = Field(description="A built-in dataset or an uploaded one.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Hyper-parameters and training options side by side, e.g. "
        "{'latent_dim': 8, 'epochs': 20} for a VAE or {'n_components': 10} for a GMM.",
    )
    promote: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Whether the new version becomes 'stable' (what requests without a version "
        "get): auto when it passes the training gate (not collapsed, beats the baseline, not "
        "worse than the stable version); always skips the gate; never keeps it unpromoted. "
        "Either way the version is stored and answers when named.",
    )
    init_from: WarmStart | None = Field(
        default=None,
        description="Kinds that support a warm start (the VAE; GET /kinds): start from this "
        "model's weights (and architecture) instead of a random initialisation, e.g. to train "
        "a served model further or under the IWAE bound.",
    )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if cls is not JobRequest:  # the per-kind variants below: their own plain schema
            return handler(core_schema)
        union = handler(_job_variants().core_schema)
        description = "A training job: its params are the kind's (one schema per kind)."
        return {**union, "description": description, "examples": JOB_EXAMPLES}


@cache
def params_model(kind: str) -> type[BaseModel]:
    """One model of a kind's ``params``: every field of its registration's two parts, for the
    schema (the fields, defaults and limits are the parts' own, so new ones show up by
    themselves)."""
    parts = get_kind(kind).parts
    fields: dict[str, Any] = {}
    for part in parts:
        for name, info in part.model_fields.items():
            fields.setdefault(name, (info.annotation, info))
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{kind.upper()}Params",
        __config__=ConfigDict(extra="forbid", title=f"{kind.upper()}Params"),
        __doc__=f"Parameters of a {kind} job: "
        + " and ".join(f"{part.__name__}" for part in parts)
        + ", side by side. Every one is optional.",
        **fields,
    )


def _literal(value: str) -> Any:
    return Literal[value]


@cache
def _job_variants() -> TypeAdapter[Any]:
    """``JobRequest`` for each kind, its ``params`` typed; a union tagged by ``kind``."""
    variants = tuple(
        create_model(  # type: ignore[call-overload]
            f"{kind.upper()}JobRequest", __base__=JobRequest,
            kind=(_literal(kind), Field(description="Which model to train.")),
            params=(params_model(kind), Field(
                default_factory=dict, description=f"The {kind.upper()}'s hyper-parameters and "
                "training options; omitted ones take their defaults.")),
        )
        for kind in kinds()
    )
    union: Any = functools.reduce(operator.or_, variants)
    return TypeAdapter(Annotated[union, Field(discriminator="kind")])


class DatasetRef(BaseModel):
    name: str
    sha256: str


class JobResult(BaseModel):
    model: str
    version: int
    metrics: dict[str, Any]
    training: dict[str, Any] = Field(default_factory=dict)
    promoted: bool = Field(
        default=True,
        description="Whether the version became stable. False: stored and served only when "
        "named; gate.reasons says why.",
    )
    gate: GateInfo | None = Field(default=None, description="The training gate's verdict.")


class JobSummary(BaseModel):
    id: str
    kind: str
    name: str
    dataset: DatasetRef
    status: JobStatusName
    progress: float = Field(ge=0.0, le=1.0)
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_s: float | None = Field(description="Running time so far, or in all once ended.")
    error: str | None
    result: JobResult | None
    last_metrics: dict[str, Any] | None = Field(description="The latest epoch or iteration.")


class JobDetail(JobSummary):
    config: dict[str, Any]
    metrics: list[dict[str, Any]] = Field(
        description="One entry per epoch (VAE: train_loss, test_elbo; validation_elbo at "
        "early stopping's checks) or EM iteration (GMM: train_log_likelihood, train_loss), "
        "each with step, phase 'training', progress and elapsed_s; then a VAE's one "
        "'evaluating' entry, moved as its final evaluation runs. An entry of phase 'requeued' "
        "says that an attempt's worker stopped and where the job resumes (resume_epoch): the "
        "epochs before it are kept, those after it were trained again."
    )
    worker: str | None
    attempts: int


class JobList(BaseModel):
    jobs: list[JobSummary]
    limit: int
    offset: int
    next_cursor: int | None = Field(
        description="Pass as ?cursor= for the next (older) page; null on the last page."
    )


class DatasetSummary(BaseModel):
    name: str
    builtin: bool
    sha256: str
    shape: list[int]
    n: int = Field(description="Examples (of an upload: its training examples).")
    n_test: int | None = Field(
        default=None,
        description="Examples of the published test split kept with the upload (an .npz's "
        "x_test, or test_file); null: jobs hold out params.test_fraction of the n examples.",
    )
    levels: int | None
    dtype: str
    format: str | None = None
    filename: str | None = None
    size_bytes: int | None = None
    classes: list[str] | None = Field(
        default=None,
        description="Class names, when the data are labelled (an .npz's y_train/y, IDX labels "
        "files, a CSV label column, a zip's class folders, digits' targets); null otherwise.",
    )


class DatasetList(BaseModel):
    datasets: list[DatasetSummary]
