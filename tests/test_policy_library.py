"""The policy library in a real database: corpus, search, targets, adding documents, bad
input. SQLite always; PostgreSQL when NQPF_TEST_PG_URL is set (required in CI)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.services.policy import PolicyLibrary, packaged_corpus
from tests.conftest import run_nqpf

# The State Council's headline targets as the reports state them (a range gives its lower
# bound: 2016 6.5%－7%, 2019 6%－6.5%).
GDP_TARGETS = {
    2006: 8.0, 2007: 8.0, 2008: 8.0, 2009: 8.0, 2010: 8.0, 2011: 8.0, 2012: 7.5, 2013: 7.5,
    2014: 7.5, 2015: 7.0, 2016: 6.5, 2017: 6.5, 2018: 6.5, 2019: 6.0, 2021: 6.0, 2022: 5.5,
    2023: 5.0, 2024: 5.0, 2025: 5.0,
}  # fmt: skip
CPI_TARGETS = {2008: 4.8, 2011: 4.0, 2013: 3.5, 2015: 3.0, 2025: 2.0}
JOB_TARGETS = {2006: 900.0, 2008: 1000.0, 2017: 1100.0, 2023: 1200.0, 2025: 1200.0}


@pytest.fixture(scope="module")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> PolicyLibrary:
    path = tmp_path_factory.mktemp("policy") / "library.db"
    return PolicyLibrary(f"sqlite:///{path}")


def test_packaged_corpus_is_reports_2006_2025_and_the_seed() -> None:
    corpus = packaged_corpus()
    reports = corpus[corpus["doc_type"] == "work_report"]
    assert sorted(reports["year"]) == [y for y in range(2006, 2026) if y != 2020]
    assert not reports["title"].str.contains("决议").any()
    assert not corpus["text"].str.contains("本作品是中华人民共和国的").any()
    assert corpus["sha256"].is_unique
    assert (corpus["key"] == "seed-ndrc-2025").sum() == 1


def test_headline_targets_table(corpus_library: PolicyLibrary) -> None:
    table = corpus_library.targets()
    assert table["gdp_growth"].to_dict() == GDP_TARGETS
    for year, value in CPI_TARGETS.items():
        assert table.loc[year, "cpi_inflation"] == value
    for year, value in JOB_TARGETS.items():
        assert table.loc[year, "urban_new_jobs"] == value
    assert table.loc[2025, "surveyed_unemployment"] == 5.5
    assert table.loc[2024, "energy_intensity_cut"] == 2.5


def test_search_finds_and_ranks(corpus_library: PolicyLibrary) -> None:
    hits = corpus_library.search("新质生产力")
    # the phrase enters the reports in 2024; the seed article is about it
    assert set(hits["year"]) == {2024, 2025}
    assert "因地制宜发展新质生产力" in set(hits["title"])
    assert hits["snippet"].str.contains("新质生产力").all()
    assert set(corpus_library.search("低空经济")["year"]) == {2024, 2025}
    assert corpus_library.search("不存在的词语组合甲乙丙").empty


@pytest.mark.parametrize("query", ["碳达峰 碳中和", "新质生产力", "专精特新", "人工智能 产业"])
def test_search_finds_every_document_with_the_words(
    corpus_library: PolicyLibrary, query: str
) -> None:
    """Exact recall: jieba cuts 碳中和 as 碳中/和 in the query but 碳/中/和 after 碳达峰 in
    the 2022–2025 reports; every document holding all the words is still found."""
    from nqpf.policy.segment import query_words

    words = query_words(query)
    docs = corpus_library.documents()
    holding = {
        int(i)
        for i in docs["id"]
        if all(w in corpus_library.document(int(i))["text"] for w in words)
    }
    hits = corpus_library.search(query, limit=1000)
    assert set(hits["id"]) == holding
    assert hits["score"].is_monotonic_decreasing
    if query == "碳达峰 碳中和":
        assert set(hits["year"]) == {2021, 2022, 2023, 2024, 2025}


def test_search_is_fast(corpus_library: PolicyLibrary) -> None:
    corpus_library.search("人工智能")
    start = time.perf_counter()
    for _ in range(5):
        corpus_library.search("人工智能 产业")
    assert (time.perf_counter() - start) / 5 < 0.5  # the benchmark holds the 100 ms goal


def test_loading_twice_adds_nothing(corpus_library: PolicyLibrary) -> None:
    assert corpus_library.load_packaged() == 0
    assert len(corpus_library.documents()) == len(packaged_corpus())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_add_search_extract_round_trip(db_url: str, tmp_path: Path) -> None:
    library = PolicyLibrary(db_url, load_corpus=False)
    text = "安徽省2025年政府工作报告\n今年主要预期目标是：地区生产总值增长5.5%左右。大力发展低空经济和量子科技。"
    doc = _write(tmp_path / "ah.txt", text.encode("gb18030"))
    doc_id = library.add(
        doc, title="安徽省政府工作报告", region="安徽", issued="2025-01-14", doc_type="work_report"
    )
    meta = library.document(doc_id)
    assert (meta["region"], meta["year"], meta["level"]) == ("340000", 2025, "province")
    assert meta["text"].startswith("安徽省2025年")
    hits = library.search("量子科技")
    assert hits["id"].tolist() == [doc_id]
    assert library.search("低空")["id"].tolist() == [doc_id]
    items = library.items(doc_id)
    fields = set(items.loc[items["kind"] == "industry", "industry"])
    assert fields == {"low_altitude", "quantum"}
    target = items[items["kind"] == "target"].iloc[0]
    assert (target["value"], target["year"], target["comparison"]) == (5.5, 2025, "increase:approx")
    with pytest.raises(InputError, match=f"already holds this text as document {doc_id}"):
        library.add(doc)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the document is empty"),
        (b"  \n\n ", "the document is empty"),
        (b"\x00\x01\x02binary\x00", "binary file"),
        (b"\xff\xfe\xfa\xfb" * 20, "unknown text encoding"),
    ],
)
def test_bad_documents_store_nothing(tmp_path: Path, data: bytes, message: str) -> None:
    library = PolicyLibrary(f"sqlite:///{tmp_path / 'x.db'}", load_corpus=False)
    with pytest.raises(InputError, match=message) as info:
        library.add(_write(tmp_path / "bad.txt", data))
    assert "bad.txt" in str(info.value)
    assert library.documents().empty


def test_bad_metadata(tmp_path: Path) -> None:
    library = PolicyLibrary(f"sqlite:///{tmp_path / 'x.db'}", load_corpus=False)
    doc = _write(tmp_path / "d.txt", "正文".encode())
    with pytest.raises(InputError, match="level 'planet'"):
        library.add(doc, level="planet")
    with pytest.raises(InputError, match="not YYYY-MM-DD"):
        library.add(doc, issued="2025/1/1")
    with pytest.raises(InputError, match="unknown region"):
        library.add(doc, region="火星")
    with pytest.raises(InputError, match="no document 999"):
        library.document(999)
    assert library.documents().empty


def test_cli_policy_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    doc = _write(tmp_path / "note.txt", "到2027年，人工智能产业规模达到1000亿元。".encode())
    added = run_nqpf("policy", "add", str(doc), "--db", db, "--region", "北京", home=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "target 1" in added.stdout and "industry 1" in added.stdout
    found = run_nqpf("policy", "search", "人工智能产业规模", "--db", db, home=tmp_path)
    assert "note" in found.stdout
    out = tmp_path / "items.xlsx"
    extracted = run_nqpf("policy", "extract", str(doc), "--out", str(out), home=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    items = pd.read_excel(out)
    row = items[items["kind"] == "target"].iloc[0]
    assert (row["value"], row["unit"], row["year"]) == (1000, "亿元", 2027)
    missing = run_nqpf("policy", "extract", str(tmp_path / "nope.txt"), home=tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
