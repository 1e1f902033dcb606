"""Property-based requests generated from the server's own OpenAPI document: no 500s.

Schemathesis draws parameters and bodies (valid and invalid) for every operation and
sends them to the live server with an admin token, so every route is reached. The
example count is bounded to keep the suite fast.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from api.tokens import Role
from tests.api.conftest import Seeded
from tests.api.live import LiveServer

EXAMPLES_PER_OPERATION = 25


def test_no_generated_request_gets_a_server_error(live: LiveServer, seeded: Seeded) -> None:
    schema = schemathesis.openapi.from_url(f"{live.base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.token(Role.ADMIN)}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15, [op.label for op in operations]
    seen: dict[str, set[int]] = {}

    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(base_url=live.base_url, headers=headers, timeout=60)
            seen.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500, (
                f"{case.operation.label}: {response.status_code} {response.text[:300]}"
            )

        call()
    assert set(seen) == {op.label for op in operations}
