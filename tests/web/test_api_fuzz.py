"""schemathesis against our own OpenAPI document: no operation answers 5xx.

Signed in as a reader with a Bearer token (`tidings token create` does the same), against the
real server on 127.0.0.1 over the demo newsroom. Bounded: a few generated requests per
operation, so that it fits in `make test`; `TIDINGS_API_FUZZ_EXAMPLES` asks for more.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from tests.web.conftest import LiveServer
from tidings import auth
from tidings.models import TokenKind
from tidings.store import accounts
from tidings.store.db import transaction

EXAMPLES = int(os.environ.get("TIDINGS_API_FUZZ_EXAMPLES", "8"))
# Operations that would end the session under test or delete the account doing the testing.
SKIP = {("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/account")}


def _token(live: LiveServer) -> str:
    secret = auth.new_secret("tdg_")
    with transaction(live.engine) as conn:
        user = accounts.find_user(conn, live.settings.user)
        assert user is not None
        accounts.add_token(conn, user.id or 0, TokenKind.API, auth.secret_hash(secret), "fuzz")
    return secret


def _fuzz(operation: schemathesis.APIOperation, base: str, headers: dict[str, str],
          failures: list[str], statuses: list[int]) -> None:
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        response = case.call(base_url=base, headers=headers, timeout=20)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.status_code}"
                            f" {response.text[:200]}")

    check()


@pytest.mark.timeout(900)
def test_no_operation_answers_5xx(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live.base}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {_token(live)}"}
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        if (operation.method.upper(), operation.path) not in SKIP:
            _fuzz(operation, live.base, headers, failures, statuses)
    assert failures == [], "\n".join(failures[:20])
    assert sum(200 <= s < 300 for s in statuses) >= 10  # signed in: real answers, not 401s
