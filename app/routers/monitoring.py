"""``GET /metrics``: Prometheus text format (see ``app.metrics`` for what is measured)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import metrics

router = APIRouter(tags=["monitoring"])


@router.get("/metrics", response_class=Response, include_in_schema=True)
def get_metrics(request: Request) -> Response:
    """Requests, latency, batch sizes, loaded models, job counts and queue depth.

    A plain ``def``: counting job records is a blocking query, so it runs in the thread pool."""
    app_metrics = getattr(request.app.state, "app_metrics", None)
    if app_metrics is None:
        app_metrics = request.app.state.app_metrics = metrics.app_registry(request.app)
    return Response(metrics.generate_latest(app_metrics), media_type=metrics.CONTENT_TYPE_LATEST)
