"""A small typed client for genserve, on httpx: numpy arrays and PIL images in and out.

    from genserve_client import Client

    with Client("http://127.0.0.1:8000", api_key="...") as gs:
        digits = gs.sample(16, model="digits-vae", seed=0).samples      # [16, 8, 8] float32
        scores = gs.log_likelihood(digits, model="digits-vae").log_likelihood
        job = gs.train("gmm", "my-pinwheel", "pinwheel", {"n_components": 5},
                       on_progress=lambda job, step: print(job.progress))
"""

from genserve_client._client import Client
from genserve_client._errors import APIError, GenserveError, JobFailed
from genserve_client._types import (
    Classification,
    Interpolation,
    Job,
    JobEvent,
    LogLikelihood,
    ModelInfo,
    Samples,
)

__all__ = [
    "APIError",
    "Classification",
    "Client",
    "GenserveError",
    "Interpolation",
    "Job",
    "JobEvent",
    "JobFailed",
    "LogLikelihood",
    "ModelInfo",
    "Samples",
]
