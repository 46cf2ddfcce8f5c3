"""``nqpf firms …`` (enterprise directory, 企业) and ``nqpf board …`` (供应/求购 board)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nqpf.cli._console import stdout
from nqpf.cli._output import Col, FormatOption, emit, messages, num, show_table

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
    fmt: FormatOption = "table",
) -> None:
    """企业检索 Search enterprises by name, region, industry, chain segment, board, type, year."""
    from nqpf.regions import region_name
    from nqpf.services.market import firms_search

    found = firms_search(
        name=name, region=region, industry=industry, chain=chain, segment=segment, board=board,
        ownership=ownership, listed_from=listed_from, listed_to=listed_to,
        include_imported=imported, url=db,
    )  # fmt: skip
    shown = found.head(top).assign(region_name=lambda f: f["region"].map(region_name))
    if fmt != "table":
        emit(fmt, shown)
    else:
        show_table(
            shown,
            [
                Col("code", "代码 code", drop=3),
                Col("name", "企业 name"),
                Col("region_name", "地区 region"),
                Col("industry", "行业 industry", drop=4),
                Col("board", "板块 board", drop=2),
                Col("ownership", "类型 type", drop=5),
                Col("list_year", "上市 listed", num(".0f"), numeric=True, drop=1),
            ],
            title=f"企业 Enterprises: {len(found)} found",
        )
    if out is not None:
        from nqpf.present.tables import write_table

        path = write_table(found, out / "firms.xlsx", sheet="firms")
        messages(fmt).print(f"已写出 Wrote {path}", highlight=False)


@firms_app.command("profile")
def profile_command(
    region: Annotated[str, typer.Argument(help="province: 安徽, 340000, …")],
    imported: Annotated[bool, typer.Option(help="include imported enterprises")] = True,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    fmt: FormatOption = "table",
) -> None:
    """地区企业画像 A region's enterprises by chain, board and type; its 科创板 share."""
    from nqpf.regions import normalize_region, region_name
    from nqpf.services.market import profile

    tables = profile(region, include_imported=imported, url=db)
    label = region_name(normalize_region(region))
    if fmt != "table":
        emit(fmt, tables)
        return
    console = stdout()
    summary = tables["summary"].set_index("item")["value"]
    console.print(
        f"{label}: {int(summary.iloc[0])} 家企业, 其中上市公司 {int(summary.iloc[1])} 家; "
        f"科创板占比 {summary.iloc[2]:.1%} (全国 {summary.iloc[3]:.1%})",
        highlight=False,
    )
    show_table(
        tables["by_chain"],
        [
            Col("chain_name", "产业链 chain"),
            Col("firms", "企业 firms", numeric=True),
            Col("national_firms", "全国 national", numeric=True),
            Col("share_of_national", "占全国 share", num(".1%"), numeric=True),
        ],
        title="产业链企业 Firms by chain",
    )
    kinds = [
        *({"kind": r["board"], "firms": r["firms"]} for r in tables["by_board"].to_dict("records")),
        *(
            {"kind": r["ownership"], "firms": r["firms"]}
            for r in tables["by_ownership"].to_dict("records")
        ),
    ]
    show_table(
        kinds,
        [Col("kind", "类别 kind"), Col("firms", "企业 firms", numeric=True)],
        title="板块与企业类型 Boards and ownership",
    )


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
    fmt: FormatOption = "table",
) -> None:
    """供需信息 Posts on the board, newest first."""
    from nqpf.regions import region_name
    from nqpf.services.market import board_list

    posts = board_list(
        kind=kind, region=region, chain=chain, include_expired=expired, limit=limit, url=db
    )
    posts = posts.assign(
        kind_zh=posts["kind"].map({"supply": "供应", "demand": "求购"}),
        chain_segment=(posts["chain"].fillna("") + "/" + posts["segment"].fillna("")).str.strip(
            "/"
        ),
        region_name=posts["region"].map(lambda r: region_name(str(r))),
    )
    columns = [
        Col("id", "#", numeric=True),
        Col("kind_zh", "类型 kind"),
        Col("enterprise", "企业 enterprise"),
        Col("product", "产品 product"),
        Col("chain_segment", "链/环节 chain", drop=3),
        Col("region_name", "地区 region", drop=2),
        Col("quantity", "数量 qty", _quantity, numeric=True, row=True, drop=4),
        Col("valid_until", "有效期 until", numeric=True, drop=1),
    ]
    if fmt != "table":
        keys = ["id", "kind", "enterprise", "product", "chain", "segment", "region", "region_name"]
        emit(fmt, posts[[*keys, "quantity", "unit", "valid_until"]])
        return
    show_table(posts, columns, title=f"供需信息 Posts ({len(posts)})")


def _quantity(row: dict[str, object]) -> str:
    qty = row["quantity"]
    if qty is None or qty != qty:
        return ""
    return f"{qty:g} {row['unit']}".strip()


@board_app.command("match")
def match_command(
    post_id: Annotated[int, typer.Argument(help="the post to find counterparts for")],
    top: Annotated[int, typer.Option(help="matches to show")] = 10,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    fmt: FormatOption = "table",
) -> None:
    """供需匹配 Best counterparts of a post along the chain, each with the reason."""
    from nqpf.regions import region_name
    from nqpf.services.market import board_match

    request, matches = board_match(post_id, top=top, url=db)
    what = "供应方 suppliers" if request["kind"] == "demand" else "求购方 buyers"
    if fmt != "table":
        keep = ["id", "enterprise", "product", "region", "score", "explanation_zh"]
        emit(fmt, matches[[c for c in keep if c in matches.columns]])
        return
    show_table(
        matches.assign(region_name=matches["region"].map(lambda r: region_name(str(r)))),
        [
            Col("id", "#", numeric=True),
            Col("enterprise", "企业 enterprise"),
            Col("product", "产品 product"),
            Col("region_name", "地区 region", drop=1),
            Col("score", "得分 score", num(".2f"), numeric=True),
            Col("explanation_zh", "理由 why", drop=2),
        ],
        title=f"#{post_id} {request['product']} 的{what}",
    )
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
