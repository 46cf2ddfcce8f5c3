"""``nqpf micro …``: firm and patent records — import into DuckDB, aggregate on DuckDB or
Spark, synthetic records, export for a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stderr, stdout, styled

app = typer.Typer(
    help="微观数据 Firm and patent records: import, aggregate (DuckDB or Spark), synthesize.",
    no_args_is_help=True,
)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="the DuckDB store (default $NQPF_HOME/micro.duckdb)"),
]


def _columns(pairs: list[str] | None) -> dict[str, str]:
    from nqpf.errors import InputError

    out = {}
    for pair in pairs or []:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise InputError(
                f"--column {pair!r} is not NAME=HEADER", hint="e.g. --column id=企业编号"
            )
        out[name.strip()] = header.strip()
    return out


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or Parquet file of records")],
    kind: Annotated[str, typer.Option(help="firms or patents")] = "firms",
    store: StoreOption = None,
    industry_vintage: Annotated[
        str, typer.Option(help="GB/T 4754 edition of the industry codes: 2017 or 2011")
    ] = "2017",
    concordance: Annotated[
        Path | None,
        typer.Option(help="CSV code_2011,code_2017 (official class table) for 2011 codes"),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(help="NAME=HEADER where the file's header is not recognised (repeat)"),
    ] = None,
    replace: Annotated[bool, typer.Option(help="replace the stored records of this kind")] = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="store the good rows and list the bad ones in the report")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="where rejected rows are listed (default beside the store)")
    ] = None,
) -> None:
    """导入 Check firm or patent records and add them to the DuckDB store (all or nothing)."""
    from nqpf.services.micro import import_file

    result = import_file(
        file,
        kind=kind,  # type: ignore[arg-type]
        store=store,
        vintage=industry_vintage,  # type: ignore[arg-type]
        concordance=concordance,
        columns=_columns(column),
        replace=replace,
        skip_invalid=skip_invalid,
        report=report,
    )
    console = stdout()
    console.print(
        f"{result.file}: {result.rows_stored:,} of {result.rows_read:,} {result.kind} records stored"
        + (" (合成数据 synthetic)" if result.synthetic else ""),
        highlight=False,
        soft_wrap=True,
    )
    for note in result.notes:
        stderr().print(styled(("注意 Note: ", "yellow"), note), soft_wrap=True)


@app.command("aggregate")
def aggregate(
    kind: Annotated[str, typer.Option(help="firms or patents")] = "firms",
    level: Annotated[str, typer.Option(help="county, prefecture or province")] = "county",
    depth: Annotated[
        str, typer.Option(help="firms: section, 2, 3 or 4 (GB/T 4754 digits); patents: 1, 3, 4")
    ] = "4",
    start: Annotated[int | None, typer.Option(help="first year (default: 10 years back)")] = None,
    end: Annotated[int | None, typer.Option(help="last year (default: the latest)")] = None,
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    spark_master: Annotated[
        str, typer.Option(help="Spark master URL: local[*], spark://host:7077, yarn, k8s://…")
    ] = "local[*]",
    store: StoreOption = None,
    parquet: Annotated[
        str | None, typer.Option(help="read records from Parquet (file, folder, glob, hdfs://…)")
    ] = None,
    table: Annotated[
        str | None, typer.Option(help="read records from a Spark/Hive table (db.firms)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="write the table (.csv, .parquet or .xlsx)")
    ] = None,
    matrix: Annotated[
        Path | None,
        typer.Option(help="write --measure as a long matrix for nqpf opportunities --matrix"),
    ] = None,
    measure: Annotated[
        str,
        typer.Option(help="for --matrix: firms, capital, entries, exits (patents: applications)"),
    ] = "firms",
    threads: Annotated[
        int | None, typer.Option(help="DuckDB threads (default: all cores)", min=1)
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(help="DuckDB memory limit (default 2GB); beyond it DuckDB spills to disk"),
    ] = None,
) -> None:
    """汇总 Region × industry × year counts, capital, entries and exits (one SQL, DuckDB or Spark)."""
    from nqpf.present.micro import write_table
    from nqpf.services.micro import AggregateSpec, check_measure, to_matrix
    from nqpf.services.micro import aggregate as run

    spec = AggregateSpec(
        kind=kind,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        depth=depth,
        start=start,
        end=end,
        engine=engine,  # type: ignore[arg-type]
        store=str(store) if store is not None else None,
        parquet=parquet,
        table=table,
        spark_master=spark_master,
        threads=threads,
        **({"memory_limit": memory_limit} if memory_limit is not None else {}),
    )
    if matrix is not None:
        check_measure(spec.kind, measure)
    result = run(spec)
    cells = result.to_frame()
    console = stdout()
    for warning in result.warnings:
        stderr().print(styled(("注意 Warning: ", "yellow"), warning), soft_wrap=True)
    key = "industry" if spec.kind == "firms" else "ipc"
    console.print(
        f"{len(cells):,} cells: {cells['region'].nunique():,} regions × "
        f"{cells[key].nunique():,} codes × {cells['year'].nunique()} years "
        f"({result.spec['start']}–{result.spec['end']}, {spec.engine})",
        highlight=False,
        soft_wrap=True,
    )
    if out is not None:
        console.print(
            f"wrote {write_table(cells, out, result=result)}", highlight=False, soft_wrap=True
        )
    if matrix is not None:
        frame = to_matrix(result, measure)
        console.print(
            f"wrote {write_table(frame, matrix, result=result)}", highlight=False, soft_wrap=True
        )


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Argument(help="Parquet file to write")],
    rows: Annotated[int, typer.Option(help="number of firms", min=1)] = 100_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    first: Annotated[int, typer.Option(help="first registration year")] = 2000,
    last: Annotated[int, typer.Option(help="last registration year")] = 2024,
) -> None:
    """合成 Write synthetic firm records calibrated to the census county × section shares."""
    from nqpf.services.micro import synthesize

    path = synthesize(out, rows, seed=seed, first=first, last=last)
    stdout().print(
        f"wrote {rows:,} 合成数据 synthetic firm records to {path} (not real firms)",
        highlight=False,
        soft_wrap=True,
    )


@app.command("export")
def export(
    folder: Annotated[Path, typer.Argument(help="folder for firms.parquet and patents.parquet")],
    store: StoreOption = None,
) -> None:
    """导出 Write the store's records as Parquet (to copy to HDFS/S3 for a Spark cluster)."""
    from nqpf.services.micro import export_store

    for path in export_store(folder, store=store):
        stdout().print(f"wrote {path}", highlight=False, soft_wrap=True)
