"""The HTTP service (the command line is ``cli``).

Offers:
- ``create_app(settings, limits=None) -> FastAPI`` (``api.app``): the JSON API under
  ``/api/v1``, the officers' screens, ``/healthz`` and ``/metrics``;
- ``app_from_env()``: the same, configured from the environment (``uvicorn --factory``);
- ``create_token(store, role=, agency=, label=)`` and ``Role`` (``api.tokens``);

Imported lazily so the command line does not pay for FastAPI on every run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Role", "app_from_env", "create_app", "create_token"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: importing one ``api`` module (the CLI's labels, a test's
    # helper) must not build the FastAPI application and its templates.
    if name in ("create_app", "app_from_env"):
        from api import app

        return getattr(app, name)
    if name in ("Role", "create_token"):
        from api import tokens

        return getattr(tokens, name)
    raise AttributeError(name)
