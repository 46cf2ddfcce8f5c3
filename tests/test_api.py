"""The REST API: data and analysis endpoints, error statuses, accounts, sessions with CSRF,
API tokens, roles, log-in rate limits and comments — on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2, not yet released everywhere
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.api.cache import ResultCache, spec_key
from nqpf.db import connect
from nqpf.db.accounts_repo import (
    MAX_FAILURES_PER_USER,
    authenticate,
    create_user,
    issue_token,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    engine = connect(db_url)
    create_user(engine, "alice", PASSWORD, role="analyst", display_name="王分析师")
    create_user(engine, "victor", PASSWORD, role="viewer")
    create_user(engine, "root", PASSWORD, role="admin")
    with TestClient(create_app(db_url)) as test_client:
        yield test_client


def login(client: TestClient, user: str = "alice") -> str:
    answer = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf"]
    return csrf


# ------------------------------------------------------------------------------ data
def test_regions_and_catalog(client: TestClient) -> None:
    regions = client.get("/api/v1/regions").json()
    assert len(regions) == 31
    anhui = next(r for r in regions if r["region"] == "340000")
    assert anhui["region_name"] == "安徽"
    assert anhui["four_regions"] == "中部"
    ids = {row["id"] for row in client.get("/api/v1/data/catalog").json()}
    assert {"rd_intensity", "gdp"} <= ids


def test_panel_values_equal_the_packaged_data(client: TestClient) -> None:
    import nqpf

    rows = client.get(
        "/api/v1/data/panel", params={"indicator": "rd_intensity", "year": 2023}
    ).json()
    got = {r["region"]: r["value"] for r in rows}
    expected = nqpf.load_panel(["rd_intensity"], years=[2023]).set_index("region")["value"]
    assert got == expected.to_dict()
    assert got["110000"] == pytest.approx(6.73)  # 北京 2023, 中国科技统计年鉴 first release


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"indicator": "no_such_indicator"}, 422, "indicator"),
        ({"indicator": "gdp", "year": 1800}, 422, "year"),
        ({"indicator": "gdp", "year": "20x3"}, 422, "year"),
        ({"indicator": "gdp", "region": "火星"}, 404, None),
    ],
)
def test_bad_panel_parameters_are_4xx_naming_the_field(
    client: TestClient, params: dict[str, object], status: int, field: str | None
) -> None:
    answer = client.get("/api/v1/data/panel", params=params)
    assert answer.status_code == status
    body = answer.json()
    if field is not None:
        located = body.get("field") or body["detail"][0]["loc"][1]
        assert located == field


def test_assess_returns_spec_hash_and_equals_the_python_api(client: TestClient) -> None:
    import nqpf
    from nqpf.results import JSON_SCHEMA, frame_from_json

    body = client.get("/api/v1/assess", params={"weights": "critic"}).json()
    direct = nqpf.assess(weights="critic")
    assert body["schema"] == "nqpf.result"
    assert body["spec_hash"] == direct.spec_hash
    assert body["spec"]["weights"] == ["critic"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate({k: v for k, v in body.items() if k != "pillars"}, JSON_SCHEMA)
    table = frame_from_json(body["tables"]["scores"])
    scores = {(r.region, r.year): r.index for r in table.itertuples()}
    for row in direct.scores.itertuples():
        assert scores[(row.region, row.year)] == pytest.approx(row.index, abs=1e-12)
    assert [p["id"] for p in body["pillars"]] == [p.id for p in direct.framework.pillars]


def test_assess_rejects_unknown_options(client: TestClient) -> None:
    answer = client.get("/api/v1/assess", params={"normalize": "best"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "normalize"]


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/api/v1/health").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/assess",
        "/api/v1/data/panel",
        "/api/v1/comments",
        "/api/v1/auth/login",
    } <= set(paths)


# ------------------------------------------------------------------------------ cache
def test_cache_runs_a_spec_once_under_concurrency() -> None:
    cache = ResultCache()
    calls: list[int] = []

    def run() -> int:
        calls.append(1)
        return 42

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: cache.get_or_run({"a": 1}, run), range(32)))
    assert results == [42] * 32
    assert len(calls) == 1
    assert spec_key({"a": 1, "b": 2}) == spec_key({"b": 2, "a": 1})


def test_cache_evicts_the_least_recently_used() -> None:
    cache = ResultCache(max_entries=2)
    for key in ("a", "b"):
        cache.get_or_run({"k": key}, lambda key=key: key)
    cache.get_or_run({"k": "a"}, lambda: "again")  # touch a
    cache.get_or_run({"k": "c"}, lambda: "c")  # evicts b
    assert cache.get_or_run({"k": "a"}, lambda: "recomputed") == "a"
    assert cache.get_or_run({"k": "b"}, lambda: "recomputed") == "recomputed"


# ------------------------------------------------------------------------------ accounts
def test_session_login_me_logout(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    csrf = login(client)
    me = client.get("/api/v1/auth/me").json()
    assert me == {
        "id": me["id"],
        "username": "alice",
        "display_name": "王分析师",
        "role": "analyst",
    }
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401


def test_session_cookie_is_httponly_and_strict(client: TestClient) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_wrong_password_is_401_without_saying_which_part(client: TestClient) -> None:
    for user in ("alice", "nobody"):
        answer = client.post("/api/v1/auth/login", json={"username": user, "password": "x" * 9})
        assert answer.status_code == 401
        assert answer.json()["detail"] == "wrong user name or password"


def test_login_rate_limit_refuses_even_the_right_password(client: TestClient) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        bad = client.post(
            "/api/v1/auth/login", json={"username": "victor", "password": "wrong-pass"}
        )
        assert bad.status_code == 401
    good = client.post("/api/v1/auth/login", json={"username": "victor", "password": PASSWORD})
    assert good.status_code == 429
    # another user is not affected
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_session_writes_need_the_csrf_token(client: TestClient) -> None:
    csrf = login(client)
    comment = {"target_kind": "region", "target_id": "340000", "body": "合肥的集成电路值得关注"}
    assert client.post("/api/v1/comments", json=comment).status_code == 403
    assert (
        client.post(
            "/api/v1/comments", json=comment, headers={"X-CSRF-Token": "forged"}
        ).status_code
        == 403
    )
    made = client.post("/api/v1/comments", json=comment, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert made.json()["author"] == "王分析师"


def test_api_token_authenticates_without_cookie_or_csrf(client: TestClient) -> None:
    csrf = login(client)
    token = client.post(
        "/api/v1/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}
    ).json()["token"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["username"] == "alice"
    made = client.post(
        "/api/v1/comments",
        json={"target_kind": "document", "target_id": "1", "body": "ok"},
        headers=bearer,
    )
    assert made.status_code == 201
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nqpf_forged"}).status_code
        == 401
    )
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_unauthenticated_comment_is_401(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/comments", json={"target_kind": "region", "target_id": "340000", "body": "hi"}
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE web_comments; --",
        '=HYPERLINK("http://x")',
        "\u001b[31mred\u001b[0m",
    ],
)
def test_hostile_comment_text_is_stored_and_returned_as_text(client: TestClient, body: str) -> None:
    csrf = login(client)
    made = client.post(
        "/api/v1/comments",
        json={"target_kind": "region", "target_id": "110000", "body": body},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 201
    listed = client.get(
        "/api/v1/comments", params={"target_kind": "region", "target_id": "110000"}
    ).json()
    assert [c["body"] for c in listed] == [body.strip()]
    assert listed[0]["author"] == "王分析师"


def test_bad_comments_are_422_naming_the_field(client: TestClient) -> None:
    csrf = login(client)
    headers = {"X-CSRF-Token": csrf}
    too_long = {"target_kind": "region", "target_id": "1", "body": "长" * 5001}
    answer = client.post("/api/v1/comments", json=too_long, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "body"]
    wrong_kind = {"target_kind": "planet", "target_id": "1", "body": "x"}
    assert client.post("/api/v1/comments", json=wrong_kind, headers=headers).status_code == 422
    blank = {"target_kind": "region", "target_id": "1", "body": "   "}
    answer = client.post("/api/v1/comments", json=blank, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["field"] == "body"


def test_only_author_or_admin_deletes_a_comment(client: TestClient) -> None:
    csrf = login(client, "alice")
    made = client.post(
        "/api/v1/comments",
        json={"target_kind": "region", "target_id": "340000", "body": "mine"},
        headers={"X-CSRF-Token": csrf},
    ).json()
    other = login(client, "victor")
    answer = client.delete(f"/api/v1/comments/{made['id']}", headers={"X-CSRF-Token": other})
    assert answer.status_code == 403
    admin = login(client, "root")
    answer = client.delete(f"/api/v1/comments/{made['id']}", headers={"X-CSRF-Token": admin})
    assert answer.status_code == 200
    assert (
        client.get(
            "/api/v1/comments", params={"target_kind": "region", "target_id": "340000"}
        ).json()
        == []
    )


# ------------------------------------------------------------------------------ storage
def test_password_is_stored_only_as_argon2id_hash(db_engine: object) -> None:
    from sqlalchemy import Engine, select

    from nqpf.db.accounts import User
    from nqpf.db.engine import session_scope

    assert isinstance(db_engine, Engine)
    create_user(db_engine, "hashcheck", PASSWORD)
    with session_scope(db_engine) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "hashcheck"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert authenticate(db_engine, "hashcheck", PASSWORD).username == "hashcheck"


def test_expired_token_is_refused(db_engine: object) -> None:
    from datetime import timedelta

    from sqlalchemy import Engine

    from nqpf.db.accounts_repo import resolve_token

    assert isinstance(db_engine, Engine)
    user = create_user(db_engine, "shortlived", PASSWORD)
    live = issue_token(db_engine, user, ttl=timedelta(hours=1))
    dead = issue_token(db_engine, user, ttl=timedelta(seconds=-1))
    assert resolve_token(db_engine, live.secret) == user
    assert resolve_token(db_engine, dead.secret) is None


@pytest.mark.parametrize(
    ("username", "password", "fragment"),
    [
        ("ab", PASSWORD, "user name"),
        ("a b c", PASSWORD, "user name"),
        ("../etc", PASSWORD, "user name"),
        ("carol", "short", "password"),
    ],
)
def test_bad_accounts_are_refused(
    db_engine: object, username: str, password: str, fragment: str
) -> None:
    from sqlalchemy import Engine

    from nqpf.errors import InputError

    assert isinstance(db_engine, Engine)
    with pytest.raises(InputError, match=fragment):
        create_user(db_engine, username, password)


def test_duplicate_user_is_a_conflict(db_engine: object) -> None:
    from sqlalchemy import Engine

    from nqpf.db.accounts_repo import ConflictError

    assert isinstance(db_engine, Engine)
    create_user(db_engine, "dup", PASSWORD)
    with pytest.raises(ConflictError, match="exists already"):
        create_user(db_engine, "dup", PASSWORD)
