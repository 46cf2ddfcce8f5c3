"""Enterprise directory (企业名录): search and filter, and a region's profile.

The directory is one DataFrame with the columns ``code``, ``name``, ``region`` (adcode),
``city``, ``industry``, ``board`` (主板/创业板/科创板/北交所, empty for unlisted firms),
``ownership``, ``list_year``, ``source`` (``listed`` for the packaged A-share list, else the
imported file), and the chain segments each firm belongs to are given separately
(``members``: code/name, chain, segment), so filters stay plain column tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nqpf.errors import InputError

__all__ = ["BOARDS", "region_profile", "search"]

BOARDS = ("主板", "创业板", "科创板", "北交所")


def search(
    firms: pd.DataFrame,
    *,
    name: str | None = None,
    regions: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    boards: Sequence[str] | None = None,
    ownership: Sequence[str] | None = None,
    listed_from: int | None = None,
    listed_to: int | None = None,
    members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Firms matching every given filter (a name substring, case-insensitive; lists are
    "any of"); ``members`` restricts to the firms of a chain segment (by code, else name)."""
    mask = pd.Series(True, index=firms.index)
    if name:
        mask &= firms["name"].str.contains(name.strip(), case=False, regex=False, na=False)
    if regions:
        mask &= firms["region"].isin(list(regions))
    if industries:
        mask &= firms["industry"].isin(list(industries))
    if boards:
        bad = sorted(set(boards) - set(BOARDS))
        if bad:
            raise InputError(
                f"board: unknown board {bad[0]!r}", hint="主板, 创业板, 科创板 or 北交所"
            )
        mask &= firms["board"].isin(list(boards))
    if ownership:
        mask &= firms["ownership"].isin(list(ownership))
    if listed_from is not None:
        mask &= firms["list_year"] >= listed_from
    if listed_to is not None:
        mask &= firms["list_year"] <= listed_to
    if members is not None:
        in_segment = firms["code"].isin(members["code"].dropna()) | (
            firms["code"].isna() & firms["name"].isin(members["name"])
        )
        mask &= in_segment
    return firms[mask].sort_values(["region", "name"]).reset_index(drop=True)


def region_profile(
    firms: pd.DataFrame, members: pd.DataFrame, region: str
) -> dict[str, pd.DataFrame]:
    """A region's enterprises: counts by chain (firms in any of its segments), by board,
    by ownership type, and the 科创板 share of its listed firms beside the national share.

    ``members`` has the columns ``code``, ``chain``, ``chain_name``.
    """
    here = firms[firms["region"] == region]
    if here.empty:
        raise InputError(f"region {region!r} has no enterprises in the directory")
    listed = here[here["board"].isin(BOARDS)]
    all_listed = firms[firms["board"].isin(BOARDS)]
    by_chain = (
        members[members["code"].isin(here["code"].dropna())]
        .groupby(["chain", "chain_name"])["code"]
        .nunique()
        .rename("firms")
        .reset_index()
    )
    national = members.groupby("chain")["code"].nunique()
    by_chain["national_firms"] = by_chain["chain"].map(national)
    by_chain["share_of_national"] = by_chain["firms"] / by_chain["national_firms"]
    by_board = listed["board"].value_counts().reindex(list(BOARDS), fill_value=0).rename("firms")
    by_ownership = here["ownership"].fillna("未知").value_counts().rename("firms")
    star_share = float((listed["board"] == "科创板").mean()) if len(listed) else float("nan")
    national_star = float((all_listed["board"] == "科创板").mean())
    summary = pd.DataFrame(
        {
            "item": [
                "企业总数 firms",
                "上市公司 listed",
                "科创板占比 STAR share",
                "全国科创板占比 national STAR share",
            ],
            "value": [len(here), len(listed), star_share, national_star],
        }
    )
    return {
        "summary": summary,
        "by_chain": by_chain.sort_values("firms", ascending=False).reset_index(drop=True),
        "by_board": by_board.reset_index().rename(columns={"index": "board"}),
        "by_ownership": by_ownership.reset_index().rename(columns={"index": "ownership"}),
    }
