"""The dashboard end to end in Debian's headless Chromium: overview, year and indicator
switches, region profile, log-in, a supply offer posted and matched, comments on a region and
on a policy document — with every request kept on this server, every Chinese glyph drawn with
the bundled font (no fallback), and user text shown as text. First dashboard paint is
measured on a warm server. Screenshots (and ``paint.json``) go to ``$NQPF_TEST_ARTIFACTS``
(default: the test's temporary folder)."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "correct horse battery"
HOSTILE = "<img src=x onerror=alert(1)>合肥"
#: The purchase request already on the board that the offer posted in the browser must meet.
BUYER = "江淮整车采购部"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from nqpf.api import create_app
    from nqpf.db import connect, dispose_all
    from nqpf.db.accounts_repo import create_user

    home = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{home / 'portal.db'}"
    create_user(connect(url), "alice", PASSWORD, role="analyst", display_name="王分析师")
    from nqpf.services.market import board_post

    board_post(
        {
            "kind": "demand",
            "enterprise": BUYER,
            "product": "动力电池包",
            "chain": "battery",
            "segment": "vehicles",
            "region": "340000",
            "contact": "0551-00000000",
            "valid_until": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        },
        url=url,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    dispose_all()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NQPF_TEST_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fonts_of(page: Page, selector: str) -> list[dict[str, object]]:
    """The platform fonts Chromium used to draw the text of ``selector`` (DevTools CSS domain)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})
    node = session.send(
        "DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector}
    )
    fonts: list[dict[str, object]] = []
    # the text lives in the element's child text nodes
    described = session.send("DOM.describeNode", {"nodeId": node["nodeId"], "depth": 1})
    for child in described["node"].get("children", []):
        if child.get("nodeType") == 3:
            pushed = session.send(
                "DOM.pushNodesByBackendIdsToFrontend", {"backendNodeIds": [child["backendNodeId"]]}
            )
            fonts += session.send("CSS.getPlatformFontsForNode", {"nodeId": pushed["nodeIds"][0]})[
                "fonts"
            ]
    fonts += session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    session.detach()
    return fonts


def _assert_bundled_font(page: Page, selectors: list[str]) -> None:
    """Every glyph of each selector's text is drawn with the bundled web font."""
    for selector in selectors:
        fonts = _fonts_of(page, selector)
        assert fonts, selector
        families = {f["familyName"] for f in fonts}
        assert families == {"Noto Sans CJK SC"}, (selector, fonts)
        assert all(f["isCustomFont"] for f in fonts), (selector, fonts)


def _watch(page: Page, server: str) -> tuple[list[str], list[str]]:
    external: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "401" not in m.text  # /auth/me before log-in
            else None
        ),
    )
    return external, errors


def test_dashboard_end_to_end(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    from playwright.sync_api import expect

    import nqpf

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)

    # overview: the map and 31 ranked rows; 北京 first on the default index in 2023
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 31
    assert rows.first.locator("td").nth(1).inner_text() == "北京"
    assert page.locator("#map .choroplethlocation").count() >= 31
    page.screenshot(path=str(artifacts / "overview.png"))

    # switch the year: the ranking follows the API's scores for that year
    page.locator("#year").fill("2019")
    expect(page.locator("#year-out")).to_have_text("2019")
    scores = nqpf.assess().scores
    best = scores[scores["year"] == 2019].sort_values("index").iloc[-1]["region"]
    expect(page.locator("#ranking tbody tr").first).to_have_attribute("data-region", best)

    # switch to an indicator: R&D intensity 2019, 北京 first with the packaged value
    beijing = (
        nqpf.load_panel(["rd_intensity"], years=[2019]).set_index("region").loc["110000", "value"]
    )
    page.select_option("#measure", "ind:rd_intensity")
    expect(page.locator("#ranking tbody tr").first.locator("td").nth(2)).to_have_text(
        f"{beijing:#.4g}"  # JavaScript toPrecision(4)
    )
    assert page.locator("#ranking tbody tr").first.locator("td").nth(1).inner_text() == "北京"
    page.screenshot(path=str(artifacts / "overview-indicator.png"))
    _assert_bundled_font(page, ["header h1", "#ranking tbody tr td:nth-child(2)"])

    # region profile: pillars, the diagnosis (obstacles: the API's top indicator first),
    # opportunities with their reasons, the chain map
    page.goto(server + "/#/region/340000")
    expect(page.locator("#region-title")).to_have_text("安徽")
    page.wait_for_selector("#pillars .bars")
    from nqpf.services.disparity import diagnose

    top = diagnose("340000").obstacles
    top = top[(top["year"] == top["year"].max()) & (top["rank"] == 1)].iloc[0]["indicator"]
    name = nqpf.catalog().set_index("id").loc[top, "name_zh"]
    first_obstacle = page.locator(".obstacles tbody tr").first.locator("td").nth(1)
    expect(first_obstacle).to_have_text(name, timeout=60_000)
    from nqpf.services.opportunities import OpportunitySpec, opportunities

    best = opportunities(OpportunitySpec(region="340000")).opportunities.iloc[0]
    first = page.locator(".opportunities tbody tr").first.locator("td")
    expect(first.nth(1)).to_have_text(best["name"], timeout=60_000)
    expect(first.nth(8)).to_have_text(best["reason_zh"])  # reason, then lever
    expect(first.nth(9)).to_have_text(best["lever_zh"])
    page.locator(".chains-overview .segment.chip").first.wait_for(timeout=60_000)
    page.wait_for_selector("#trajectory .scatterlayer .trace")
    page.screenshot(path=str(artifacts / "region.png"), full_page=True)
    _assert_bundled_font(page, ["#region-headline", ".opportunities tbody tr td:nth-child(2)"])

    comments = page.locator("#region-comments")
    assert comments.locator(".comment-form").is_hidden()

    # log in and comment on the region; the hostile text is shown literally
    page.click("#login-open")
    page.fill("#login-user", "alice")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-form button[type=submit]")
    comments.locator(".comment-form").wait_for(state="visible")
    assert "王分析师" in page.inner_text("#who")
    comments.locator("textarea").fill(HOSTILE)
    comments.locator("button[type=submit]").click()
    comments.locator("li.comment").wait_for()
    assert comments.locator("li.comment .body").inner_text() == HOSTILE
    assert comments.locator("img").count() == 0

    # 供应/求购: post a supply offer of battery cells; its matches list the buyer on the board
    page.goto(server + "/#/board")
    form = page.locator("#board-form")
    form.wait_for(state="visible")
    form.locator("select[name=kind]").select_option("supply")
    form.locator("input[name=enterprise]").fill("合肥电芯科技")
    form.locator("input[name=product]").fill("磷酸铁锂电芯")
    form.locator("select[name=chain]").select_option("battery")
    expect(form.locator("select[name=segment] option[value=cells]")).to_have_count(1)
    form.locator("select[name=segment]").select_option("cells")
    form.locator("select[name=region]").select_option("340000")
    form.locator("input[name=quantity]").fill("5000")
    form.locator("input[name=unit]").fill("千瓦时")
    form.locator("input[name=valid_until]").fill(
        (dt.date.today() + dt.timedelta(days=30)).isoformat()
    )
    form.locator("input[name=contact]").fill("0551-12345678")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/#/board/*")
    match = page.locator(".matches tbody tr").first
    expect(match).to_contain_text(BUYER, timeout=60_000)
    expect(page.locator(".post-head")).to_contain_text("合肥电芯科技")
    page.screenshot(path=str(artifacts / "board-matches.png"), full_page=True)
    _assert_bundled_font(page, [".matches tbody tr td:nth-child(3)"])

    # 资讯: search the policy library, open a document, comment on it
    page.goto(server + "/#/policy")
    page.fill("#policy-q", "人工智能")
    page.click("#policy-search button[type=submit]")
    page.locator(".policy th[data-col=snippet]").wait_for(timeout=90_000)  # the hits
    hit = page.locator(".policy tbody tr").first
    title = hit.locator("td").first.inner_text()
    hit.click()
    expect(page.locator(".doc-title")).to_have_text(title)
    assert "人工智能" in page.inner_text(".doc-text")
    doc_comments = page.locator("#policy-body .comments-box")
    doc_comments.locator("textarea").fill("第三条的目标值得跟踪。")
    doc_comments.locator("button[type=submit]").click()
    expect(doc_comments.locator("li.comment .body")).to_have_text("第三条的目标值得跟踪。")
    page.screenshot(path=str(artifacts / "policy-document.png"))
    _assert_bundled_font(page, [".doc-title", "#policy-body li.comment .body"])

    # 区域差异: the Dagum table shows the API's overall Gini of the first year
    from nqpf.services.disparity import DisparitySpec, disparity

    dagum = disparity(DisparitySpec()).tables()["dagum_summary"].iloc[0]
    page.goto(server + "/#/disparity")
    first_year = page.locator(".dagum tbody tr").first.locator("td")
    expect(first_year.nth(0)).to_have_text(str(int(dagum["year"])), timeout=60_000)
    expect(first_year.nth(2)).to_have_text(f"{dagum['G']:#.4g}")
    page.screenshot(path=str(artifacts / "disparity.png"), full_page=True)

    # 企业: the directory finds a listed company by name
    page.goto(server + "/#/enterprises")
    page.fill("#enterprise-q", "宁德时代")
    page.click("#enterprise-search button[type=submit]")
    expect(page.locator(".enterprises tbody tr").first.locator("td").nth(1)).to_have_text(
        "宁德时代", timeout=60_000
    )

    # English switch
    page.click("#lang")
    assert page.inner_text("header nav a[href='#/overview']") == "Overview"
    assert page.inner_text("header nav a[href='#/board']") == "Supply & demand"

    assert external == []
    assert errors == []
    context.close()


def test_first_dashboard_paint(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    """Time from navigation to the drawn map and ranking, on a server whose results are
    cached (the first visit warms it); target < 2 s (issue 13), asserted loosely here
    because CI shares its two cores — the figure is written to ``paint.json``."""
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready-ms]", timeout=90_000)
    times = []
    for _ in range(3):
        page.reload()
        page.wait_for_selector("body[data-ready-ms]", timeout=30_000)
        times.append(int(page.get_attribute("body", "data-ready-ms") or 0))
    paint = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint').map((e) => e.startTime)"
    )
    (artifacts / "paint.json").write_text(
        json.dumps({"dashboard_ready_ms": times, "first_contentful_paint_ms": paint}),
        encoding="utf-8",
    )
    assert 0 < min(times) < 10_000, times
    assert external == [] and errors == []
    context.close()
