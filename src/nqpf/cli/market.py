"""``nqpf firms …`` (enterprise directory, 企业) and ``nqpf board …`` (供应/求购 board)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nqpf.cli._console import stdout

if TYPE_CHECKING:
    import pandas as pd

firms_app = typer.Typer(
    help="企业名录 Enterprise directory: search, region profile, import.", no_args_is_help=True
)
board_app = typer.Typer(
    help="供需对接 Supply/demand board: post, list, match, delete.", no_args_is_help=True
)

DB_HELP = "database URL (default: NQPF_DB_URL or $NQPF_HOME/nqpf.db)"


@firms_app.command("search")
def search(
    name: Annotated[str | None, typer.Option(help="part of the name")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", "-r", help="province(s)")] = None,
    industry: Annotated[
        list[str] | None, typer.Option(help="industry (Tushare: 汽车整车, …)")
    ] = None,
    chain: Annotated[str | None, typer.Option(help="chain: 新能源汽车, nev, …")] = None,
    segment: Annotated[str | None, typer.Option(help="segment id of the chain: battery, …")] = None,
    board: Annotated[list[str] | None, typer.Option(help="主板 | 创业板 | 科创板 | 北交所")] = None,
    ownership: Annotated[
        list[str] | None, typer.Option(help="民营企业, 地方国有企业, 中央企业, …")
    ] = None,
    listed_from: Annotated[int | None, typer.Option(help="listed in or after this year")] = None,
    listed_to: Annotated[int | None, typer.Option(help="listed in or before this year")] = None,
    imported: Annotated[
        bool, typer.Option(help="include enterprises imported into the database")
    ] = True,
    top: Annotated[int, typer.Option(help="rows to show")] = 30,
    out: Annotated[Path | None, typer.Option(help="write firms.xlsx here")] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """企业检索 Search enterprises by name, region, industry, chain segment, board, type, year."""
    from rich.table import Table

    from nqpf.regions import region_name
    from nqpf.services.market import firms_search

    found = firms_search(
        name=name, region=region, industry=industry, chain=chain, segment=segment, board=board,
        ownership=ownership, listed_from=listed_from, listed_to=listed_to,
        include_imported=imported, url=db,
    )  # fmt: skip
    table = Table(title=f"企业 Enterprises: {len(found)} found", header_style="bold")
    for col in (
        "代码 code",
        "企业 name",
        "地区 region",
        "行业 industry",
        "板块 board",
        "类型 type",
        "上市 listed",
    ):
        table.add_column(col)
    for row in found.head(top).to_dict("records"):
        year = row["list_year"]
        table.add_row(
            str(row["code"] or ""),
            str(row["name"]),
            region_name(str(row["region"])),
            str(row["industry"] or ""),
            str(row["board"] or ""),
            str(row["ownership"] or ""),
            "" if year is None or year != year else str(int(year)),
        )
    stdout().print(table)
    if out is not None:
        from nqpf.outputs import atomic_write_excel

        path = atomic_write_excel(out / "firms.xlsx", {"firms": _safe(found)})
        stdout().print(f"已写出 Wrote {path}", highlight=False)


@firms_app.command("profile")
def profile_command(
    region: Annotated[str, typer.Argument(help="province: 安徽, 340000, …")],
    imported: Annotated[bool, typer.Option(help="include imported enterprises")] = True,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """地区企业画像 A region's enterprises by chain, board and type; its 科创板 share."""
    from rich.table import Table

    from nqpf.regions import normalize_region, region_name
    from nqpf.services.market import profile

    tables = profile(region, include_imported=imported, url=db)
    label = region_name(normalize_region(region))
    console = stdout()
    summary = tables["summary"].set_index("item")["value"]
    console.print(
        f"[bold]{label}[/]: {int(summary.iloc[0])} 家企业, 其中上市公司 {int(summary.iloc[1])} 家; "
        f"科创板占比 {summary.iloc[2]:.1%} (全国 {summary.iloc[3]:.1%})",
        highlight=False,
    )
    chains = Table(title="产业链企业 Firms by chain", header_style="bold")
    for col in ("产业链 chain", "企业 firms", "全国 national", "占全国 share"):
        chains.add_column(col)
    for row in tables["by_chain"].to_dict("records"):
        chains.add_row(
            str(row["chain_name"]),
            str(row["firms"]),
            str(row["national_firms"]),
            f"{row['share_of_national']:.1%}",
        )
    console.print(chains)
    kinds = Table(title="板块与企业类型 Boards and ownership", header_style="bold")
    kinds.add_column("类别 kind")
    kinds.add_column("企业 firms")
    for row in tables["by_board"].to_dict("records"):
        kinds.add_row(str(row["board"]), str(row["firms"]))
    for row in tables["by_ownership"].to_dict("records"):
        kinds.add_row(str(row["ownership"]), str(row["firms"]))
    console.print(kinds)


@firms_app.command("import")
def import_command(
    path: Annotated[
        Path, typer.Argument(help="CSV or Excel: 企业名称, 地区, 行业, 板块, 企业类型, 上市年份, …")
    ],
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name")] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """导入企业名录 Import your enterprise list into the database (GB18030 or UTF-8)."""
    from nqpf.services.market import import_enterprises

    inserted, updated = import_enterprises(path, url=db, sheet=sheet)
    stdout().print(f"导入 Imported {path.name}: {inserted} new, {updated} updated", highlight=False)


@board_app.command("post")
def post(
    kind: Annotated[str, typer.Option(help="supply (供应) | demand (求购)")],
    enterprise: Annotated[str, typer.Option(help="enterprise name")],
    product: Annotated[str, typer.Option(help="product or service")],
    region: Annotated[str, typer.Option(help="province")],
    contact: Annotated[str, typer.Option(help="contact (phone, e-mail)")],
    valid_until: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    industry: Annotated[str, typer.Option(help="industry")] = "",
    chain: Annotated[str, typer.Option(help="chain of the enterprise: nev, 光伏, …")] = "",
    segment: Annotated[str, typer.Option(help="its segment in the chain: battery, …")] = "",
    quantity: Annotated[str, typer.Option(help="quantity")] = "",
    unit: Annotated[str, typer.Option(help="unit of the quantity")] = "",
    description: Annotated[str, typer.Option(help="details")] = "",
    client_key: Annotated[
        str, typer.Option(help="your key for this post: resubmitting it is safe")
    ] = "",
    token: Annotated[
        str | None,
        typer.Option(
            help="your owner token (a new one is made if absent)", envvar="NQPF_OWNER_TOKEN"
        ),
    ] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """发布供应/求购 Post a supply offer or a purchase request."""
    from nqpf.services.market import board_post

    data = {
        "kind": kind, "enterprise": enterprise, "product": product, "region": region,
        "contact": contact, "valid_until": valid_until, "industry": industry, "chain": chain,
        "segment": segment, "quantity": quantity, "unit": unit, "description": description,
        "client_key": client_key,
    }  # fmt: skip
    post_id, created, owner = board_post(data, token=token, url=db)
    console = stdout()
    console.print(
        f"{'已发布 Posted' if created else '已存在 Already posted (same client key)'}: #{post_id}",
        highlight=False,
    )
    if token is None:
        console.print(
            f"所有者令牌 Owner token (keep it to edit or delete): {owner}", highlight=False
        )


@board_app.command("list")
def list_command(
    kind: Annotated[str | None, typer.Option(help="supply | demand")] = None,
    region: Annotated[str | None, typer.Option(help="province")] = None,
    chain: Annotated[str | None, typer.Option(help="chain")] = None,
    expired: Annotated[bool, typer.Option(help="include expired posts")] = False,
    limit: Annotated[int, typer.Option(help="rows")] = 50,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """供需信息 Posts on the board, newest first."""
    from rich.table import Table

    from nqpf.regions import region_name
    from nqpf.services.market import board_list

    posts = board_list(
        kind=kind, region=region, chain=chain, include_expired=expired, limit=limit, url=db
    )
    table = Table(title=f"供需信息 Posts ({len(posts)})", header_style="bold")
    for col in (
        "#",
        "类型 kind",
        "企业 enterprise",
        "产品 product",
        "链/环节 chain",
        "地区 region",
        "数量 qty",
        "有效期 until",
    ):
        table.add_column(col)
    for row in posts.to_dict("records"):
        qty = row["quantity"]
        table.add_row(
            str(row["id"]),
            "供应" if row["kind"] == "supply" else "求购",
            str(row["enterprise"]),
            str(row["product"]),
            f"{row['chain']}/{row['segment']}".strip("/"),
            region_name(str(row["region"])),
            "" if qty is None or qty != qty else f"{qty:g} {row['unit']}".strip(),
            str(row["valid_until"]),
        )
    stdout().print(table)


@board_app.command("match")
def match_command(
    post_id: Annotated[int, typer.Argument(help="the post to find counterparts for")],
    top: Annotated[int, typer.Option(help="matches to show")] = 10,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """供需匹配 Best counterparts of a post along the chain, each with the reason."""
    from rich.table import Table

    from nqpf.regions import region_name
    from nqpf.services.market import board_match

    request, matches = board_match(post_id, top=top, url=db)
    what = "供应方 suppliers" if request["kind"] == "demand" else "求购方 buyers"
    table = Table(title=f"#{post_id} {request['product']} 的{what}", header_style="bold")
    for col in ("#", "企业 enterprise", "产品 product", "地区 region", "得分 score", "理由 why"):
        table.add_column(col, no_wrap=col in ("#", "得分 score"))
    for row in matches.to_dict("records"):
        table.add_row(
            str(row["id"]), str(row["enterprise"]), str(row["product"]),
            region_name(str(row["region"])), f"{row['score']:.2f}", str(row["explanation_zh"]),
        )  # fmt: skip
    stdout().print(table)
    if matches.empty:
        stdout().print("暂无匹配 No live counterpart yet.")


@board_app.command("delete")
def delete_command(
    post_id: Annotated[int, typer.Argument(help="post id")],
    token: Annotated[str, typer.Option(help="owner token", envvar="NQPF_OWNER_TOKEN")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """删除 Delete your post (owner token needed)."""
    from nqpf.services.market import board_delete

    board_delete(post_id, token=token, url=db)
    stdout().print(f"已删除 Deleted #{post_id}", highlight=False)


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    from nqpf.present.chain_map import safe_cells

    return safe_cells(frame)
