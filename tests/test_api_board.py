"""The board's write routes: changing (PATCH) and withdrawing (DELETE) a post — by its
author, an admin or its owner token; 401 without credentials, 403 for anyone else or a
cookie write without CSRF token, 404 for an unknown post, 422 for a bad field; withdrawn
posts leave the board and the matches; user text is stored and returned as text. On SQLite
and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.db import connect, dispose_all
from nqpf.db.accounts_repo import create_user

PASSWORD = "correct horse battery"

#: Strings that would be live HTML or SQL if anything interpreted them.
HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE market_posts; --",
    '" OR 1=1 --',
    '=HYPERLINK("http://evil","x")',
]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    engine = connect(db_url)
    create_user(engine, "alice", PASSWORD, role="analyst")
    create_user(engine, "bob", PASSWORD, role="analyst")
    create_user(engine, "victor", PASSWORD, role="viewer")
    create_user(engine, "root", PASSWORD, role="admin")
    with TestClient(create_app(db_url)) as test_client:
        yield test_client
    dispose_all()


def login(client: TestClient, user: str) -> dict[str, str]:
    """Log ``user`` in (the cookie stays in the client); the CSRF header for writes."""
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def new_post(client: TestClient, user: str = "alice", **fields: Any) -> dict[str, Any]:
    headers = login(client, user)
    body = {
        "kind": "supply",
        "enterprise": "合肥电池有限公司",
        "product": "动力电池",
        "region": "安徽",
        "contact": "sales@example.cn",
        "valid_until": "2099-12-31",
        "chain": "nev",
        **fields,
    }
    answer = client.post("/api/v1/board", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    client.cookies.clear()
    return made


def board_ids(client: TestClient, **params: Any) -> list[int]:
    answer = client.get("/api/v1/board", params=params)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["tables"]["posts"]["rows"]
    return [int(r[0]) for r in rows]


def test_author_changes_a_post_and_gets_it_back(client: TestClient) -> None:
    post = new_post(client)
    headers = login(client, "alice")
    answer = client.patch(
        f"/api/v1/board/{post['id']}",
        json={"product": "储能电池", "quantity": 500, "unit": "套"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    listed = client.get("/api/v1/board").json()["tables"]["posts"]
    assert set(changed) == set(listed["columns"])  # the board list's fields, status included
    assert changed["id"] == post["id"]
    assert (changed["product"], changed["quantity"], changed["unit"]) == ("储能电池", 500.0, "套")
    assert changed["status"] == "live"
    assert changed["region"] == "340000"  # validated and stored as the code, as on posting
    assert changed["valid_until"] == "2099-12-31"
    row = dict(zip(listed["columns"], listed["rows"][0], strict=True))
    assert row["product"] == "储能电池"


def test_owner_token_and_admin_may_change_others_may_not(client: TestClient) -> None:
    post = new_post(client)
    url = f"/api/v1/board/{post['id']}"
    assert client.patch(url, json={"product": "x"}).status_code == 401
    wrong = client.patch(url, json={"product": "x"}, headers={"X-Owner-Token": "a" * 32})
    assert wrong.status_code == 403
    assert "owner token does not match" in wrong.json()["detail"]
    short = client.patch(url, json={"product": "x"}, headers={"X-Owner-Token": "short"})
    assert short.status_code == 403
    by_token = client.patch(
        url, json={"product": "电芯"}, headers={"X-Owner-Token": post["owner_token"]}
    )
    assert by_token.status_code == 200 and by_token.json()["product"] == "电芯"
    for other in ("bob", "victor"):  # another analyst, a viewer
        answer = client.patch(url, json={"product": "偷改"}, headers=login(client, other))
        assert answer.status_code == 403, other
    admin = client.patch(url, json={"product": "电池模组"}, headers=login(client, "root"))
    assert admin.status_code == 200 and admin.json()["product"] == "电池模组"


def test_cookie_write_without_csrf_token_is_403(client: TestClient) -> None:
    post = new_post(client)
    login(client, "alice")
    url = f"/api/v1/board/{post['id']}"
    assert client.patch(url, json={"product": "x"}).status_code == 403
    assert client.delete(url).status_code == 403
    assert post["id"] in board_ids(client)


def test_api_token_of_the_author_needs_no_csrf(client: TestClient) -> None:
    post = new_post(client)
    headers = login(client, "alice")
    token = client.post("/api/v1/auth/tokens", json={"name": "erp"}, headers=headers).json()
    client.cookies.clear()
    answer = client.patch(
        f"/api/v1/board/{post['id']}",
        json={"description": "交货期 30 天"},
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["description"] == "交货期 30 天"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "demand"}, "kind"),  # not changeable
        ({"client_key": "k"}, "client_key"),
        ({"quantity": -1}, "quantity"),
        ({"valid_until": "2024-13-40"}, "valid_until"),
        ({"product": ""}, "product"),
        ({"product": None}, "product"),
        ({"region": "火星"}, "region"),
        ({"chain": "no-such-chain"}, "chain"),
        ({"valid_until": "2001-01-01"}, "valid_until"),  # in the past
    ],
)
def test_bad_changes_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    post = new_post(client)
    answer = client.patch(
        f"/api/v1/board/{post['id']}", json=body, headers={"X-Owner-Token": post["owner_token"]}
    )
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["detail"])


def test_unknown_post_is_404(client: TestClient) -> None:
    post = new_post(client)
    headers = {"X-Owner-Token": post["owner_token"]}
    assert (
        client.patch("/api/v1/board/999999", json={"product": "x"}, headers=headers).status_code
        == 404
    )
    assert client.delete("/api/v1/board/999999", headers=headers).status_code == 404
    assert client.delete("/api/v1/board/0", headers=headers).status_code == 422


def test_withdrawn_posts_leave_the_board_and_the_matches(client: TestClient) -> None:
    supply = new_post(client, product="动力电池", segment="battery")
    demand = new_post(client, "bob", kind="demand", product="动力电池", segment="battery")
    matched = client.get(f"/api/v1/board/{demand['id']}/matches").json()["tables"]["matches"]
    ids = matched["columns"].index("id")
    assert supply["id"] in [r[ids] for r in matched["rows"]]

    answer = client.delete(f"/api/v1/board/{supply['id']}", headers=login(client, "alice"))
    assert answer.status_code == 200
    assert answer.json() == {"id": supply["id"], "status": "withdrawn"}
    assert supply["id"] not in board_ids(client)
    assert supply["id"] in board_ids(client, include_withdrawn=True)
    listed = client.get("/api/v1/board", params={"include_withdrawn": True}).json()
    posts = listed["tables"]["posts"]
    status = {r[0]: r[posts["columns"].index("status")] for r in posts["rows"]}
    assert status == {supply["id"]: "withdrawn", demand["id"]: "live"}

    matched = client.get(f"/api/v1/board/{demand['id']}/matches").json()["tables"]["matches"]
    assert supply["id"] not in [r[ids] for r in matched["rows"]]
    assert client.get(f"/api/v1/board/{supply['id']}/matches").status_code == 404
    again = client.get(f"/api/v1/board/{supply['id']}/matches", params={"include_withdrawn": True})
    assert again.status_code == 200
    # withdrawing twice is harmless; only its author, an admin or the token may
    assert (
        client.delete(f"/api/v1/board/{demand['id']}", headers=login(client, "alice")).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/board/{supply['id']}", headers=login(client, "alice")).status_code
        == 200
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_returned_as_text(client: TestClient, text: str) -> None:
    post = new_post(client, enterprise=text, description=text)
    answer = client.patch(
        f"/api/v1/board/{post['id']}",
        json={"product": text},
        headers={"X-Owner-Token": post["owner_token"]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["product"] == text
    assert answer.headers["content-type"].startswith("application/json")
    posts = client.get("/api/v1/board").json()["tables"]["posts"]
    row = dict(zip(posts["columns"], posts["rows"][0], strict=True))
    assert (row["enterprise"], row["product"], row["description"]) == (text, text, text)
    assert len(posts["rows"]) == 1  # the table is still there and holds one post
