"""Schemathesis against the API's own OpenAPI description: requests generated from the
schema (valid and invalid parameters, bodies, paths) never get a 5xx, and every answer
conforms to the schema it declares. Bounded (a few examples per operation) to keep CI fast;
the background-job POST is left out (it would start long work; tests/test_api_jobs.py
covers it)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2, not yet released everywhere
    from hypothesis import HealthCheck, Phase, settings

    from nqpf.api import create_app

_HOME = Path(tempfile.mkdtemp(prefix="nqpf-schemathesis-"))
APP = create_app(f"sqlite:///{_HOME / 'nqpf.db'}")
SCHEMA = schemathesis.openapi.from_asgi("/api/openapi.json", APP).exclude(
    method="POST", path="/api/v1/jobs/assess"
)


@SCHEMA.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
