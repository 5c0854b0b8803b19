"""``Client``: one method per genserve endpoint, numpy arrays and PIL images in and out."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import httpx
import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from genserve_client._errors import APIError, JobFailed
from genserve_client._types import (
    FINISHED_STATUSES,
    Classification,
    Interpolation,
    Job,
    JobEvent,
    LogLikelihood,
    ModelInfo,
    Samples,
)

__all__ = ["Client", "Inputs", "Labels", "ProgressCallback"]

Inputs = ArrayLike | Image.Image | Sequence[Image.Image]
"""A batch ``[B, ...]`` as an array (one example may be given alone as ``[D]``), or PIL images."""

Labels = int | str | Sequence[int | str]
"""A conditional model's classes, by name or index: one, or one per example."""

ProgressCallback = Callable[[Job], None]
"""Called with the job's state (``progress``, ``metrics`` so far) after each update."""

class Client:
    """A genserve server at ``base_url``. ``api_key`` is needed for jobs and datasets.

    Use it as a context manager, or call ``close()``. ``transport`` lets tests mount an app.
    """

    def __init__(
        self, base_url: str = "http://127.0.0.1:8000", *, api_key: str | None = None,
        timeout: float = 60.0, transport: httpx.BaseTransport | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if api_key:
            all_headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, headers=all_headers, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            raise _api_error(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    @staticmethod
    def _which(model: str | None, version: int | str | None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if model is not None:
            body["model"] = model
        if version is not None:
            body["version"] = version
        return body

    # -- service -------------------------------------------------------------------------------
    def health(self) -> bool:
        """True when the process answers."""
        return bool(self._json("GET", "/health").get("status") == "ok")

    def ready(self) -> dict[str, Any]:
        """Readiness: ``ready``, ``device``, loaded ``models`` and ``failed`` ones."""
        response = self._http.get("/ready")
        if response.status_code not in (200, 503):
            raise _api_error(response)
        body: dict[str, Any] = response.json()
        return body

    def models(self) -> list[ModelInfo]:
        """Every loaded model, at its latest version."""
        return [ModelInfo.from_json(m) for m in self._json("GET", "/models")["models"]]

    def model(self, name: str, version: int | str | None = None) -> ModelInfo:
        """One model's description with its whole ``config`` (hyper-parameters, split, ...)."""
        params = {"version": version} if version is not None else None
        return ModelInfo.from_json(self._json("GET", f"/models/{name}", params=params))

    def metrics(self) -> str:
        """``/metrics`` in the Prometheus text format."""
        return self._request("GET", "/metrics").text

    # -- the five operations -------------------------------------------------------------------
    def sample(
        self, n: int = 16, *, model: str | None = None, version: int | str | None = None,
        seed: int | None = None, temperature: float = 1.0, labels: Labels | None = None,
    ) -> Samples:
        """``n`` samples as float32 ``[n, *data_shape]``; the same ``seed``, the same samples.
        ``labels`` (conditional models): the class of each sample, or one for all."""
        body = {**self._which(model, version), "n": n, "seed": seed, "temperature": temperature,
                **_labels(labels)}
        answer = self._json("POST", "/sample", json=body)
        return Samples(
            answer["model"], answer["version"], answer["seed"],
            np.asarray(answer["samples"], dtype=np.float32), answer.get("labels"),
        )

    def sample_images(
        self, n: int = 16, *, model: str | None = None, version: int | str | None = None,
        seed: int | None = None, temperature: float = 1.0, labels: Labels | None = None,
    ) -> list[Image.Image]:
        """Samples of an image model as 8-bit greyscale PIL images."""
        body = {
            **self._which(model, version), "n": n, "seed": seed, "temperature": temperature,
            "format": "png", **_labels(labels),
        }
        return [_png_image(i) for i in self._json("POST", "/sample", json=body)["images"]]

    def sample_grid(
        self, n: int = 16, *, model: str | None = None, version: int | str | None = None,
        seed: int | None = None, temperature: float = 1.0, labels: Labels | None = None,
    ) -> Image.Image:
        """Samples of an image model tiled into one PIL image."""
        body = {
            **self._which(model, version), "n": n, "seed": seed, "temperature": temperature,
            "format": "grid", **_labels(labels),
        }
        return Image.open(io.BytesIO(self._request("POST", "/sample", json=body).content))

    def encode(
        self, x: Inputs, *, model: str | None = None, version: int | str | None = None,
        labels: Labels | None = None,
    ) -> dict[str, NDArray[Any]]:
        """The model's latent description, by key: a VAE's ``mean`` and ``log_var`` of q(z|x), a
        GMM's ``responsibilities`` and ``component``; another kind's as it answers. A
        conditional model encodes under ``labels`` (one per example, or one for all), else each
        example's most probable class; ``labels`` in the result names the classes used."""
        body = {**self._which(model, version), **_inputs(x), **_labels(labels)}
        answer = self._json("POST", "/encode", json=body)
        encoding = {key: np.asarray(value) for key, value in answer["encoding"].items()}
        if answer.get("labels") is not None:
            encoding["labels"] = np.asarray(answer["labels"])
        return encoding

    def reconstruct(
        self, x: Inputs, *, model: str | None = None, version: int | str | None = None,
        labels: Labels | None = None,
    ) -> NDArray[np.float32]:
        """Reconstructions, float32 ``[B, *data_shape]``; ``labels`` as for ``encode``."""
        body = {**self._which(model, version), **_inputs(x), **_labels(labels)}
        answer = self._json("POST", "/reconstruct", json=body)
        return np.asarray(answer["reconstructions"], dtype=np.float32)

    def reconstruct_images(
        self, x: Inputs, *, model: str | None = None, version: int | str | None = None,
        labels: Labels | None = None,
    ) -> list[Image.Image]:
        """Reconstructions of an image model as PIL images."""
        body = {**self._which(model, version), **_inputs(x), "format": "png", **_labels(labels)}
        return [_png_image(i) for i in self._json("POST", "/reconstruct", json=body)["images"]]

    def log_likelihood(
        self, x: Inputs, *, model: str | None = None, version: int | str | None = None,
        importance_samples: int = 100, seed: int | None = None, labels: Labels | None = None,
    ) -> LogLikelihood:
        """log p(x) per example: exact (GMM) or the k-sample importance-weighted bound (VAE).
        ``labels`` (conditional models, one per example): log p(x | y) instead."""
        body = {
            **self._which(model, version), **_inputs(x),
            "importance_samples": importance_samples, "seed": seed, **_labels(labels),
        }
        answer = self._json("POST", "/log-likelihood", json=body)
        elbo = answer.get("elbo")
        return LogLikelihood(
            answer["model"], answer["version"],
            np.asarray(answer["log_likelihood"], dtype=np.float64),
            np.asarray(answer["bits_per_dim"], dtype=np.float64),
            None if elbo is None else np.asarray(elbo, dtype=np.float64), answer["estimator"],
        )

    def interpolate(
        self, a: ArrayLike | Image.Image, b: ArrayLike | Image.Image | None, *, steps: int = 8,
        method: Literal["linear", "slerp"] = "linear", model: str | None = None,
        version: int | str | None = None, labels: Sequence[int | str] | None = None,
    ) -> Interpolation:
        """The path from ``a`` to ``b`` (both ends included), ``[steps, *data_shape]``.
        ``labels`` ``[from, to]`` (conditional models): the ends' classes; with ``b`` None, ``a``
        is held fixed while the class moves."""
        given = [a] if b is None else [a, b]
        if all(isinstance(end, Image.Image) for end in given):
            ends: dict[str, Any] = {"images": [_png_base64(end) for end in given]}  # type: ignore[arg-type]
        else:
            ends = {"inputs": [_row(end) for end in given]}
        body = {**self._which(model, version), **ends, "steps": steps, "method": method,
                **_labels(labels)}
        answer = self._json("POST", "/interpolate", json=body)
        return Interpolation(
            answer["model"], answer["version"], np.asarray(answer["t"], dtype=np.float64),
            np.asarray(answer["path"], dtype=np.float32),
            {key: np.asarray(value) for key, value in answer.get("details", {}).items()},
        )

    def classify(
        self, x: Inputs, *, model: str | None = None, version: int | str | None = None,
        importance_samples: int = 100, seed: int | None = None,
    ) -> Classification:
        """p(y | x) per example by Bayes' rule (conditional models), and the predicted class."""
        body = {
            **self._which(model, version), **_inputs(x),
            "importance_samples": importance_samples, "seed": seed,
        }
        answer = self._json("POST", "/classify", json=body)
        classes = list(answer["classes"])

        def table(rows: list[dict[str, float]]) -> NDArray[np.float64]:
            return np.asarray([[row[c] for c in classes] for row in rows], dtype=np.float64)

        return Classification(
            answer["model"], answer["version"], classes, table(answer["probabilities"]),
            list(answer["predicted"]), table(answer["log_likelihood_per_class"]),
            np.asarray([answer["log_prior"][c] for c in classes], dtype=np.float64),
            answer["estimator"],
        )

    # -- views the page draws ------------------------------------------------------------------
    def components(self, name: str, version: int | str | None = None) -> dict[str, Any]:
        """A GMM's ``weights [K]``, ``means [K, D]`` and ``covariances [K, D, D]``."""
        params = {"version": version} if version is not None else None
        body = self._json("GET", f"/models/{name}/components", params=params)
        for key in ("weights", "means", "covariances"):
            if body.get(key) is not None:
                body[key] = np.asarray(body[key], dtype=np.float64)
        return dict(body)

    def density(
        self, name: str, version: int | str | None = None, *, resolution: int = 64,
        bounds: tuple[float, float, float, float] | None = None,
    ) -> dict[str, Any]:
        """log p(x) of a 2-D model on a grid: ``x``, ``y`` and ``log_density [len(y), len(x)]``."""
        params: dict[str, Any] = {"resolution": resolution}
        if version is not None:
            params["version"] = version
        if bounds is not None:
            params.update(zip(("x_min", "x_max", "y_min", "y_max"), bounds, strict=True))
        body = self._json("GET", f"/models/{name}/density", params=params)
        for key in ("x", "y", "log_density"):
            body[key] = np.asarray(body[key], dtype=np.float64)
        return dict(body)

    def reference(
        self, name: str, version: int | str | None = None, *, importance_samples: int = 100
    ) -> dict[str, Any]:
        """log p(x) over the model's held-out test split, and a 2-D view of its latent codes."""
        params: dict[str, Any] = {"importance_samples": importance_samples}
        if version is not None:
            params["version"] = version
        body: dict[str, Any] = self._json("GET", f"/models/{name}/reference", params=params)
        body["log_likelihood"]["values"] = np.asarray(body["log_likelihood"]["values"])
        return body

    # -- datasets ------------------------------------------------------------------------------
    def datasets(self) -> list[dict[str, Any]]:
        """Built-in and uploaded data sets (needs the API key)."""
        return list(self._json("GET", "/datasets")["datasets"])

    def upload_dataset(
        self, data: str | Path | bytes | NDArray[Any], *, name: str | None = None,
        filename: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file (path or bytes with ``filename``) or an array (sent as ``.npy``)."""
        if isinstance(data, str | Path):
            path = Path(data)
            content, filename = path.read_bytes(), filename or path.name
        elif isinstance(data, bytes):
            if filename is None:
                raise ValueError("give filename= with bytes, so the server knows the format")
            content = data
        else:
            buffer = io.BytesIO()
            np.save(buffer, np.asarray(data), allow_pickle=False)
            content, filename = buffer.getvalue(), filename or f"{name or 'data'}.npy"
        form = {"name": name} if name else None
        response = self._request("POST", "/datasets", files={"file": (filename, content)},
                                 data=form)
        body: dict[str, Any] = response.json()
        return body

    def set_alias(self, name: str, alias: str, version: int) -> dict[str, int]:
        """Point ``alias`` of ``name`` at ``version``; ``"stable"`` promotes or rolls back what
        requests without a version get. Returns every alias after the move (API key needed)."""
        body = self._json("PUT", f"/models/{name}/aliases/{alias}", json={"version": version})
        aliases: dict[str, int] = body["aliases"]
        return aliases

    # -- jobs ----------------------------------------------------------------------------------
    def kinds(self) -> list[dict[str, Any]]:
        """The model kinds the server can train (``GET /kinds``): ``kind``, ``title``,
        ``capabilities``, ``supports_warm_start`` and the JSON schemas of a job's params."""
        kinds: list[dict[str, Any]] = self._json("GET", "/kinds")["kinds"]
        return kinds

    def submit_job(
        self, kind: str, name: str, dataset: str,
        params: dict[str, Any] | None = None, *,
        promote: Literal["auto", "always", "never"] = "auto",
        init_from: dict[str, Any] | None = None,
    ) -> Job:
        """Queue a training job of an installed ``kind`` (see :meth:`kinds`). When it succeeds
        it stores the next version of ``name``, which becomes stable only if it passes the
        training gate (``promote="auto"``); see ``Job.promoted`` and ``Job.gate``.
        ``init_from`` (``{"model": ..., "version": ...}``) starts from a saved model's weights,
        for kinds that support it."""
        body: dict[str, Any] = {"kind": kind, "name": name, "dataset": dataset,
                                "params": params or {}, "promote": promote}
        if init_from is not None:
            body["init_from"] = init_from
        return Job.from_json(self._json("POST", "/jobs", json=body))

    def job(self, job_id: str) -> Job:
        return Job.from_json(self._json("GET", f"/jobs/{job_id}"))

    def jobs(self, *, limit: int = 20, status: str | None = None) -> list[Job]:
        """The newest jobs first."""
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            params["status"] = status
        return [Job.from_json(j) for j in self._json("GET", "/jobs", params=params)["jobs"]]

    def cancel_job(self, job_id: str) -> Job:
        """Cancel: a queued job at once, a running one at its next epoch or EM iteration."""
        return Job.from_json(self._json("DELETE", f"/jobs/{job_id}"))

    def job_events(self, job_id: str) -> Iterator[JobEvent]:
        """Follow ``/jobs/{id}/events`` until the job ends (``progress`` and ``status``)."""
        timeout = httpx.Timeout(self._http.timeout.connect or 10.0, read=None)
        with self._http.stream(
            "GET", f"/jobs/{job_id}/events", headers={"Accept": "text/event-stream"},
            timeout=timeout,
        ) as response:
            if response.is_error:
                response.read()
                raise _api_error(response)
            event, data = "message", list[str]()
            for line in response.iter_lines():
                if line == "":
                    if data:
                        yield JobEvent(event, _parse("\n".join(data)))
                    event, data = "message", []
                elif line.startswith(":"):
                    continue
                else:
                    key, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if key == "event":
                        event = value
                    elif key == "data":
                        data.append(value)

    def wait_for_job(
        self, job_id: str, *, on_progress: ProgressCallback | None = None,
        timeout: float | None = None, poll_interval: float = 1.0, follow_events: bool = True,
    ) -> Job:
        """Block until the job ends; ``on_progress`` sees every update. Returns the final job.

        Follows the event stream, and polls ``GET /jobs/{id}`` when the stream is unavailable
        or ends early. Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if follow_events and timeout is None:
            try:
                self._follow(job_id, on_progress)
            except (httpx.TransportError, APIError):
                pass  # fall back to polling below
        while True:
            job = self.job(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.finished:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout} s")
            time.sleep(poll_interval)

    def _follow(self, job_id: str, on_progress: ProgressCallback | None) -> None:
        state: dict[str, Any] = {"id": job_id, "status": "queued", "progress": 0.0}
        metrics: list[dict[str, Any]] = []
        for message in self.job_events(job_id):
            if message.event == "progress":
                metrics.append(message.data)
                state["progress"] = float(message.data.get("progress", state["progress"]))
            elif message.event == "status":
                state.update(message.data)
            if on_progress is not None and message.event in ("progress", "status"):
                on_progress(Job.from_json({**state, "metrics": list(metrics)}))
            if state.get("status") in FINISHED_STATUSES:
                return

    def train(
        self, kind: str, name: str, dataset: str,
        params: dict[str, Any] | None = None, *, on_progress: ProgressCallback | None = None,
        timeout: float | None = None, promote: Literal["auto", "always", "never"] = "auto",
    ) -> Job:
        """Submit a job and wait for it; raises ``JobFailed`` unless it succeeded. A job that
        succeeded may still not be live: see ``Job.promoted`` and ``Job.gate``."""
        job = self.submit_job(kind, name, dataset, params, promote=promote)
        final = self.wait_for_job(job.id, on_progress=on_progress, timeout=timeout)
        if final.status != "succeeded":
            raise JobFailed(final)
        return final


# -- encoding ----------------------------------------------------------------------------------
def _api_error(response: httpx.Response) -> APIError:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return APIError(
            response.status_code, str(error.get("message")), field=error.get("field"),
            rule=error.get("rule"), body=body,
        )
    return APIError(response.status_code, response.text[:500] or response.reason_phrase)


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def _png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _png_image(encoded: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    image.load()
    return image


def _row(x: ArrayLike | Image.Image) -> list[Any]:
    if isinstance(x, Image.Image):
        raise TypeError("give both ends as images, or both as arrays")
    row: list[Any] = np.asarray(x, dtype=np.float64).tolist()
    return row


def _labels(labels: Labels | None) -> dict[str, Any]:
    """The ``labels`` field of a body: nothing when None, a list otherwise."""
    if labels is None:
        return {}
    if isinstance(labels, int | str):
        return {"labels": [labels]}
    return {"labels": [label if isinstance(label, str) else int(label) for label in labels]}


def _inputs(x: Inputs) -> dict[str, Any]:
    """A batch as ``inputs`` (nested lists) or ``images`` (base64 PNG)."""
    if isinstance(x, Image.Image):
        return {"images": [_png_base64(x)]}
    if isinstance(x, list | tuple) and x and all(isinstance(i, Image.Image) for i in x):
        return {"images": [_png_base64(i) for i in x]}  # type: ignore[arg-type]
    array = np.asarray(x, dtype=np.float64)
    if array.ndim == 1:
        array = array[None]  # one example given alone
    return {"inputs": array.tolist()}
