"""Each service's own HTTP port: /healthz, /readyz, /metrics, plus the service's routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

ReadinessCheck = Callable[[], Awaitable[None]]


def base_http_app(service: str, *, registries: Sequence[CollectorRegistry],
                  checks: dict[str, ReadinessCheck]) -> FastAPI:
    """`registries`: the service's own (FastStream's metrics) and the process-wide one (domain
    counters, process metrics); /metrics serves them one after the other."""
    app = FastAPI(title=f"dvk {service}", version="1")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(response: Response) -> dict[str, object]:
        failures = {}
        for name, check in checks.items():
            try:
                await check()
            except Exception as exc:  # a readiness probe reports, it does not raise
                failures[name] = type(exc).__name__
        response.status_code = 503 if failures else 200
        return {"ready": not failures, "service": service, "failures": failures}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body = b"".join(generate_latest(registry) for registry in registries)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return app
