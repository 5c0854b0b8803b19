"""Request and response schemas: the contract clients and the page are written against.

Upper limits that depend on settings (``n``, ``steps``, ``importance_samples``, batch size) are
checked against the running configuration in ``app.inference``; fixed rules live in ``Field``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.model_store import ALIAS_PATTERN, is_valid_alias
from models.names import Name

__all__ = [
    "ERROR_RESPONSES",
    "AliasRequest",
    "AliasesResponse",
    "ClassifyRequest",
    "ClassifyResponse",
    "GateInfo",
    "EncodeRequest",
    "EncodeResponse",
    "ErrorResponse",
    "HealthResponse",
    "InputsRequest",
    "InterpolateRequest",
    "InterpolateResponse",
    "Labels",
    "LogLikelihoodRequest",
    "LogLikelihoodResponse",
    "ModelDetail",
    "ModelList",
    "ModelSummary",
    "ReadyResponse",
    "ReconstructRequest",
    "ReconstructResponse",
    "SampleRequest",
    "SampleResponse",
    "VersionInfo",
    "VersionRef",
]

ArrayFormat = Literal["array", "png", "npy", "base64", "uint8"]
_DIGIT_ROW: list[Any] = [0.0] * 64



def _version_ref(value: object) -> int | str:
    """One error naming ``version`` (a union would name each of its members instead)."""
    if type(value) is int:
        if value < 1:
            raise PydanticCustomError(
                "greater_than_equal", "a version number is at least 1, got {value}",
                {"value": value},
            )
        return value
    if isinstance(value, str) and is_valid_alias(value):
        return value
    if isinstance(value, str) and not value.isdigit():
        raise PydanticCustomError(
            "string_pattern_mismatch", "{value} is not an alias name (pattern {pattern})",
            {"value": repr(value[:40]), "pattern": ALIAS_PATTERN},
        )
    raise PydanticCustomError(
        "int_type", "version must be a JSON integer (a version number) or an alias name, "
        "got {value}", {"value": repr(value)[:40]},
    )


VersionRef = Annotated[
    int | str,
    PlainValidator(_version_ref),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1},
                              {"type": "string", "pattern": ALIAS_PATTERN}]}),
]
"""A version number, or an alias name such as ``stable``."""


class _Request(BaseModel):
    """Strict: numbers must be JSON numbers ("0.5" and true are refused, as is n: true)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    model: Name | None = Field(
        default=None, description="Model name; omitted, the default model.",
        examples=["digits-vae"],
    )
    version: VersionRef | None = Field(
        default=None,
        description="A version number or an alias ('stable', or one set with PUT "
        "/models/{name}/aliases/{alias}); omitted, the stable version.",
    )


def _class_label(value: Any, handler: ValidatorFunctionWrapHandler) -> int | str:
    """One rule for a label, named once (not one error per branch of ``int | str``)."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return handler(value)  # type: ignore[no-any-return]
        except ValidationError:
            pass
    raise PydanticCustomError(
        "class_label", "a label is a class name (a string) or a class index (an integer)"
    )


Labels = list[Annotated[int | str, WrapValidator(_class_label)]]
"""Class labels of a conditional model, each a class name or an index into the model's
``classes`` (``GET /models/{name}``)."""


class SampleRequest(_Request):
    n: int = Field(default=16, ge=1, description="Number of samples (limit: GENSERVE_MAX_SAMPLES).")
    seed: int | None = Field(
        default=None, ge=0, le=2**63 - 1, description="Same seed, same samples; omitted, random."
    )
    temperature: float = Field(default=1.0, ge=0.0, le=10.0, description="Scales prior noise.")
    prior: Literal["normal", "gmm"] = Field(
        default="normal",
        description="VAE only: 'gmm' draws latents from the mixture fitted to the training set's "
        "latent means (ex-post density estimation); see the model's 'priors'.",
    )
    labels: Labels | None = Field(
        default=None, min_length=1,
        description="Conditional models only: the class of each sample, by name or index; one "
        "per sample, or one for all n. Omitted: classes drawn from the class prior p(y).",
        examples=[["7"]],
    )
    format: Literal["array", "png", "grid", "npy", "base64", "uint8"] = Field(
        default="array",
        description="array: nested lists; png: one base64 PNG per sample; grid: one PNG image; "
        "npy: a float32 .npy body; base64: float32 little-endian bytes, base64 in 'samples'; "
        "uint8: image models' value range as 0-255 bytes, base64 in 'samples'.",
    )
    scale: int = Field(
        default=1, ge=1, le=8,
        description="grid only: each pixel drawn as a scale x scale block (nearest neighbour), "
        "so a grid of 8x8 digits is large enough to see.",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"model": "digits-vae", "n": 16, "seed": 0}]},
    )


class InputsRequest(_Request):
    inputs: list[Any] | None = Field(
        default=None,
        description="Examples as nested arrays in the model's value range, one per row, "
        "flattened or in the model's data shape.",
    )
    images: list[str] | None = Field(
        default=None, description="Examples as base64 PNG (image models; resized to fit)."
    )

    @model_validator(mode="after")
    def _exactly_one_source(self) -> InputsRequest:
        if (self.inputs is None) == (self.images is None):
            raise PydanticCustomError(  # "field": where app.errors says the error is
                "one_of_inputs_images",
                "send exactly one of 'inputs' (arrays) or 'images' (base64 PNG)",
                {"field": "images" if self.images is not None else "inputs"},
            )
        return self


_INPUT_LABELS = (
    "Conditional models only: the class of each example (name or index), one per example or "
    "one for all; omitted, each example's most probable class under the model (the answer's "
    "labels say which were used)."
)
_ANSWER_LABELS = (
    "Conditional models only: the class of each row, by name: the labels given, or else {}. "
    "Absent for other models, and not sent with a binary (npy, grid) answer."
)


class EncodeRequest(InputsRequest):
    labels: Labels | None = Field(default=None, min_length=1, description=_INPUT_LABELS)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"model": "digits-vae", "inputs": [_DIGIT_ROW]}]},
    )


class ReconstructRequest(InputsRequest):
    format: ArrayFormat = "array"
    labels: Labels | None = Field(default=None, min_length=1, description=_INPUT_LABELS)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"model": "digits-vae", "inputs": [_DIGIT_ROW]}]},
    )


class LogLikelihoodRequest(InputsRequest):
    importance_samples: int = Field(
        default=100, ge=1,
        description="k for the VAE's importance-weighted bound (ignored by exact GMM densities).",
    )
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    labels: Labels | None = Field(
        default=None, min_length=1,
        description="Conditional models only: one class per example (name or index) for "
        "log p(x | y); omitted, log p(x) = logsumexp_y [log p(x | y) + log p(y)].",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"model": "pinwheel-gmm", "inputs": [[0.5, 1.0], [-1.0, 0.2]]}]
        },
    )


class ClassifyRequest(InputsRequest):
    importance_samples: int = Field(
        default=100, ge=1,
        description="k for each class's importance-weighted log p(x | y) (a CVAE; exact "
        "densities ignore it). Costs k passes per example and class.",
    )
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"model": "digits-cgmm", "inputs": [_DIGIT_ROW]}]},
    )


class InterpolateRequest(InputsRequest):
    steps: int = Field(default=8, ge=2, description="Points on the path, both ends included.")
    method: Literal["linear", "slerp"] = "linear"
    format: ArrayFormat = "array"
    labels: Labels | None = Field(
        default=None, min_length=2, max_length=2,
        description="Conditional models only: [from, to], the classes of the path's two ends "
        "(name or index). With one example, x is held fixed while y moves from one to the other "
        "(the same style, another class).",
    )

    @model_validator(mode="after")
    def _two_examples(self) -> InterpolateRequest:
        field, given = ("inputs", self.inputs) if self.inputs is not None else (
            "images", self.images)
        if given is not None and len(given) == 1 and self.labels is not None:
            return self  # x held fixed, y moved
        if given is not None and len(given) != 2:
            raise PydanticCustomError(
                "two_rows", "interpolation takes exactly two examples, the path's two ends "
                "(or one, with labels [from, to]); got {count}",
                {"field": field, "count": len(given)},
            )
        return self

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"model": "digits-vae", "inputs": [_DIGIT_ROW, _DIGIT_ROW], "steps": 8}]
        },
    )


class ErrorDetail(BaseModel):
    type: str
    message: str
    field: str | None
    rule: str | None


class ErrorResponse(BaseModel):
    """The one shape of every 4xx: the first error, and all of them."""

    error: ErrorDetail
    errors: list[ErrorDetail]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in [
        (400, "Unsupported operation or format for this model"),
        (401, "Missing or invalid API key"),
        (404, "Unknown model, version or resource"),
        (408, "The request's work passed GENSERVE_REQUEST_TIMEOUT_S"),
        (409, "Conflicts with the current state: a name taken by other data, a job's state"),
        (413, "Body over the size limit"),
        (422, "Invalid input: the error names the field and the rule"),
        (429, "Too many jobs queued or running"),
        (503, "Job store, queue or data folder unavailable (read-only, say)"),
        (507, "The data folder is full"),
    ]
}


class _Response(BaseModel):
    model: str
    version: int


_PACKED = (
    "Nested arrays; with format base64 or uint8, one base64 string of the row-major bytes "
    "(dtype says which) in the shape given."
)


class SampleResponse(_Response):
    seed: int
    shape: list[int]
    samples: list[Any] | str | None = Field(default=None, description=_PACKED)
    dtype: Literal["float32", "uint8"] | None = None
    images: list[str] | None = None
    labels: list[str] | None = Field(
        default=None, description=_ANSWER_LABELS.format("the classes drawn from p(y)")
    )


_INFERRED = "each example's most probable class"


class EncodeResponse(_Response):
    encoding: dict[str, list[Any]] = Field(
        description="VAE: mean and log_var of q(z|x). GMM: responsibilities, component, "
        "component_log_density. CVAE: mean and log_var of q(z|x, y). Class-conditional GMM: "
        "class_probabilities p(y|x), and responsibilities and component within the class y."
    )
    labels: list[str] | None = Field(default=None, description=_ANSWER_LABELS.format(_INFERRED))


class ReconstructResponse(_Response):
    shape: list[int]
    reconstructions: list[Any] | str | None = Field(default=None, description=_PACKED)
    dtype: Literal["float32", "uint8"] | None = None
    images: list[str] | None = None
    labels: list[str] | None = Field(default=None, description=_ANSWER_LABELS.format(_INFERRED))


class LogLikelihoodResponse(_Response):
    log_likelihood: list[float] = Field(description="log p(x) per example, nats.")
    bits_per_dim: list[float] = Field(
        description="Per example; on the discrete data's footing when the model was trained on "
        "dequantised data."
    )
    elbo: list[float] | None = Field(default=None, description="VAE only: the ELBO per example.")
    mean_log_likelihood: float
    estimator: str


class ClassifyResponse(_Response):
    classes: list[str] = Field(description="The model's classes, in index order.")
    probabilities: list[dict[str, float]] = Field(
        description="p(y | x) per example, by class name (each sums to 1; Bayes' rule)."
    )
    predicted: list[str] = Field(description="The most probable class of each example.")
    log_likelihood_per_class: list[dict[str, float]] = Field(
        description="log p(x | y) per example and class, nats."
    )
    log_prior: dict[str, float] = Field(description="log p(y): the training split's shares.")
    estimator: str


class InterpolateResponse(_Response):
    t: list[float]
    shape: list[int]
    path: list[Any] | str | None = Field(default=None, description=_PACKED)
    dtype: Literal["float32", "uint8"] | None = None
    images: list[str] | None = None
    details: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="VAE: latents along the path. GMM: log_likelihood and responsibilities.",
    )


class GateInfo(BaseModel):
    """The training gate's verdict on a version (see docs: the gate's rules)."""

    passed: bool = Field(description="Whether every check held.")
    reasons: list[str] = Field(description="Why it failed; when it passed, what was checked.")
    policy: Literal["auto", "always", "never"] = Field(
        description="The job's promote field: auto lets the gate decide."
    )


class VersionInfo(BaseModel):
    version: int
    origin: Literal["shipped", "trained"] = Field(
        description="shipped: the read-only weights folder; trained: the model store."
    )
    gate: GateInfo | None = Field(
        description="The gate's verdict when published; null for shipped versions (they pass)."
    )
    promoted: bool = Field(description="Whether it went live when published (or was shipped).")
    aliases: list[str] = Field(description="Aliases that point at it now.")


class ModelSummary(BaseModel):
    name: str
    kind: str = Field(description="The model kind: an installed one (GET /kinds).")
    kind_title: str = Field(description="What the kind is, in words: 'Gaussian mixture'.")
    version: int = Field(description="The version described: stable unless another was asked.")
    versions: list[int]
    aliases: dict[str, int] = Field(
        default_factory=dict,
        description="'stable' (what requests without a version get; absent when no version "
        "passed the gate) and every named alias.",
    )
    gate: GateInfo | None = Field(
        default=None, description="This version's gate verdict; null for shipped versions."
    )
    version_info: list[VersionInfo] = Field(
        default_factory=list, description="Every loaded version, oldest first, with its verdict."
    )
    default: bool
    data_shape: list[int]
    value_range: tuple[float, float] | None
    capabilities: list[str]
    interpolation_methods: list[str]
    priors: list[str]
    conditional: bool = Field(
        default=False, description="Takes 'labels' (/sample, /encode, /reconstruct, "
        "/log-likelihood, /interpolate) and answers /classify."
    )
    classes: list[str] | None = Field(
        default=None, description="Class names of the training data, in index order (labels "
        "are these names or their indices); null for unlabelled data."
    )
    views: list[str] = Field(
        description="The page's views beyond the operations: 'components' (GET "
        "/models/{name}/components), 'latent' (the latent map in /models/{name}/reference)."
    )
    formats: list[str]
    dataset: str
    metrics: dict[str, Any]


class ModelDetail(ModelSummary):
    config: dict[str, Any]


class AliasRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 2}]})

    version: int = Field(ge=1, description="The version the alias points at from now on.")


class AliasesResponse(BaseModel):
    model: str
    aliases: dict[str, int] = Field(description="Every alias of the model after the change.")


class ModelList(BaseModel):
    default: str | None
    models: list[ModelSummary]


class HealthResponse(BaseModel):
    status: Literal["ok"]


class ReadyResponse(BaseModel):
    ready: bool
    device: str
    models: list[str]
    failed: dict[str, str]
