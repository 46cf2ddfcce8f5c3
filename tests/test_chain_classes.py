"""GB/T 4754-2017 classes of the chain segments, and segment status from firm records
(:mod:`nqpf.chain.classes`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nqpf.chain.chainmap import ChainMapOptions
from nqpf.chain.classes import check_classes, micro_segment_status, segment_classes
from nqpf.chain.definitions import parse_chain
from nqpf.errors import InputError
from nqpf.micro.codes import division_concordance, parse_industries
from nqpf.services.chains import chains, class_names, get_chain


@pytest.mark.parametrize("chain", [c.id for c in chains()])
def test_every_packaged_segment_has_a_valid_class_list(chain: str) -> None:
    found = get_chain(chain)
    assert check_classes(found, class_names()) == []
    for seg in found.segments:
        assert seg.gbt4754, seg.id
        assert seg.gbt4754_source, seg.id
        divisions = set(division_concordance()["division_2017"]) | {"79"}
        assert {c[:2] for c in seg.gbt4754} <= divisions


def test_the_class_table_matches_the_standard_where_it_is_known() -> None:
    names = class_names()
    # GB/T 4754-2017 (国家统计局): classes new in the 2017 edition and their names
    assert names["3612"] == "新能源车整车制造"
    assert names["3841"] == "锂离子电池制造"
    assert names["3825"] == "光伏设备及元器件制造"
    assert names["3973"] == "集成电路制造"
    assert names["6520"] == "集成电路设计"
    assert names["3491"] == "工业机器人制造"
    assert names["5267"] == "机动车充电销售"
    assert names["4416"] == "太阳能发电"
    # every code the segments use is in the table and vice versa (no stale names)
    used = {c for chain in chains() for s in chain.segments for c in s.gbt4754}
    assert used == set(names)
    # the division of every code is a GB/T 4754-2017 division in the section the importer
    # gives it (section letters of the table: C manufacturing, I information, Q health …)
    parsed = parse_industries(sorted(names), vintage="2017").set_index("raw")
    assert parsed.loc["3612", "section"] == "C"
    assert parsed.loc["6520", "section"] == "I"
    assert parsed.loc["841", "section"] == "Q"
    assert parsed.loc["8111", "section"] == "O"
    assert parsed["problem"].isna().all()


def test_2011_codes_of_these_classes_map_to_the_same_division_as_the_importer_does() -> None:
    # the importer keeps 2011-vintage codes to the division (without a class table); for
    # every division a segment uses, the 2011 code that maps there is named by the
    # concordance, so a 2011 record lands in the division the 2017 class belongs to
    concordance = division_concordance()
    to_2017 = dict(zip(concordance["division_2011"], concordance["division_2017"], strict=True))
    used = {c[:2] for chain in chains() for s in chain.segments for c in s.gbt4754}
    reached = set(to_2017.values())
    assert used <= reached
    # 汽车修理与维护: 2011 class 8011 (division 80) is 2017 class 8111 (division 81)
    mapped = parse_industries(["8011"], vintage="2011")
    assert mapped[["section", "industry"]].iloc[0].tolist() == ["O", "81"]
    assert "8111" in get_chain("nev").segment("services").gbt4754


def test_bad_class_lists_are_refused_with_the_file_and_field() -> None:
    base = {
        "id": "x",
        "name_zh": "测试",
        "name_en": "Test",
        "sources": ["s"],
        "segments": [
            {"id": "a", "name_zh": "甲", "name_en": "A", "io_sectors": ["001"], "firms": {},
             "reason": "r", "gbt4754": ["3841"], "gbt4754_source": "src"},
            {"id": "b", "name_zh": "乙", "name_en": "B", "io_sectors": ["002"], "firms": {},
             "reason": "r", "gbt4754": ["384", "3841"], "gbt4754_source": "src"},
        ],
    }  # fmt: skip
    with pytest.raises(InputError, match=r"x.yaml: segment 'b': gbt4754 codes repeat or lie"):
        parse_chain(base, source="x.yaml")
    base["segments"][1]["gbt4754"] = [3841]  # type: ignore[index]
    with pytest.raises(InputError, match="as text"):
        parse_chain(base, source="x.yaml")
    base["segments"][1]["gbt4754"] = ["3842"]  # type: ignore[index]
    del base["segments"][1]["gbt4754_source"]  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="gbt4754_source"):
        parse_chain(base, source="x.yaml")
    base["segments"][1]["gbt4754_source"] = "src"  # type: ignore[index]
    chain = parse_chain(base, source="x.yaml")
    assert check_classes(chain, class_names()) == []
    base["segments"][1]["gbt4754"] = ["9999"]  # type: ignore[index]
    problems = check_classes(parse_chain(base, source="x.yaml"), class_names())
    assert problems and "division 99 does not exist" in problems[0]
    base["segments"][1]["gbt4754"] = []  # type: ignore[index]
    with pytest.raises(InputError, match="no GB/T 4754 classes for segment"):
        segment_classes(parse_chain(base, source="x.yaml"), class_names())


def test_status_from_counts_on_a_hand_computed_case() -> None:
    chain = get_chain("battery")
    seg = [s.id for s in chain.segments]
    # three regions; all firms N_r = 100, 50, 10 (N = 160); cells firms only in 'cells' and
    # 'mining'. cells: 10, 2, 4 (n_s = 16); mining: 0, 5, 0 (n_s = 5)
    totals = pd.DataFrame(
        {"region": ["A", "B", "C"], "firms": [100, 50, 10], "capital": [1000.0, 100.0, 900.0]}
    )
    counts = pd.DataFrame(
        {
            "region": ["A", "B", "C", "B"],
            "segment": ["cells", "cells", "cells", "mining"],
            "firms": [10, 2, 4, 5],
            "capital": [100.0, 10.0, 800.0, 50.0],
        }
    )
    out = micro_segment_status(chain, counts, totals, options=ChainMapOptions()).set_index(
        ["region", "segment"]
    )
    # LQ_A,cells = (10/100)/(16/160) = 1; B: (2/50)/(0.1) = 0.4; C: (4/10)/0.1 = 4
    assert out.loc[("A", "cells"), "lq"] == pytest.approx(1.0)
    assert out.loc[("B", "cells"), "lq"] == pytest.approx(0.4)
    assert out.loc[("C", "cells"), "lq"] == pytest.approx(4.0)
    # mining: B (5/50)/(5/160) = 3.2
    assert out.loc[("B", "mining"), "lq"] == pytest.approx(3.2)
    assert out.loc[("A", "cells"), "status"] == "strong"  # 10 ≥ 3 firms, LQ 1 ≥ 1
    assert out.loc[("B", "cells"), "status"] == "weak"
    assert out.loc[("C", "cells"), "status"] == "strong"
    assert out.loc[("B", "mining"), "status"] == "strong"
    assert out.loc[("A", "mining"), "status"] == "missing"
    assert (out.xs("storage", level="segment")["status"] == "missing").all()
    assert out.loc[("A", "cells"), "rank"] == 1
    assert len(out) == 3 * len(seg)
    # capital: LQ_C,cells = (800/900)/(910/2000) = 1.9536…; A (100/1000)/(0.455) = 0.2198…
    cap = micro_segment_status(
        chain, counts, totals, measure="capital", options=ChainMapOptions()
    ).set_index(["region", "segment"])
    assert cap.loc[("C", "cells"), "lq"] == pytest.approx((800 / 900) / (910 / 2000))
    assert cap.loc[("A", "cells"), "status"] == "weak"  # 10 firms but LQ 0.22 < 1
    assert cap.loc[("C", "cells"), "rank"] == 1
    # a stricter threshold changes the answer
    strict = micro_segment_status(
        chain, counts, totals, options=ChainMapOptions(strong_lq=1.5, min_firms=5)
    ).set_index(["region", "segment"])
    assert strict.loc[("A", "cells"), "status"] == "weak"
    assert strict.loc[("C", "cells"), "status"] == "weak"  # 4 < 5 firms
    assert strict.loc[("B", "mining"), "status"] == "strong"
    assert np.isfinite(out["lq"]).all()
    with pytest.raises(InputError, match="unknown measure"):
        micro_segment_status(chain, counts, totals, measure="jobs", options=ChainMapOptions())  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3),
    st.lists(
        st.tuples(
            st.integers(0, 2), st.sampled_from(["cells", "mining", "storage"]), st.integers(1, 10)
        ),
        min_size=1,
        max_size=12,
    ),
    st.floats(min_value=0.5, max_value=3.0),
)
def test_location_quotients_average_one_weighted_by_region_size(
    others: list[int], cells: list[tuple[int, str, int]], strong_lq: float
) -> None:
    chain = get_chain("battery")
    regions = ["A", "B", "C"]
    counts = pd.DataFrame(
        [(regions[r], s, n, float(n)) for r, s, n in cells],
        columns=["region", "segment", "firms", "capital"],
    )
    in_segments = counts.groupby("region")["firms"].sum().reindex(regions, fill_value=0)
    # a region's total is at least its segment firms (a firm can sit in one segment here)
    n_r = in_segments.to_numpy() + np.array(others)
    assume(n_r.sum() > 0)
    totals = pd.DataFrame({"region": regions, "firms": n_r, "capital": n_r.astype(float)})
    opts = ChainMapOptions(strong_lq=strong_lq)
    out = micro_segment_status(chain, counts, totals, options=opts)
    weights = dict(zip(regions, n_r / n_r.sum(), strict=True))
    for seg, part in out.groupby("segment"):
        if part["firms"].sum() == 0:
            assert (part["lq"] == 0).all() and (part["status"] == "missing").all()
            continue
        # Σ_r (N_r/N)·LQ_rs = Σ_r n_rs/n_s = 1
        assert sum(weights[r] * q for r, q in zip(part["region"], part["lq"], strict=True)) == (
            pytest.approx(1.0)
        )
        strong = (part["firms"] >= 3) & (part["lq"] >= strong_lq)
        assert (part["status"] == "strong").tolist() == strong.tolist(), seg
        assert ((part["status"] == "missing") == (part["firms"] == 0)).all()
