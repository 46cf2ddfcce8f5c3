"""The comments list behind the dashboard's 评论 page: every comment across documents,
regions, board posts and analyses, newest first, paged (``X-Total-Count``), filtered by kind
and target, with the author's id (withdrawal is offered on one's own)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.db import connect
from nqpf.db.accounts_repo import MAX_COMMENT_PAGE, create_user

PASSWORD = "correct horse battery"
#: (target_kind, target_id, body) in the order they are posted.
POSTED = [
    ("region", "340000", "合肥的算力布局"),
    ("document", "3", "第三条的目标值得跟踪"),
    ("post", "1", "<b>可供货</b>"),
    ("region", "110000", "北京"),
    ("analysis", "8e881079d334", "权重敏感"),
]


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    engine = connect(db_url)
    create_user(engine, "alice", PASSWORD, role="analyst", display_name="王分析师")
    create_user(engine, "victor", PASSWORD, role="viewer", display_name="李")
    with TestClient(create_app(db_url)) as test_client:
        yield test_client


def _login(client: TestClient, user: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"X-CSRF-Token": answer.json()["csrf"]}


@pytest.fixture
def posted(client: TestClient) -> list[dict[str, object]]:
    made = []
    for i, (kind, target, body) in enumerate(POSTED):
        headers = _login(client, "alice" if i % 2 == 0 else "victor")
        answer = client.post(
            "/api/v1/comments",
            json={"target_kind": kind, "target_id": target, "body": body},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    return made


def test_latest_comments_across_targets_newest_first(
    client: TestClient, posted: list[dict[str, object]]
) -> None:
    answer = client.get("/api/v1/comments")
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == str(len(POSTED))
    listed = answer.json()
    assert [c["body"] for c in listed] == [body for _, _, body in reversed(POSTED)]
    assert [c["id"] for c in listed] == sorted((c["id"] for c in posted), reverse=True)
    users = {c["author"]: c["author_id"] for c in listed}
    assert users.keys() == {"王分析师", "李"} and users["王分析师"] != users["李"]
    me = client.get("/api/v1/auth/me").json()  # alice posted (and logged in) last
    assert users["王分析师"] == me["id"]


def test_comment_pages_and_filters(client: TestClient, posted: list[dict[str, object]]) -> None:
    first = client.get("/api/v1/comments", params={"limit": 2})
    second = client.get("/api/v1/comments", params={"limit": 2, "offset": 2})
    last = client.get("/api/v1/comments", params={"limit": 2, "offset": 4})
    bodies = [c["body"] for page in (first, second, last) for c in page.json()]
    assert bodies == [body for _, _, body in reversed(POSTED)]
    assert {page.headers["X-Total-Count"] for page in (first, second, last)} == {"5"}

    regions = client.get("/api/v1/comments", params={"target_kind": "region"})
    assert [c["target_id"] for c in regions.json()] == ["110000", "340000"]
    assert regions.headers["X-Total-Count"] == "2"
    one = client.get("/api/v1/comments", params={"target_kind": "region", "target_id": "340000"})
    assert [c["body"] for c in one.json()] == ["合肥的算力布局"]
    oldest = client.get("/api/v1/comments", params={"order": "oldest", "limit": 1}).json()
    assert oldest[0]["body"] == POSTED[0][2]


def test_withdrawn_comments_leave_the_list_and_the_count(
    client: TestClient, posted: list[dict[str, object]]
) -> None:
    headers = _login(client, "alice")
    assert client.delete(f"/api/v1/comments/{posted[0]['id']}", headers=headers).status_code == 200
    answer = client.get("/api/v1/comments")
    assert answer.headers["X-Total-Count"] == "4"
    assert POSTED[0][2] not in [c["body"] for c in answer.json()]
    # someone else's comment: refused, still listed
    assert client.delete(f"/api/v1/comments/{posted[1]['id']}", headers=headers).status_code == 403
    assert client.get("/api/v1/comments").headers["X-Total-Count"] == "4"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": MAX_COMMENT_PAGE + 1}, "limit"),
        ({"offset": -1}, "offset"),
        ({"target_kind": "planet"}, "target_kind"),
        ({"target_id": "x" * 65}, "target_id"),
        ({"order": "random"}, "order"),
    ],
)
def test_bad_comment_queries_are_422_naming_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    answer = client.get("/api/v1/comments", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", field]
