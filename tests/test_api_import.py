"""``POST /api/v1/data/import``, ``GET /api/v1/data/imports`` and ``GET /assess?dataset=``:
CSV (UTF-8, GBK), .xlsx and .parquet uploads checked as ``nqpf data import`` checks a file;
401/403 before the body is read, 413 over the size limit (declared or streamed), 415 for a
file whose name or content is not a table type, 422 naming row and column; the values stored
in the database as text and numbers, and laid on the packaged panel by the assessment. On
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.db import connect, dispose_all
from nqpf.db.accounts_repo import create_user

PASSWORD = "correct horse battery"

LONG_CSV = (
    "地区,年份,指标,数值\n"
    "安徽,2023,研发投入强度,2.95\n"
    "北京,2023,研发投入强度,6.83\n"
    "东部地区,2023,研发投入强度,3.1\n"  # a regional subtotal: dropped with a warning
    "安徽,2023,my_own_indicator,\n"  # an empty cell is not stored
)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    engine = connect(db_url)
    create_user(engine, "alice", PASSWORD, role="analyst")
    create_user(engine, "victor", PASSWORD, role="viewer")
    with TestClient(create_app(db_url, max_upload_mb=0.05)) as test_client:
        yield test_client
    dispose_all()


def login(client: TestClient, user: str = "alice") -> dict[str, str]:
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def upload(
    client: TestClient,
    raw: bytes,
    file_name: str = "table.csv",
    name: str = "安徽科技厅 2023",
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(
        "/api/v1/data/import",
        files={"file": (file_name, raw, "application/octet-stream")},
        data={"name": name},
        headers=login(client) if headers is None else headers,
    )


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_excel(out, index=False)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_upload_is_checked_stored_and_listed(client: TestClient, encoding: str) -> None:
    answer = upload(client, LONG_CSV.encode(encoding))
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert summary["name"] == "安徽科技厅 2023"
    assert summary["rows"] == 2
    assert summary["columns"] == ["地区", "年份", "指标", "数值"]
    assert summary["regions"] == ["110000", "340000"]
    assert summary["years"] == [2023]
    assert summary["indicators"] == ["rd_intensity"]
    assert len(summary["warnings"]) == 1 and "东部地区" in summary["warnings"][0]

    listed = client.get("/api/v1/data/imports").json()["tables"]["imports"]
    row = dict(zip(listed["columns"], listed["rows"][0], strict=True))
    assert row["id"] == summary["id"] and row["name"] == summary["name"]
    assert (row["file_type"], row["rows"], row["regions"], row["years"]) == ("csv", 2, 2, 1)


def test_xlsx_and_parquet_uploads_equal_the_csv(client: TestClient) -> None:
    frame = pd.DataFrame(
        {
            "region": ["安徽", "北京"],
            "year": [2023, 2023],
            "indicator": ["rd_intensity", "rd_intensity"],
            "value": [2.95, 6.83],
        }
    )
    from nqpf.services.data import imported_set

    got = []
    for raw, name in ((xlsx_bytes(frame), "t.xlsx"), (parquet_bytes(frame), "t.parquet")):
        answer = upload(client, raw, name)
        assert answer.status_code == 201, answer.text
        got.append(answer.json())
    for summary in got:
        assert summary["rows"] == 2 and summary["regions"] == ["110000", "340000"]
        url = str(client.app.state.db_url)  # type: ignore[attr-defined]
        label, values = imported_set(summary["id"], url)
        assert label == f"#{summary['id']} 安徽科技厅 2023"
        assert values.set_index("region")["value"].to_dict() == {"340000": 2.95, "110000": 6.83}


def test_writes_need_an_analyst_and_a_csrf_token(client: TestClient) -> None:
    raw = LONG_CSV.encode()
    client.cookies.clear()
    assert upload(client, raw, headers={}).status_code == 401
    assert upload(client, raw, headers=login(client, "victor")).status_code == 403
    login(client)
    assert upload(client, raw, headers={}).status_code == 403  # cookie without CSRF token
    assert client.get("/api/v1/data/imports").json()["tables"]["imports"]["rows"] == []


def test_oversized_uploads_are_413(client: TestClient) -> None:
    big = ("地区,年份,指标,数值\n" + "安徽,2023,研发投入强度,2.95\n" * 3000).encode()
    assert len(big) > 0.05 * 1_048_576
    answer = upload(client, big)
    assert answer.status_code == 413
    assert "0.05 MB" in answer.json()["detail"]
    # declared too large: refused on the header, before any body is read
    headers = {**login(client), "Content-Type": "multipart/form-data; boundary=x"}
    headers["Content-Length"] = str(10**9)
    declared = client.post("/api/v1/data/import", content=b"", headers=headers)
    assert declared.status_code == 413


def test_streamed_body_without_length_is_counted(client: TestClient) -> None:
    headers = {**login(client), "Content-Type": "multipart/form-data; boundary=x"}

    def chunks() -> Iterator[bytes]:
        for _ in range(200):
            yield b"--x\r\n" + b"a" * 1000

    answer = client.post("/api/v1/data/import", content=chunks(), headers=headers)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("raw", "file_name"),
    [
        (b"MZ\x90\x00 an executable", "table.exe"),
        (LONG_CSV.encode(), "table"),  # no extension
        (b"not a zip at all", "table.xlsx"),
        (LONG_CSV.encode(), "table.parquet"),  # text named .parquet
        (b"PK\x03\x04 a zip named csv", "table.csv"),
        (b"\x00\x01\x02\x03", "table.csv"),  # binary named csv
        (b"\xff\xfe\xff\xfe\x00\xd8", "table.csv"),  # broken UTF-16
    ],
)
def test_wrong_types_are_415(client: TestClient, raw: bytes, file_name: str) -> None:
    answer = upload(client, raw, file_name)
    assert answer.status_code == 415, answer.text
    assert "\n" not in answer.json()["detail"]


def test_non_multipart_body_is_415(client: TestClient) -> None:
    answer = client.post("/api/v1/data/import", json={"file": "x"}, headers=login(client))
    assert answer.status_code == 415


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("地区,年份,指标,数值\n安徽,2023,gdp,12\n火星,2023,gdp,1\n", ["row 3", "火星"]),
        ("地区,年份,指标,数值\n安徽,2023,gdp,inf\n", ["row 2", "数值", "not a finite number"]),
        ("地区,年份,指标,数值\n安徽,2023,gdp,1e400\n", ["row 2", "not a finite number"]),
        ("地区,年份,指标,数值\n安徽,2023,gdp,1\n安徽省,2023,gdp,2\n", ["duplicated", "rows 2, 3"]),
        ("地区,年份,指标,数值\n安徽,2023,gdp,abc\n", ["row 2", "数值", "expected a number"]),
        ("地区,年份,指标,数值\n安徽,二〇二三,gdp,1\n", ["row 2", "年份"]),
        ("地区,年份,指标,数值\n安徽,2023,gdp,-5\n", ["row 2", "below the smallest"]),
        ("地区,年份,指标,数值\n", ["no rows"]),
    ],
)
def test_bad_content_is_422_naming_row_and_column(
    client: TestClient, text: str, fragments: list[str]
) -> None:
    answer = upload(client, text.encode())
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "\n" not in detail
    for fragment in fragments:
        assert fragment in detail
    assert client.get("/api/v1/data/imports").json()["tables"]["imports"]["rows"] == []


def test_parquet_with_non_finite_value_is_422(client: TestClient) -> None:
    frame = pd.DataFrame(
        {"region": ["安徽"], "year": [2023], "indicator": ["gdp"], "value": [float("inf")]}
    )
    answer = upload(client, parquet_bytes(frame), "t.parquet")
    assert answer.status_code == 422
    assert "row 2" in answer.json()["detail"] and "finite" in answer.json()["detail"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_label_is_422(client: TestClient, name: str) -> None:
    answer = upload(client, LONG_CSV.encode(), name=name)
    assert answer.status_code == 422
    assert "name" in answer.json()["detail"]


def test_hostile_names_are_text_and_never_paths(client: TestClient, tmp_path: Any) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE data_imports; --"
    answer = upload(client, LONG_CSV.encode(), file_name="../../etc/passwd.csv", name=hostile)
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == hostile
    listed = client.get("/api/v1/data/imports").json()["tables"]["imports"]
    assert listed["rows"][0][1] == hostile
    bad = upload(client, b"\x00", file_name="../../\x1b[31mevil.csv")
    assert bad.status_code == 415
    assert "\x1b" not in bad.json()["detail"] and "../" not in bad.json()["detail"]


def test_assess_with_a_dataset_lays_it_on_the_packaged_panel(client: TestClient) -> None:
    import nqpf

    packaged = nqpf.assess().scores
    anhui = packaged[(packaged["region"] == "340000") & (packaged["year"] == 2023)]
    text = "地区,年份,指标,数值\n安徽,2023,研发投入强度,9.5\n安徽,2023,my_own,1\n"
    made = upload(client, text.encode()).json()
    body = client.get("/api/v1/assess", params={"dataset": made["id"], "view": "scores"}).json()
    scores = pd.DataFrame(
        body["tables"]["scores"]["rows"], columns=body["tables"]["scores"]["columns"]
    )
    mine = scores[(scores["region"] == "340000") & (scores["year"] == 2023)]
    assert float(mine["index"].iloc[0]) > float(anhui["index"].iloc[0])  # R&D 2.95 % → 9.5 %
    assert body["spec_hash"] != client.get("/api/v1/assess").json()["spec_hash"]
    notes = " ".join(body["warnings"])
    assert "1 packaged values replaced" in notes and "1 values of indicators outside" in notes

    from nqpf.services.assessment import AssessmentSpec, assess_spec

    overlay = pd.DataFrame(
        {"region": ["340000"], "year": [2023], "indicator": ["rd_intensity"], "value": [9.5]}
    )
    expected = assess_spec(AssessmentSpec.of(), overlay=overlay).scores
    assert scores["index"].tolist() == pytest.approx(expected["index"].tolist(), abs=1e-12)
    missing = client.get("/api/v1/assess", params={"dataset": 999999})
    assert missing.status_code == 404
    county = client.get("/api/v1/assess", params={"dataset": made["id"], "level": "county"})
    assert county.status_code == 422 and county.json()["field"] == "level"


def test_an_empty_overlay_changes_nothing() -> None:
    """Exact identity: the packaged assessment with nothing laid on it is the packaged one."""
    import numpy as np

    from nqpf.services.assessment import AssessmentSpec, assess_spec

    spec = AssessmentSpec.of()
    empty = pd.DataFrame(columns=["region", "year", "indicator", "value"])
    plain, laid = assess_spec(spec), assess_spec(spec, overlay=empty)
    assert laid.spec_hash == plain.spec_hash
    assert np.array_equal(laid.scores["index"].to_numpy(), plain.scores["index"].to_numpy())
