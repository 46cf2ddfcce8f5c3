"""The prepared answers and the pure-ASGI fast path: gzip made once and served when the
client accepts it (the same bytes decoded), 304 on the ETag, the security headers on every
fast answer, reference data computed once per process, database-backed routes never
answered from memory, and the enterprise directory's city names."""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.api.fastpath import HitStore, accepts_gzip, prepare
from nqpf.db import connect, dispose_all
from nqpf.db.accounts_repo import create_user

PASSWORD = "correct horse battery"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip, deflate"}


@pytest.fixture
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'nqpf.db'}"
    create_user(connect(url), "alice", PASSWORD, role="analyst")
    with TestClient(create_app(url)) as test_client:
        yield test_client
    dispose_all()


def raw(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the body as sent (not decoded by the client)."""
    with client.stream("GET", url, headers=headers) as answer:
        body = b"".join(answer.iter_raw())
        return answer.status_code, dict(answer.headers), body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions",
        "/api/v1/data/catalog",
        "/api/v1/maps/china",
        "/api/v1/assess?view=scores",
        "/api/v1/diagnose/安徽",
        "/",
        "/static/app.js",
    ],
)
def test_gzip_when_accepted_and_the_same_bytes_decoded(client: TestClient, url: str) -> None:
    first = raw(client, url, PLAIN)  # through FastAPI (or the file), then from memory
    for _ in range(2):
        status, headers, body = raw(client, url, PLAIN)
        assert status == 200 and "content-encoding" not in headers
        assert body == first[2]
        status, headers, packed = raw(client, url, GZIP)
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert headers["vary"] == "Accept-Encoding"
        assert int(headers["content-length"]) == len(packed) < len(body)
        assert gzip.decompress(packed) == body
        assert headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in headers["content-security-policy"]
    refused = raw(client, url, {"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused[1] and refused[2] == first[2]


def test_the_fast_path_answers_304_on_the_etag(client: TestClient) -> None:
    url = "/api/v1/assess?view=scores"
    tag = client.get(url).headers["etag"]
    assert client.get(url).headers["etag"] == tag  # from the fast path now
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_reference_data_is_computed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nqpf.data

    calls = []
    original = nqpf.data.catalog

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nqpf.data, "catalog", counted)
    bodies = {client.get("/api/v1/data/catalog").content for _ in range(3)}
    bodies.add(client.get("/api/v1/data/catalog?x=1").content)  # another URL, same answer
    assert len(calls) == 1 and len(bodies) == 1


def test_database_routes_are_never_answered_from_memory(client: TestClient) -> None:
    assert client.get("/api/v1/board").json()["tables"]["posts"]["rows"] == []
    csrf = client.post(
        "/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}
    ).json()["csrf"]
    post = {
        "kind": "supply",
        "enterprise": "测试企业",
        "product": "电池",
        "region": "安徽",
        "contact": "x@example.cn",
        "valid_until": "2099-01-01",
    }
    made = client.post("/api/v1/board", json=post, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert len(client.get("/api/v1/board").json()["tables"]["posts"]["rows"]) == 1
    hits: HitStore = client.app.state.hits  # type: ignore[attr-defined]
    assert hits.get(("/api/v1/board", b"")) is None


def test_errors_and_other_methods_are_not_kept(client: TestClient) -> None:
    assert client.get("/api/v1/diagnose/火星").status_code == 404
    assert client.get("/api/v1/diagnose/火星").status_code == 404
    assert client.get("/static/no-such-file.js").status_code == 404
    hits: HitStore = client.app.state.hits  # type: ignore[attr-defined]
    assert hits.get(("/api/v1/diagnose/火星", b"")) is None
    assert hits.get(("/static/no-such-file.js", b"")) is None
    client.get("/api/v1/regions")
    assert client.post("/api/v1/regions").status_code == 405


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, identity", False),
        ("identity", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_encoding(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_prepare_keeps_gzip_only_when_it_pays() -> None:
    text = b'{"a": 1}'
    assert prepare(text).gzipped is None  # too short
    big = b'{"rows": [' + b"[1, 2, 3], " * 1000 + b"[0]]}"
    packed = prepare(big, '"x"').gzipped
    assert packed is not None and gzip.decompress(packed) == big
    assert prepare(bytes(range(256)) * 40, media_type="font/woff2").gzipped is None


def test_enterprise_cities_are_names_with_their_codes_beside(client: TestClient) -> None:
    answer = client.get("/api/v1/enterprises", params={"region": "广东", "limit": 500})
    table = answer.json()["tables"]["enterprises"]
    columns = table["columns"]
    assert columns.index("city_code") == columns.index("city") + 1
    rows = [dict(zip(columns, r, strict=True)) for r in table["rows"]]
    shenzhen = [r for r in rows if r["city_code"] == "440300"]
    assert shenzhen and {r["city"] for r in shenzhen} == {"深圳市"}
    assert all(r["city"] is None for r in rows if r["city_code"] is None)
