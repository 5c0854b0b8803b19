"""Request ids, structured JSON logs and request metrics, at the outermost edge of the app.

``RequestContext`` is a pure ASGI middleware (no ``BaseHTTPMiddleware``, no body buffering). For
each HTTP request it

1. takes the incoming ``X-Request-ID`` when it is a safe short token (letters, digits, ``._:-``,
   at most 64 characters), else makes a new one, and returns it in the response's header;
2. puts it in a context variable, so every log line written while serving the request (also
   from worker threads, which copy the context) carries ``request_id``;
3. writes one ``genserve.access`` line (method, path, status, duration, model) and records the
   request in ``app.metrics`` under its route template, never the raw path;
4. answers an unhandled exception with the generic 500 JSON body, after logging its traceback.

``configure_logging`` installs one handler on the root logger (JSON or text, as
``GENSERVE_LOG_FORMAT`` says) and routes uvicorn's own loggers through it, so the process writes
each line once.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.errors import error_body

__all__ = [
    "REQUEST_ID_HEADER",
    "JSONFormatter",
    "RequestContext",
    "TextFormatter",
    "configure_logging",
    "current_request_id",
    "is_safe_request_id",
]

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_MODEL_FIELD = re.compile(rb'"model"\s*:\s*"([A-Za-z0-9._\-]{1,128})"')
_SNIFF_OVERLAP = 160  # bytes kept from the previous chunk, so a split field is still found

_request_id: ContextVar[str | None] = ContextVar("genserve_request_id", default=None)
access_logger = logging.getLogger("genserve.access")
logger = logging.getLogger("genserve.observability")


def current_request_id() -> str | None:
    """The id of the request being served in this context, if any."""
    return _request_id.get()


def is_safe_request_id(value: str) -> bool:
    return _SAFE_ID.fullmatch(value) is not None


class RequestContext:
    """Request id, access log, metrics and last-resort 500s; see the module docstring.

    ``model_paths``: the routes whose POST bodies name a model (the inference operations',
    ``app.operations.paths()``); the middleware reads the name as the body streams past.
    """

    def __init__(self, app: ASGIApp, model_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.model_paths = model_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        request_id = _incoming_id(scope) or _new_request_id()
        token = _request_id.set(request_id)
        header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        status = 500
        response_started = False
        sniffer = _ModelSniffer() if scope["path"] in self.model_paths else None

        async def receive_sniffing() -> Message:
            message = await receive()
            if sniffer is not None and message["type"] == "http.request":
                sniffer.feed(message.get("body", b""))
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive_sniffing if sniffer else receive, send_with_id)
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            body = error_body("internal_error", "internal server error", None, None)
            await send_with_id(
                {"type": "http.response.start", "status": 500,
                 "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": orjson.dumps(body)})
        finally:
            elapsed = time.perf_counter() - started
            endpoint = _endpoint(scope, root_path)
            model = _model_label(scope, sniffer)
            metrics.observe_request(scope["method"], endpoint, model, status, elapsed)
            if access_logger.isEnabledFor(logging.INFO):  # skip building the record at WARNING
                access_logger.info(
                    "%s %s %d", scope["method"], scope["path"], status,
                    extra={
                        "request_id": request_id, "method": scope["method"], "path": scope["path"],
                        "endpoint": endpoint, "status": status,
                        "duration_ms": round(elapsed * 1000.0, 3), "model": model or None,
                        "client": _client(scope),
                    },
                )
            _request_id.reset(token)


class _ModelSniffer:
    """Finds ``"model": "<name>"`` in a JSON body as it streams, without parsing or buffering."""

    __slots__ = ("name", "_tail")

    def __init__(self) -> None:
        self.name: str | None = None
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.name is not None or not chunk:
            return
        window = self._tail + chunk
        found = _MODEL_FIELD.search(window)
        if found:
            self.name = found.group(1).decode()
        else:
            self._tail = window[-_SNIFF_OVERLAP:]


_ID_PREFIX = secrets.token_hex(6)  # per process, so replicas' ids do not collide
_ID_COUNTER = itertools.count()


def _new_request_id() -> str:
    """Unique, not secret: a random per-process prefix and a counter (no urandom per request)."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):020x}"  # 32 hex digits, as uuid4().hex


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            return text if is_safe_request_id(text) else None
    return None


def _endpoint(scope: Scope, root_path: str) -> str:
    """The route template (``/jobs/{job_id}``, ``/static/{path}``), so label values stay few;
    ``unmatched`` for a path no route took."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    mount = str(scope.get("root_path", ""))[len(root_path):]
    return f"{mount}/{{path}}" if mount else "unmatched"


def _model_label(scope: Scope, sniffer: _ModelSniffer | None) -> str:
    """The model a request used: a loaded name, ``default``'s name, ``unknown``, or ``""``."""
    name = scope.get("path_params", {}).get("name")
    if name is None and sniffer is None:
        return ""
    registry = getattr(getattr(scope.get("app"), "state", None), "registry", None)
    if registry is None:
        return "unknown"
    if name is None:
        name = sniffer.name if sniffer is not None else None
        if name is None:
            return str(registry.default_name or "unknown")
    return str(name) if name in registry.names() else "unknown"


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None


# -- logging ---------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "color_message"}  # uvicorn's ANSI-coloured copy of the message
)


class JSONFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    _genserve = True

    def __init__(self, level: int = logging.NOTSET) -> None:
        logging.Handler.__init__(self, level)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class TextFormatter(logging.Formatter):
    """One plain line per record: time, level, logger, message, and the request id if any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None) or _request_id.get()
        return f"{line} request_id={request_id}" if request_id else line


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Root logging for the service; idempotent, so building several apps is harmless.

    One handler on the root logger writes every line once, on stderr: ``json``, one JSON object
    per line, or ``text``, one plain line. uvicorn's loggers go through it (their own handlers
    are dropped; its access log is replaced by ``genserve.access``, which carries the request id
    and model). Handlers that others put on the root (pytest's capture) are left alone; the
    command line does not install one for ``serve`` or ``worker``.
    """
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_genserve", False)]:
        root.removeHandler(existing)
    handler = _StderrHandler()
    handler.setFormatter(JSONFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
