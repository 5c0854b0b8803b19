"""The API key: required on jobs, datasets and model management; optional on inference.

With no ``GENSERVE_API_KEY`` set, the first start writes a random key to ``<data_dir>/api_key``
(mode 0600) and logs where it is, so management endpoints are never open by default. Where it
cannot (a read-only data folder), the server starts all the same: inference serves, and the
endpoints that need the key answer 503 naming ``GENSERVE_API_KEY``.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import State

from app.errors import ServiceError

__all__ = [
    "InferenceAccess",
    "NotAuthenticated",
    "NoAPIKey",
    "RequireAPIKey",
    "ensure_api_key",
    "inference_is_open",
    "require_api_key",
    "require_api_key_if_protected",
]

logger = logging.getLogger("genserve.auth")
KEY_FILE = "api_key"


class NotAuthenticated(ServiceError):
    status_code = 401
    error_type = "not_authenticated"


class NoAPIKey(ServiceError):
    status_code = 503
    error_type = "no_api_key"


def ensure_api_key(configured: str | None, data_dir: Path) -> str | None:
    """The configured key, else the one stored in the data folder, else a new one stored there;
    None when there is none and the data folder cannot hold one."""
    if configured:
        return configured
    path = data_dir / KEY_FILE
    try:
        if path.is_file():
            return path.read_text().strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key + "\n")
    except OSError as exc:
        logger.error(
            "no GENSERVE_API_KEY set and none can be stored in %s (%s): inference serves, but "
            "jobs, datasets and model management answer 503 until GENSERVE_API_KEY is set",
            path, exc,
        )
        return None
    logger.warning("no GENSERVE_API_KEY set: generated one and stored it in %s", path)
    return key


_bearer = HTTPBearer(auto_error=False, description="GENSERVE_API_KEY, or <data_dir>/api_key")


async def require_api_key(  # async: FastAPI would run a sync one on a thread per request
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected: str | None = request.app.state.api_key
    if expected is None:
        raise NoAPIKey(
            "this endpoint needs an API key and the server has none: set GENSERVE_API_KEY (the "
            "data folder could not store a generated one)",
            field="Authorization", rule="api_key_configured",
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated(
            "this endpoint needs 'Authorization: Bearer <api key>'",
            field="Authorization", rule="bearer_token",
        )
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise NotAuthenticated("the API key is not valid", field="Authorization", rule="api_key")


RequireAPIKey = Depends(require_api_key)


def inference_is_open(state: State) -> bool:
    """Whether inference needs no key (``GENSERVE_PROTECT_INFERENCE`` unset): the one rule of
    :data:`InferenceAccess`, which the fast path (``app.fast_path``) also asks."""
    return not state.settings.protect_inference


async def require_api_key_if_protected(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Inference is open unless ``GENSERVE_PROTECT_INFERENCE`` is set."""
    if not inference_is_open(request.app.state):
        await require_api_key(request, credentials)


InferenceAccess = Depends(require_api_key_if_protected)
