"""Enterprise directory and supply/demand board: validation, matching with a known best
match, database round trips, idempotency and concurrent posting on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from nqpf.db.market import MarketPost
from nqpf.db.market_repo import (
    NotOwnerError,
    add_post,
    delete_post,
    get_post,
    list_posts,
    new_owner_token,
    update_post,
)
from nqpf.errors import InputError
from nqpf.market.match import MatchWeights, PostIndex, rank_counterparts
from nqpf.market.posts import MAX_LENGTHS, validate_post
from nqpf.services.chains import geography
from nqpf.services.market import (
    board_match,
    board_post,
    firms_search,
    import_enterprises,
    match_context,
    profile,
)
from tests.conftest import run_nqpf

TODAY = date(2026, 12, 1)
LATER = TODAY + timedelta(days=90)


def _post(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "demand",
        "enterprise": "江淮汽车",
        "product": "动力电池包",
        "region": "安徽",
        "contact": "0551-0000000",
        "valid_until": LATER.isoformat(),
        "industry": "汽车整车",
        "chain": "nev",
        "segment": "vehicles",
    }
    base.update(overrides)
    return base


# ------------------------------------------------------------------ validation


def test_valid_post_is_normalised() -> None:
    post = validate_post(_post(kind="求购", quantity="1200"), today=TODAY)
    assert post.kind == "demand" and post.region == "340000" and post.quantity == 1200.0
    assert post.valid_until == LATER


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product": ""}, "product: required"),
        ({"contact": None}, "contact: required"),
        ({"kind": "卖"}, "kind:"),
        ({"region": "火星"}, "region:"),
        ({"valid_until": "2026-02-30"}, "valid_until: '2026-02-30' is not a date"),
        ({"valid_until": "2020-01-01"}, "valid_until: 2020-01-01 is in the past"),
        ({"quantity": "很多"}, "quantity:"),
        ({"quantity": "-3"}, "quantity: must be a number ≥ 0"),
        ({"product": "x" * (MAX_LENGTHS["product"] + 1)}, "product: 201 characters"),
        ({"description": "ok\x1b[31m red"}, "description: contains control characters"),
        ({"chain": "", "segment": "battery"}, "chain: required when a segment is given"),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_bad_posts_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field.replace("[", r"\[")):
        validate_post(_post(**change), today=TODAY)


def test_unknown_chain_or_segment_in_a_post(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with pytest.raises(InputError, match="segment: chain nev has no segment 'batery'"):
        board_post(_post(segment="batery"), url=url, today=TODAY)
    with pytest.raises(InputError, match="chain: unknown chain"):
        board_post(_post(chain="钢铁"), url=url, today=TODAY)


# ------------------------------------------------ matching with a known best match


def _posts() -> pd.DataFrame:
    rows = [
        # id, kind, enterprise, industry, chain, segment, region, valid_until
        (1, "demand", "江淮汽车", "汽车整车", "nev", "vehicles", "340000", LATER),
        (2, "supply", "本省零部件", "汽车整车", "nev", "parts", "340000", LATER),  # best
        (3, "supply", "邻省零部件", "汽车配件", "nev", "parts", "320000", LATER),
        (4, "supply", "本省矿产", "小金属", "nev", "minerals", "340000", LATER),
        (5, "supply", "光伏组件", "电气设备", "pv", "modules", "340000", LATER),
        (
            6,
            "supply",
            "过期零部件",
            "汽车整车",
            "nev",
            "parts",
            "340000",
            TODAY - timedelta(days=1),
        ),
        (7, "demand", "另一买家", "汽车整车", "nev", "parts", "340000", LATER),
        (8, "supply", "远方电池", "电气设备", "nev", "battery", "650000", LATER),
        (9, "supply", "同环节整车", "汽车整车", "nev", "vehicles", "340000", LATER),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "kind",
            "enterprise",
            "industry",
            "chain",
            "segment",
            "region",
            "valid_until",
        ],
    )
    frame["product"] = frame["enterprise"]
    return frame


def _rank(request_id: int = 1, **kwargs: object) -> pd.DataFrame:
    posts = _posts()
    ctx = match_context()
    request = posts.set_index("id").loc[request_id].to_dict() | {"id": request_id}
    return rank_counterparts(
        request,
        PostIndex(posts),
        chain_steps=ctx["steps"],
        neighbours=ctx["neighbours"],
        distance_km=ctx["distance"],
        segment_names=ctx["names"],
        today=TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_matcher_finds_the_known_best_supplier() -> None:
    ranked = _rank()
    assert ranked["id"].iloc[0] == 2
    # expired (6), same kind (7) and the request itself (1) never appear
    assert not set(ranked["id"]) & {1, 6, 7}
    by_id = ranked.set_index("id")
    # one step upstream, same industry, same region: (0.5·1 + 0.2·1 + 0.3·1) / 1
    assert by_id.loc[2, "score"] == pytest.approx(1.0)
    # neighbour (江苏), one step upstream, other industry: 0.5 + 0.3·0.7
    assert by_id.loc[3, "score"] == pytest.approx(0.5 + 0.3 * 0.7)
    # minerals feed parts, parts feed vehicles: two steps, same region
    assert by_id.loc[4, "adjacency"] == pytest.approx(0.5)
    # a peer in the same segment
    assert by_id.loc[9, "adjacency"] == pytest.approx(0.5)
    # a supplier of another chain is not adjacent
    assert by_id.loc[5, "adjacency"] == 0.0
    # Xinjiang: one step upstream (battery → vehicles), far away
    dist = geography()[0].loc["340000", "650000"]
    assert by_id.loc[8, "region_score"] == pytest.approx(0.3 * np.exp(-dist / 1000))
    assert (
        "直接上游" in by_id.loc[2, "explanation_zh"]
        and "同在安徽" in by_id.loc[2, "explanation_zh"]
    )
    assert "相邻省份江苏" in by_id.loc[3, "explanation_zh"]


def test_matcher_weights_and_mirror_direction() -> None:
    region_only = _rank(weights=MatchWeights(adjacency=0, industry=0, region=1))
    # with only the region counting, every Anhui supplier ties at 1 and beats Jiangsu
    assert set(region_only["id"].iloc[:4]) == {2, 4, 5, 9}
    # an offer of parts (post 2) looks for buyers: the vehicle maker one step downstream
    buyers = _rank(request_id=2)
    assert list(buyers["id"])[:1] == [1]
    assert "直接下游" in buyers["explanation_zh"].iloc[0]


# ------------------------------------------------ database round trips (both back ends)


def test_post_round_trip_owner_and_idempotency(db_engine: Engine) -> None:
    token, other = new_owner_token(), new_owner_token()
    post = validate_post(_post(client_key="order-1", quantity="5"), today=TODAY)
    values = dict(post.__dict__)
    post_id, created = add_post(db_engine, values, token)
    assert created
    again, created_again = add_post(db_engine, values, token)
    assert (again, created_again) == (post_id, False)
    # the same key of another owner is another post
    other_id, created_other = add_post(db_engine, values, other)
    assert created_other and other_id != post_id
    stored = get_post(db_engine, post_id)
    assert stored["product"] == "动力电池包" and stored["valid_until"] == LATER
    assert stored["quantity"] == 5.0 and "owner_hash" not in stored
    with pytest.raises(NotOwnerError, match="owner token does not match"):
        update_post(db_engine, post_id, other, {"product": "偷改"})
    update_post(db_engine, post_id, token, {"product": "电池包 (改)"})
    assert get_post(db_engine, post_id)["product"] == "电池包 (改)"
    with pytest.raises(NotOwnerError):
        delete_post(db_engine, post_id, other)
    delete_post(db_engine, post_id, token)
    with pytest.raises(InputError, match="not found"):
        get_post(db_engine, post_id)
    assert list(list_posts(db_engine)["id"]) == [other_id]


_WRITER = """
import sys
from datetime import date
from nqpf.db import connect
from nqpf.db.market_repo import add_post

import time
from sqlalchemy.exc import OperationalError
from nqpf.db import DatabaseError

url, writer, per_writer, retried = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for attempt in range(8):
    # connect() opens a BEGIN IMMEDIATE transaction to check the schema; on SQLite with 20
    # writers on a busy machine that can wait past the 30 s busy timeout: start again
    try:
        engine = connect(url)
        break
    except (OperationalError, DatabaseError) as error:
        if "locked" not in str(error) or attempt == 7:
            raise
        time.sleep(1 + attempt)
token = f"writer-token-{writer:04d}-xxxxxxxx"
base = {"kind": "demand", "enterprise": f"企业{writer}", "product": "电池包", "region": "340000",
        "contact": "x", "valid_until": date(2027, 1, 1), "industry": "", "chain": "nev",
        "segment": "vehicles", "quantity": None, "unit": "", "description": ""}
created = sum(add_post(engine, {**base, "client_key": f"k{i}"}, token)[1] for i in range(per_writer))
# a client retrying after a lost response: the same keys again
repeated = sum(add_post(engine, {**base, "client_key": f"k{i}"}, token)[1] for i in range(retried))
print(created, repeated)
"""


def test_concurrent_writers_lose_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    """20 writer processes × 500 posts, each re-sending 50 of them, at the same time."""
    import os
    import subprocess
    import sys

    from nqpf.db import connect

    writers, per_writer, retried = 20, 500, 50
    engine = connect(db_url)  # migrate once before the writers start
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, db_url, str(w), str(per_writer), str(retried)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NQPF_HOME": str(tmp_path)},
        )
        for w in range(writers)
    ]
    results = [p.communicate(timeout=1200) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.split() == [str(per_writer), "0"]
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(MarketPost))
        distinct = conn.scalar(
            select(func.count()).select_from(
                select(MarketPost.owner_hash, MarketPost.client_key).distinct().subquery()
            )
        )
    assert total == distinct == writers * per_writer


# ------------------------------------------------------------ enterprise directory


def test_import_search_and_profile(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dir.db'}"
    path = tmp_path / "企业名录.csv"
    path.write_bytes(
        "企业名称,地区,行业,企业类型,上市年份\n合肥示例电池有限公司,安徽省,电气设备,民营企业,\n"
        "芜湖示例零部件公司,安徽,汽车配件,地方国有企业,2021年\n".encode("gb18030")
    )
    assert import_enterprises(path, url=url) == (2, 0)
    assert import_enterprises(path, url=url) == (0, 2)  # re-import updates, no duplicates
    found = firms_search(name="示例", region=["安徽"], url=url)
    assert list(found["name"]) == ["合肥示例电池有限公司", "芜湖示例零部件公司"]
    assert found.set_index("name").loc["芜湖示例零部件公司", "list_year"] == 2021
    # filters on packaged listed firms: 科创板 firms of Anhui listed from 2020 on
    star = firms_search(region=["安徽"], board=["科创板"], listed_from=2020, include_imported=False)
    assert len(star) > 0 and (star["board"] == "科创板").all() and (star["list_year"] >= 2020).all()
    battery = firms_search(
        chain="新能源汽车", segment="battery", region=["福建"], include_imported=False
    )
    assert "宁德时代" in set(battery["name"])
    soe = firms_search(region=["北京"], ownership=["中央企业"], include_imported=False)
    assert len(soe) > 50  # central SOEs are headquartered in Beijing
    tables = profile("安徽", url=url)
    summary = tables["summary"].set_index("item")["value"]
    assert summary.iloc[0] == summary.iloc[1] + 2  # the two imported, unlisted firms
    assert 0 < summary.iloc[2] < 1
    assert set(tables["by_chain"]["chain"]) >= {"nev", "battery"}


def test_import_errors_name_file_row_and_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dir.db'}"
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,地区\n甲公司,安徽\n乙公司,火星\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"file bad.csv, row 3, column '地区': unknown region"):
        import_enterprises(bad, url=url)
    noname = tmp_path / "noname.csv"
    noname.write_text("地区,行业\n安徽,汽车\n", encoding="utf-8")
    with pytest.raises(InputError, match="no name column"):
        import_enterprises(noname, url=url)
    board = tmp_path / "board.csv"
    board.write_text("name,region,board\n甲,安徽,创业版\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'board': unknown board"):
        import_enterprises(board, url=url)
    # nothing was written by the failed imports
    assert (firms_search(name="甲", url=url)["source"] == "listed").all()


# --------------------------------------------------------------------------- CLI


def test_cli_board_and_firms(tmp_path: Path) -> None:
    def nqpf(*args: str) -> str:
        done = run_nqpf(*args, home=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    common = [
        "--region",
        "安徽",
        "--contact",
        "x",
        "--valid-until",
        LATER.isoformat(),
        "--chain",
        "nev",
    ]
    out = nqpf("board", "post", "--kind", "求购", "--enterprise", "江淮汽车", "--product", "电池包",
               "--segment", "vehicles", "--token", "t" * 32, "--client-key", "a", *common)  # fmt: skip
    assert "#1" in out
    nqpf("board", "post", "--kind", "供应", "--enterprise", "国轩高科", "--product", "电芯",
         "--segment", "battery", "--token", "u" * 32, *common)  # fmt: skip
    again = nqpf("board", "post", "--kind", "求购", "--enterprise", "江淮汽车", "--product", "电池包",
                 "--segment", "vehicles", "--token", "t" * 32, "--client-key", "a", *common)  # fmt: skip
    assert "Already posted" in again and "#1" in again
    listing = nqpf("board", "list")
    assert "国轩高科" in listing and "江淮汽车" in listing
    matched = nqpf("board", "match", "1")
    assert "国轩高科" in matched and "直接上游" in matched
    bad = run_nqpf("board", "post", "--kind", "求购", "--enterprise", "x", "--product", "",
                   "--token", "t" * 32, *common, home=tmp_path)  # fmt: skip
    assert (
        bad.returncode == 2 and "product: required" in bad.stderr and "Traceback" not in bad.stderr
    )
    denied = run_nqpf("board", "delete", "1", "--token", "u" * 32, home=tmp_path)
    assert denied.returncode == 2 and "owner token" in denied.stderr
    firms = nqpf("firms", "search", "--chain", "nev", "--segment", "battery", "-r", "安徽")
    assert "国轩高科" in firms
    assert "科创板占比" in nqpf("firms", "profile", "安徽")


def test_board_match_service(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    board_post(_post(), url=url, today=TODAY)
    board_post(
        _post(kind="supply", enterprise="国轩高科", segment="battery", industry="电气设备"),
        url=url,
        today=TODAY,
    )
    request, matches = board_match(1, url=url, today=TODAY)
    assert request["enterprise"] == "江淮汽车"
    assert list(matches["enterprise"]) == ["国轩高科"]
