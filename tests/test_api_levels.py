"""``level`` on the analysis routes (prefectures and counties, docs/levels.md) and the
``view=scores`` answer of ``GET /assess``: the same numbers as the services the command
line calls, and 422/404 for what does not exist at a level."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.db import dispose_all
from nqpf.results import frame_from_json


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'nqpf.db'}"
    with TestClient(create_app(url), raise_server_exceptions=False) as test_client:
        yield test_client
    dispose_all()


def _get(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    answer = client.get(url, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_scores_view_is_the_full_answer_without_its_large_tables(client: TestClient) -> None:
    full = client.get("/api/v1/assess")
    scores = client.get("/api/v1/assess", params={"view": "scores"})
    assert full.status_code == scores.status_code == 200
    whole, part = full.json(), scores.json()
    assert "contributions" in whole["tables"]
    assert list(part["tables"]) == ["scores", "pillars", "weights"]
    for name in part["tables"]:
        assert part["tables"][name] == whole["tables"][name]
    assert part["spec"] == whole["spec"] and part["spec_hash"] == whole["spec_hash"]
    assert part["pillars"] == whole["pillars"]
    assert len(scores.content) < len(full.content) / 4
    # the two bodies differ, so must their validators
    assert full.headers["etag"] == f'"{whole["spec_hash"]}"'
    assert scores.headers["etag"] == f'"{whole["spec_hash"]}-scores"'
    again = client.get(
        "/api/v1/assess",
        params={"view": "scores"},
        headers={"If-None-Match": scores.headers["etag"]},
    )
    assert again.status_code == 304
    stale = client.get(
        "/api/v1/assess", params={"view": "scores"}, headers={"If-None-Match": full.headers["etag"]}
    )
    assert stale.status_code == 200


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_assess_level_equals_the_service(client: TestClient, level: str) -> None:
    import nqpf

    body = _get(client, "/api/v1/assess", level=level, view="scores")
    got = frame_from_json(body["tables"]["scores"]).set_index(["region", "year"])["index"]
    expected = nqpf.assess(level=level).scores.set_index(["region", "year"])["index"]
    assert body["spec"]["level"] == level
    assert body["spec"]["framework"] == {"prefecture": "city", "county": "county"}[level]
    assert len(got) == len(expected) > 250
    assert got.sort_index().tolist() == pytest.approx(expected.sort_index().tolist(), abs=1e-12)
    assert [p["id"] for p in body["pillars"]] == ["talent", "tech", "industry"]


def test_province_framework_at_prefecture_level_is_422(client: TestClient) -> None:
    answer = client.get(
        "/api/v1/assess", params={"level": "prefecture", "framework": "three-elements"}
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "framework"
    assert client.get("/api/v1/assess", params={"level": "town"}).status_code == 422


def test_disparity_by_province_of_prefectures(client: TestClient) -> None:
    from nqpf.services.disparity import DisparitySpec, disparity

    body = _get(client, "/api/v1/disparity", level="prefecture", by="province")
    got = frame_from_json(body["tables"]["dagum_summary"])
    expected = disparity(DisparitySpec(level="prefecture", groups="province")).dagum.summary
    assert got["G"].tolist() == pytest.approx(expected["G"].tolist(), abs=1e-12)
    assert len(body["spec"]["groups"]) > 250  # the prefectures, each with its province
    assert body["spec"]["groups"]["340100"] == "安徽"
    province = client.get("/api/v1/disparity", params={"by": "province"})
    assert province.status_code == 422 and province.json()["field"] == "by"


def test_diagnose_a_city_by_name_and_by_forced_level(client: TestClient) -> None:
    from nqpf.services.disparity import diagnose

    expected = diagnose("合肥").obstacles
    for params in ({}, {"level": "prefecture"}):
        body = _get(client, "/api/v1/diagnose/合肥", **params)
        got = frame_from_json(body["tables"]["obstacles"])
        assert got["obstacle"].tolist() == pytest.approx(expected["obstacle"].tolist())
        assert set(got["region"].astype(str)) == {"340100"}
    # 北京 is the province by default and the municipality's prefecture unit when asked
    province = _get(client, "/api/v1/diagnose/北京")
    city = _get(client, "/api/v1/diagnose/北京", level="prefecture")
    assert province["spec"] != city["spec"]
    trajectory = frame_from_json(city["tables"]["trajectory"])
    assert len(trajectory) < len(frame_from_json(province["tables"]["trajectory"]))
    assert client.get("/api/v1/diagnose/肥西县", params={"level": "prefecture"}).status_code == 404


def test_similar_and_opportunities_below_the_province(client: TestClient) -> None:
    from nqpf.services.industry import SimilaritySpec, similar

    body = _get(client, "/api/v1/similar/肥西县", level="county")
    expected = similar(SimilaritySpec(region="肥西县")).peers
    assert frame_from_json(body["tables"]["peers"])["region"].astype(str).tolist() == (
        expected["region"].astype(str).tolist()
    )
    assert body["spec"]["matrix"] == "census2020"
    listed = client.get("/api/v1/opportunities/合肥", params={"matrix": "listed"})
    assert listed.status_code == 422 and listed.json()["field"] == "matrix"
    province = _get(client, "/api/v1/similar/安徽")
    assert province["spec"]["matrix"] == "listed"  # auto is the listed matrix for a province
