"""``nqpf policy …``: the policy library (资讯) — add, list, search, extract, national targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import progress, stdout
from nqpf.cli._output import Format, FormatOption, emit, frame_columns, messages, show_table

if TYPE_CHECKING:
    import pandas as pd

    from nqpf.services.policy import PolicyLibrary

app = typer.Typer(
    help="资讯 Policy library: documents, full-text search, extracted targets.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default $NQPF_DB_URL or $NQPF_HOME/nqpf.db)"),
]
OutOption = Annotated[Path | None, typer.Option(help="also write the table as .xlsx or .csv here")]


def _library(db: str | None) -> PolicyLibrary:
    from nqpf.services.policy import PolicyLibrary

    library = PolicyLibrary(db, load_corpus=False)
    with progress("载入政策文库 loading the packaged corpus") as step:
        library.load_packaged(progress=step)
    return library


def _show(frame: pd.DataFrame, title: str, fmt: Format, *, index: bool = False) -> None:
    shown = frame.reset_index() if index else frame
    if fmt != "table":
        emit(fmt, shown)
        return

    def cell(value: object, column: str) -> str:
        return "" if _missing(value) else _cell(_fmt(value))

    show_table(shown, frame_columns(shown, cell), title=title)


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def _cell(text: str) -> str:
    """Text for the terminal: control characters (terminal escapes) dropped; the consoles
    read no markup, so a document's text is shown, never interpreted."""
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _write(frame: pd.DataFrame, out: Path | None, sheet: str, fmt: Format) -> None:
    if out is None:
        return
    from nqpf.present.tables import write_table

    path = write_table(frame, out, sheet=sheet)
    messages(fmt).print(f"written: {path}", highlight=False)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="a text file (UTF-8 or GB18030)")],
    title: Annotated[str | None, typer.Option(help="title (default: the file name)")] = None,
    issuer: Annotated[str | None, typer.Option(help="issuing body, e.g. 安徽省人民政府")] = None,
    level: Annotated[
        str, typer.Option(help="national | province | prefecture | county")
    ] = "province",
    region: Annotated[str | None, typer.Option(help="region name or code")] = None,
    date: Annotated[str | None, typer.Option(help="date issued, YYYY-MM-DD")] = None,
    doc_type: Annotated[
        str, typer.Option("--type", help="work_report | plan | policy | article | other")
    ] = "policy",
    url: Annotated[str | None, typer.Option(help="source URL")] = None,
    db: DbOption = None,
) -> None:
    """添加 Add a document; its items are extracted and it becomes searchable."""
    library = _library(db)
    doc_id = library.add(
        file,
        title=title,
        issuer=issuer,
        level=level,
        region=region,
        issued=date,
        doc_type=doc_type,
        source_url=url,
    )
    items = library.items(doc_id)
    counts = items["kind"].value_counts().to_dict()
    stdout().print(
        f"document {doc_id} added; extracted: "
        + ", ".join(
            f"{k} {counts.get(k, 0)}" for k in ("quantity", "target", "industry", "measure")
        ),
        highlight=False,
    )


@app.command("list")
def list_documents(
    level: Annotated[str | None, typer.Option(help="national | province | …")] = None,
    year: Annotated[int | None, typer.Option(help="year")] = None,
    db: DbOption = None,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """文档 Documents in the library (id, title, issuer, year, type, source)."""
    frame = _library(db).documents(level=level, year=year)
    _show(
        frame[["id", "title", "issuer", "year", "doc_type", "origin", "chars"]],
        "政策文库 documents",
        fmt,
    )
    _write(frame, out, "documents", fmt)


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="words, e.g. 新质生产力 低空经济")],
    limit: Annotated[int, typer.Option(help="at most this many documents")] = 10,
    db: DbOption = None,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """检索 Full-text search (jieba words; every word must occur), best first."""
    hits = _library(db).search(query, limit=limit)
    _show(hits[["id", "title", "year", "score", "snippet"]], f"检索 search: {query}", fmt)
    _write(hits, out, "search", fmt)


@app.command("targets")
def targets(
    long: Annotated[bool, typer.Option(help="one row per statement, with its phrase")] = False,
    db: DbOption = None,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """目标 Every year's headline targets from the national government work reports."""
    library = _library(db)
    if long:
        frame = library.target_statements()
        _show(
            frame[["year", "indicator", "value", "unit", "comparison", "phrase"]],
            "预期目标 targets",
            fmt,
        )
    else:
        from nqpf.services.policy import headline_labels

        frame = library.targets()
        labels = headline_labels().set_index("indicator")["zh"]
        shown = (
            frame if fmt != "table" else frame.rename(columns=lambda c: f"{labels.get(c, c)}\n{c}")
        )
        _show(shown, "政府工作报告主要预期目标 national headline targets", fmt, index=True)
        frame = frame.reset_index()
    _write(frame, out, "targets", fmt)


@app.command("extract")
def extract(
    source: Annotated[str, typer.Argument(help="a document id of the library, or a text file")],
    kind: Annotated[str | None, typer.Option(help="quantity | target | industry | measure")] = None,
    year: Annotated[int | None, typer.Option(help="the file's year (for targets)")] = None,
    db: DbOption = None,
    out: OutOption = None,
    fmt: FormatOption = "table",
) -> None:
    """抽取 Quantities, targets, industries and measures found in a document, with offsets."""
    if source.isdigit():
        items = _library(db).items(int(source), kind=kind)
    else:
        from nqpf.errors import InputError
        from nqpf.services.policy import decode_document, extract_text

        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read {source!r}: {exc.strerror}",
                hint="give a document id (`nqpf policy list`) or a text file",
            ) from None
        items = extract_text(decode_document(data, file=path.name), year=year)
        if kind is not None:
            items = items[items["kind"] == kind]
    columns = [
        "kind",
        "start",
        "end",
        "phrase",
        "indicator",
        "value",
        "unit",
        "year",
        "base_value",
        "base_year",
        "comparison",
        "industry",
        "pillar",
    ]
    shown = items[items["kind"] != "measure"] if kind is None else items
    _show(shown[columns].head(200), f"抽取 extracted from {source} ({len(items)} items)", fmt)
    _write(items, out, "items", fmt)
