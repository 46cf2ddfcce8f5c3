"""The result protocol (nqpf.results): every result's JSON document validates against the
published schema and gives back the very numbers of its tables."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from nqpf.data import load_panel
from nqpf.index.assessment import Assessment
from nqpf.present.tables import write_json, write_xlsx
from nqpf.results import (
    JSON_SCHEMA,
    SCHEMA_VERSION,
    Result,
    frame_from_json,
    hash_spec,
    table_json,
)
from nqpf.services.assessment import assess


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return assess(years=[2022, 2023])


def test_assessment_follows_the_protocol(assessment: Assessment) -> None:
    assert isinstance(assessment, Result)
    assert assessment.kind == "assessment"
    assert assessment.spec["weights"] == ["entropy"] and assessment.spec["years"] == [2022, 2023]
    assert list(assessment.tables())[:4] == ["scores", "pillars", "weights", "contributions"]
    pd.testing.assert_frame_equal(assessment.to_frame(), assessment.scores)


def test_json_document_validates_and_round_trips(assessment: Assessment) -> None:
    doc = json.loads(assessment.to_json())
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["spec_hash"] == assessment.spec_hash
    back = frame_from_json(doc["tables"]["scores"])
    scores = assessment.scores
    assert back["region"].tolist() == scores["region"].tolist()
    # floats are written with all their digits: the numbers come back bit for bit
    assert np.array_equal(back["index"].to_numpy(float), scores["index"].to_numpy(float))
    prov = frame_from_json(doc["provenance"])
    assert prov["indicator"].tolist() == assessment.provenance["indicator"].tolist()


def test_schema_rejects_a_document_without_its_version(assessment: Assessment) -> None:
    doc = json.loads(assessment.to_json())
    del doc["schema_version"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, JSON_SCHEMA)


def test_table_json_cells() -> None:
    frame = pd.DataFrame(
        {"a": [1.5, np.nan], "b": pd.array([1, pd.NA], dtype="Int64"), "c": [True, False]},
        index=pd.Index(["x", "y"], name="industry"),
    )
    doc = table_json(frame)
    assert doc == {
        "columns": ["industry", "a", "b", "c"],
        "rows": [["x", 1.5, 1, True], ["y", None, None, False]],
    }
    json.dumps(doc, allow_nan=False)
    # JSON has no infinity: ±inf (e.g. a ratio over a zero base) is null like NaN
    infinite = table_json(pd.DataFrame({"r": [np.inf, -np.inf, 2.0]}))
    assert infinite["rows"] == [[None], [None], [2.0]]


def test_tables_result_hash_covers_its_tables() -> None:
    from nqpf.results import tables_result

    one = tables_result("board", {"limit": 5}, {"posts": pd.DataFrame({"id": [1]})})
    assert one.to_frame().equals(pd.DataFrame({"id": [1]}))
    two = tables_result("board", {"limit": 5}, {"posts": pd.DataFrame({"id": [1, 2]})})
    assert one.spec_hash != two.spec_hash
    assert json.loads(one.to_json())["kind"] == "board"


def test_hash_spec_depends_on_data_and_options() -> None:
    data = pd.DataFrame({"v": [1.0, 2.0]})
    h = hash_spec({"method": "entropy", "years": [2022]}, data)
    assert len(h) == 12 and int(h, 16) >= 0
    assert h == hash_spec({"years": [2022], "method": "entropy"}, data.copy())
    assert h != hash_spec({"method": "critic", "years": [2022]}, data)
    assert h != hash_spec({"method": "entropy", "years": [2022]}, data * 1.001)


def test_generic_writers(assessment: Assessment, tmp_path: Path) -> None:
    path = write_json(assessment, tmp_path / "a.json")
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), JSON_SCHEMA)
    book = pd.read_excel(write_xlsx(assessment, tmp_path / "a.xlsx"), sheet_name=None)
    assert list(book)[-2:] == ["provenance", "spec"]
    spec = book["spec"].set_index("option")["value"]
    assert spec["spec_hash"] == assessment.spec_hash


def test_disparity_and_diagnosis_follow_the_protocol(assessment: Assessment) -> None:
    from nqpf.services.disparity import DisparitySpec, diagnose, disparity

    spec = DisparitySpec(measure="gdp_per_capita", years=(2022, 2023), spatial=False)
    report = disparity(spec)
    assert isinstance(report, Result) and report.kind == "disparity"
    doc = json.loads(report.to_json())
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["spec"]["groups"] == "four-regions" and doc["spec"]["weighted"] is False
    used = load_panel(["gdp_per_capita", "gdp", "population"], years=[2022, 2023])
    assert set(report.provenance["source_id"]) == set(used["source_id"])
    assert "derived: gdp / population * 10000" in set(report.provenance["source_id"])
    pd.testing.assert_frame_equal(report.to_frame(), report.dagum.summary)
    assert disparity(spec) is report  # cached by spec_hash
    other = disparity(DisparitySpec(measure="gdp_per_capita", years=(2023,), spatial=False))
    assert other.spec_hash != report.spec_hash

    d = diagnose("安徽", assessment=assessment, top=3)
    assert isinstance(d, Result) and d.kind == "diagnosis"
    doc = json.loads(d.to_json())
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["spec"] == {
        "region": "340000",
        "top": 3,
        "subsystems": ["tech", "industry"],
        "grouping": "four-regions",
    }
    assert list(doc["tables"]) == ["obstacles", "pillar_obstacles", "coupling", "trajectory"]
    pd.testing.assert_frame_equal(d.provenance, assessment.provenance)


def test_disparity_spec_is_validated_once() -> None:
    from nqpf.errors import InputError
    from nqpf.services.disparity import DisparitySpec

    with pytest.raises(InputError, match="grouping"):
        DisparitySpec(groups="provinces")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="bootstrap"):
        DisparitySpec(bootstrap=-1)


def test_assessment_service_caches_by_spec() -> None:
    a = assess(years=[2023])
    assert assess(years=[2023]) is a
    assert assess(years=[2023], weights="critic") is not a


def test_indicator_view_ranks_by_direction() -> None:
    from nqpf.services.data import indicator_view

    good = indicator_view("rd_intensity", years=[2023])
    assert good.ranked["rank"].tolist() == list(range(1, len(good.ranked) + 1))
    assert good.ranked["value"].is_monotonic_decreasing  # + : highest first
    assert good.ranked["region"].iloc[0] == "110000"  # 北京, 6.58 % in 2023
    bad = indicator_view("so2_intensity", years=[2022])
    assert bad.ranked["value"].is_monotonic_increasing  # − : lowest first
    assert (good.nation["region"] == "100000").all() and len(good.nation) == 1
