"""The analysis, chain and portal routes of the REST API: every answer is the result document
of the service it calls (same ``spec_hash``, same numbers), cached by request with an ETag;
bad parameters are 422 naming the field, unknown regions 404, never a 500; posting to the
board needs an analyst."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2, not yet released everywhere
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.db import connect, dispose_all
from nqpf.db.accounts_repo import create_user
from nqpf.results import JSON_SCHEMA, Result, frame_from_json

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'nqpf.db'}"
    engine = connect(url)
    create_user(engine, "alice", PASSWORD, role="analyst")
    create_user(engine, "victor", PASSWORD, role="viewer")
    with TestClient(create_app(url), raise_server_exceptions=False) as test_client:
        yield test_client
    dispose_all()


def _document(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    answer = client.get(url, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate({k: v for k, v in body.items() if k != "pillars"}, JSON_SCHEMA)
    assert answer.headers["etag"] == f'"{body["spec_hash"]}"'
    return body


def _disparity() -> Result:
    from nqpf.services.disparity import DisparitySpec, disparity

    return disparity(DisparitySpec())


def _diagnose() -> Result:
    from nqpf.services.disparity import diagnose

    return diagnose("安徽")


def _opportunities() -> Result:
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    return opportunities(OpportunitySpec(region="340000", strategy="long_jump"))


def _similar() -> Result:
    from nqpf.services.industry import SimilaritySpec, similar

    return similar(SimilaritySpec(region="安徽", top=3))


def _herding() -> Result:
    from nqpf.services.plan import herding

    return herding(view="revealed")


def _layout() -> Result:
    from nqpf.services.plan import layout

    return layout(k=4, hubs_max=5)


def _targets() -> Result:
    from nqpf.services.plan import targets

    return targets("rd_intensity", target=3.0, by=2030)


def _chain_map() -> Result:
    from nqpf.services.chains import chain_map

    return chain_map("nev", "安徽")


def _audit() -> Result:
    from nqpf.services.audit import audit

    return audit(weights="critic")


CASES: list[tuple[str, dict[str, Any], Callable[[], Result], str]] = [
    ("/api/v1/disparity", {}, _disparity, "dagum_summary"),
    ("/api/v1/diagnose/安徽", {}, _diagnose, "obstacles"),
    ("/api/v1/opportunities/340000", {"strategy": "long_jump"}, _opportunities, "opportunities"),
    ("/api/v1/similar/安徽", {"top": 3}, _similar, "peers"),
    ("/api/v1/herding", {"view": "revealed"}, _herding, "herding"),
    ("/api/v1/plan/layout", {"k": 4, "hubs": 5}, _layout, "layout"),
    (
        "/api/v1/targets",
        {"indicator": "rd_intensity", "target": 3, "by": 2030},
        _targets,
        "targets",
    ),
    ("/api/v1/chains/nev/map/安徽", {}, _chain_map, "segments"),
    ("/api/v1/audit", {"weights": "critic"}, _audit, "correlations"),
]


@pytest.mark.parametrize(("url", "params", "direct", "table"), CASES, ids=[c[0] for c in CASES])
def test_analysis_routes_answer_the_services_result(
    client: TestClient,
    url: str,
    params: dict[str, Any],
    direct: Callable[[], Result],
    table: str,
) -> None:
    body = _document(client, url, **params)
    expected = direct()
    assert body["kind"] == expected.kind
    assert body["spec_hash"] == expected.spec_hash
    got = frame_from_json(body["tables"][table])
    want = frame_from_json(frame_from_json_doc(expected, table))
    assert got.equals(want)


def frame_from_json_doc(result: Result, table: str) -> dict[str, Any]:
    import json

    doc: dict[str, Any] = json.loads(result.to_json())["tables"][table]
    return doc


def test_disparity_numbers_equal_the_report(client: TestClient) -> None:
    body = _document(client, "/api/v1/disparity")
    summary = frame_from_json(body["tables"]["dagum_summary"]).set_index("year")
    report = _disparity()
    expected = report.dagum.summary.set_index("year")  # type: ignore[attr-defined]
    assert summary.loc[2023, "G"] == expected.loc[2023, "G"]  # bit for bit through JSON
    assert body["spec"]["groups"] == "four-regions"


def test_cached_answers_are_identical_and_honour_if_none_match(client: TestClient) -> None:
    first = client.get("/api/v1/similar/安徽", params={"top": 4})
    second = client.get("/api/v1/similar/安徽", params={"top": 4})
    assert first.content == second.content
    etag = first.headers["etag"]
    again = client.get("/api/v1/similar/安徽", params={"top": 4}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/api/v1/similar/安徽", params={"top": 5})
    assert other.headers["etag"] != etag


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/disparity", {"by": "provinces"}, "by"),
        ("/api/v1/disparity", {"bootstrap": -1}, "bootstrap"),
        ("/api/v1/disparity", {"bootstrap": 10**6}, "bootstrap"),
        ("/api/v1/disparity", {"year": 1800}, "year"),
        ("/api/v1/diagnose/安徽", {"top": 0}, "top"),
        ("/api/v1/opportunities/安徽", {"strategy": "greedy"}, "strategy"),
        ("/api/v1/opportunities/安徽", {"matrix": "/etc/passwd"}, "matrix"),
        ("/api/v1/opportunities/安徽", {"threshold": -1}, "threshold"),
        ("/api/v1/similar/安徽", {"top": "many"}, "top"),
        ("/api/v1/herding", {"view": "imagined"}, "view"),
        ("/api/v1/herding", {"density_quantile": 1.5}, "density_quantile"),
        ("/api/v1/plan/layout", {"k": 0}, "k"),
        ("/api/v1/plan/layout", {"hubs_min": 6, "hubs": 2}, "hubs_min"),
        ("/api/v1/targets", {"indicator": "rd_intensity", "target": 3}, "by"),
        ("/api/v1/targets", {"indicator": "rd_intensity", "target": "x", "by": 2030}, "target"),
        ("/api/v1/enterprises", {"limit": 10**6}, "limit"),
        ("/api/v1/board", {"kind": "gift"}, "kind"),
        ("/api/v1/policy/search", {}, "q"),
        ("/api/v1/policy/documents/0", {}, "doc_id"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: TestClient, url: str, params: dict[str, Any], field: str
) -> None:
    answer = client.get(url, params=params)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    named = body.get("field") or body["detail"][0]["loc"][1]
    assert named == field


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/diagnose/火星",
        "/api/v1/opportunities/火星",
        "/api/v1/similar/火星",
        "/api/v1/chains/nev/map/火星",
    ],
)
def test_unknown_region_is_404_with_one_line(client: TestClient, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 404
    detail = answer.json()["detail"]
    assert "火星" in detail and "\n" not in detail


def test_unknown_indicator_and_chain_are_4xx_not_500(client: TestClient) -> None:
    for url, params in [
        ("/api/v1/disparity", {"measure": "no_such"}),
        ("/api/v1/targets", {"indicator": "no_such", "target": 1, "by": 2030}),
        ("/api/v1/chains/no_such", {}),
        ("/api/v1/enterprises", {"board": "火星板"}),
    ]:
        answer = client.get(url, params=params)
        assert answer.status_code == 422, (url, answer.text)
        assert "\n" not in answer.json()["detail"]


def test_chains_catalogue_and_definition(client: TestClient) -> None:
    from nqpf.services.chains import chain_catalog, get_chain

    catalog = frame_from_json(_document(client, "/api/v1/chains")["tables"]["chains"])
    assert list(catalog["id"]) == list(chain_catalog()["id"])
    nev = _document(client, "/api/v1/chains/新能源汽车")
    segments = frame_from_json(nev["tables"]["segments"])
    assert list(segments["segment"]) == [s.id for s in get_chain("nev").segments]
    assert nev["spec"]["chain"] == "nev"
    edges = frame_from_json(nev["tables"]["edges"])
    assert list(map(tuple, edges.to_numpy())) == get_chain("nev").edges()


def test_opportunity_presets_are_the_models(client: TestClient) -> None:
    from nqpf.industry.opportunities import STRATEGIES

    presets = client.get("/api/v1/opportunities/presets").json()
    assert presets == {k: dict(v) for k, v in STRATEGIES.items()}


def test_enterprise_search_pages_the_directory(client: TestClient) -> None:
    from nqpf.services.market import firms_search

    body = _document(client, "/api/v1/enterprises", name="电池", limit=3, offset=1)
    expected = firms_search(name="电池", include_imported=False)
    page = frame_from_json(body["tables"]["page"])
    assert page["total"].iloc[0] == len(expected)
    names = list(frame_from_json(body["tables"]["enterprises"])["name"])
    assert names == list(expected["name"].iloc[1:4])


def _login(client: TestClient, user: str) -> str:
    answer = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf"]
    return csrf


def _post(**changes: Any) -> dict[str, Any]:
    post = {
        "kind": "supply",
        "enterprise": "<script>alert(1)</script>合肥电芯",
        "product": '=HYPERLINK("http://x")动力电池',
        "region": "安徽",
        "contact": "0551-1234567",
        "valid_until": (date.today() + timedelta(days=30)).isoformat(),
        "chain": "nev",
        "segment": "battery",
    }
    post.update(changes)
    return post


def test_board_posting_needs_an_analyst_and_matches(client: TestClient) -> None:
    client.cookies.clear()
    assert client.post("/api/v1/board", json=_post()).status_code == 401
    csrf = _login(client, "victor")
    viewer = client.post("/api/v1/board", json=_post(), headers={"X-CSRF-Token": csrf})
    assert viewer.status_code == 403
    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    csrf = _login(client, "alice")
    bad = client.post("/api/v1/board", json=_post(quantity=-1), headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "quantity"]
    made = client.post("/api/v1/board", json=_post(), headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    supply = made.json()["id"]
    demand = client.post(
        "/api/v1/board",
        json=_post(kind="demand", enterprise="江淮汽车", product="整车电池", segment="vehicles"),
        headers={"X-CSRF-Token": csrf},
    ).json()["id"]
    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    client.cookies.clear()

    posts = frame_from_json(_document(client, "/api/v1/board")["tables"]["posts"])
    shown = posts.set_index("id").loc[supply]
    assert shown["enterprise"] == "<script>alert(1)</script>合肥电芯"  # stored as text
    assert shown["region"] == "340000"
    matches = _document(client, f"/api/v1/board/{demand}/matches")
    ranked = frame_from_json(matches["tables"]["matches"])
    assert ranked["id"].iloc[0] == supply
    missing = client.get("/api/v1/board/999999/matches")
    assert missing.status_code == 404


def test_policy_library_search_document_and_extract(client: TestClient) -> None:
    docs = frame_from_json(_document(client, "/api/v1/policy/documents")["tables"]["documents"])
    assert len(docs) >= 20
    hits = _document(client, "/api/v1/policy/search", q="新质生产力")
    snippets = frame_from_json(hits["tables"]["hits"])["snippet"]
    assert len(snippets) > 0 and all("新质生产力" in s for s in snippets)
    first = int(docs["id"].iloc[0])
    one = _document(client, f"/api/v1/policy/documents/{first}")
    assert frame_from_json(one["tables"]["document"])["id"].iloc[0] == first
    extracted = client.post(
        "/api/v1/policy/extract",
        json={"text": "到2025年，全社会研发经费投入强度达到2.5%以上。", "year": 2021},
    )
    assert extracted.status_code == 200, extracted.text
    items = frame_from_json(extracted.json()["tables"]["items"])
    rd = items[items["indicator"] == "rd_intensity"]
    assert rd["value"].iloc[0] == 2.5 and rd["year"].iloc[0] == 2025
    too_long = client.post("/api/v1/policy/extract", json={"text": "字" * 200_001})
    assert too_long.status_code == 422


def test_china_map_layers_are_the_packaged_standard_map(client: TestClient) -> None:
    from nqpf.maps import standard_layers

    answer = client.get("/api/v1/maps/china", params={"lang": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == standard_layers(lang="en")
    assert client.get("/api/v1/maps/china", params={"lang": "en"}).content == answer.content
