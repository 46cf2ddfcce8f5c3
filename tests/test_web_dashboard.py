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
    # the city by name, not its GB/T 2260 code (*ST国华 is listed in 深圳, 440300), once the
    # API gives names (it then adds the code as city_code)
    import httpx

    columns = httpx.get(server + "/api/v1/enterprises?name=国华").json()["tables"]["enterprises"]
    if "city_code" in columns["columns"]:
        page.fill("#enterprise-q", "国华")
        page.click("#enterprise-search button[type=submit]")
        firm = page.locator(".enterprises tbody tr", has_text="*ST国华").locator("td")
        expect(firm.nth(3)).to_have_text("深圳市", timeout=60_000)

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


def _log_in(page: Page, user: str = "alice") -> None:
    page.click("#login-open")
    page.fill("#login-user", user)
    page.fill("#login-pass", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#logout").wait_for(state="visible")


def _shown(value: float) -> str:
    """A number as the dashboard's tables show it (whole numbers plain, else 4 significant
    digits, as JavaScript's ``toPrecision(4)``)."""
    return str(int(value)) if float(value).is_integer() else f"{value:#.4g}"


def _offers(server: str, path: str, method: str = "get", param: str | None = None) -> bool:
    """Whether the server's OpenAPI document has ``method`` on ``path`` (taking the query
    parameter ``param``): routes of other issues land separately, and the page says so when
    one is missing."""
    import httpx

    operation = httpx.get(server + "/api/openapi.json").json()["paths"].get(path, {}).get(method)
    if operation is None:
        return False
    return param is None or param in {p["name"] for p in operation.get("parameters", [])}


def test_comments_page(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    """评论: the latest comments across targets, each linking to its target; a logged-in user
    posts one (hostile text shown as text) and withdraws it; Chinese and English."""
    from playwright.sync_api import expect

    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server + "/#/comments")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    assert page.locator("#comments-form").is_hidden()
    _log_in(page)
    form = page.locator("#comments-form")
    form.wait_for(state="visible")
    form.locator("#comments-form-kind").select_option("region")
    form.locator("#comments-form-region").select_option("340000")
    form.locator("textarea").fill(HOSTILE)
    form.locator("button[type=submit]").click()
    newest = page.locator("#comments-body li.comment").first
    expect(newest.locator(".body")).to_have_text(HOSTILE)
    assert page.locator("#comments-body img").count() == 0
    expect(newest.locator("a.target")).to_have_attribute("href", "#/region/340000")
    expect(newest.locator("a.target")).to_have_text("地区 安徽")
    # a comment on a policy document, posted by its number, links to the document
    form.locator("#comments-form-kind").select_option("document")
    form.locator("#comments-form-id").fill("1")
    form.locator("textarea").fill("请补充配套资金来源。")
    form.locator("button[type=submit]").click()
    expect(newest.locator(".body")).to_have_text("请补充配套资金来源。")
    expect(newest.locator("a.target")).to_have_attribute("href", "#/policy/1")
    # the kind filter narrows the list to regions
    page.select_option("#comments-kind", "region")
    expect(newest.locator(".body")).to_have_text(HOSTILE)
    assert set(
        page.locator("#comments-body a.target").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href').split('/')[1])"
        )
    ) == {"region"}
    page.screenshot(path=str(artifacts / "comments.png"), full_page=True)
    _assert_bundled_font(page, ["#comments-body li.comment .body", "#comments-body a.target"])
    # withdraw one's own comment: it leaves the list
    mine = int(newest.get_attribute("data-id") or 0)
    newest.locator("button.withdraw").click()
    expect(page.locator(f"#comments-body li.comment[data-id='{mine}']")).to_have_count(0)
    page.click("#lang")
    expect(page.locator("header nav a[href='#/comments']")).to_have_text("Comments")
    expect(page.locator("#comments-form h3")).to_have_text("Post comment")
    page.screenshot(path=str(artifacts / "comments-en.png"), full_page=True)
    assert external == [] and errors == []
    context.close()


def test_audit_and_uncertainty_page(
    chromium_browser: Browser, server: str, artifacts: Path
) -> None:
    """审计与不确定性: the audit's tables and correlation heatmap as the API computes them, and
    an uncertainty job run from the page with a progress bar, drawn as rank intervals."""
    from playwright.sync_api import expect

    from nqpf.services.assessment import AssessmentSpec, assess_spec
    from nqpf.services.audit import audit

    report = audit(spec=AssessmentSpec.of())
    reliability = report.tables()["reliability"].iloc[0]
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.goto(server + "/#/audit")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    first = page.locator(".reliability tbody tr").first.locator("td")
    import httpx

    names = {p["id"]: p["name_zh"] for p in httpx.get(server + "/api/v1/assess").json()["pillars"]}
    expect(first.nth(0)).to_have_text(names[reliability["pillar"]], timeout=90_000)
    expect(first.nth(2)).to_have_text(f"{reliability['cronbach_alpha']:#.4g}")
    page.locator("#audit-body .heatmap .heatmaplayer .hm").first.wait_for(state="attached")
    floored = page.locator(".floored tbody tr")
    assert floored.count() == len(report.tables()["floored"])
    page.screenshot(path=str(artifacts / "audit.png"), full_page=True)
    _assert_bundled_font(page, ["#view-audit .card h3", ".floored tbody tr td:nth-child(3)"])

    # uncertainty: N = 64 as a background job; the page polls it and draws the rank bands
    page.select_option("#uncertainty-n", "64")
    page.click("#uncertainty-form button[type=submit]")
    bands = page.locator(".rank-bands tbody tr")
    expect(bands).to_have_count(31, timeout=180_000)
    assert page.locator("#uncertainty-progress").get_attribute("value") == "1"
    uncertain = assess_spec(AssessmentSpec.of(uncertainty=64, seed=20250101)).tables()
    expected = uncertain["rank_bands"]
    last = expected[expected["year"] == expected["year"].max()].sort_values("rank").iloc[0]
    cells = bands.first.locator("td")
    assert cells.nth(1).inner_text() == last["region_name"]
    assert cells.nth(2).inner_text() == _shown(last["median_rank"])
    assert cells.nth(4).inner_text() == _shown(last["rank_p95"])
    page.locator("#uncertainty-body .bands .scatterlayer .trace").first.wait_for()
    expect(page.locator(".sobol tbody tr")).to_have_count(len(uncertain["sobol"]))
    page.screenshot(path=str(artifacts / "uncertainty.png"), full_page=True)
    # another weighting: the audit is redrawn from the API with those options
    equal = audit(spec=AssessmentSpec.of(weights="equal")).tables()["importance"].iloc[0]
    page.select_option("#audit-weights", "equal")
    first_weight = page.locator(".importance tbody tr").first.locator("td")
    import nqpf

    indicator = nqpf.catalog().set_index("id").loc[equal["indicator"], "name_zh"]
    expect(first_weight.nth(0)).to_have_text(indicator)
    expect(first_weight.nth(1)).to_have_text(_shown(equal["weight"]), timeout=90_000)
    assert page.locator(".rank-bands").count() == 0  # the bands were of the other options
    page.click("#lang")
    expect(page.locator("#uncertainty h3")).to_have_text("Uncertainty analysis (rank intervals)")
    page.screenshot(path=str(artifacts / "audit-en.png"), full_page=True)
    assert external == [] and errors == []
    context.close()


def test_board_owner_edits_and_withdraws_a_post(
    chromium_browser: Browser, server: str, artifacts: Path
) -> None:
    """供应/求购: the analyst who posted an offer sees 修改 and 撤回 on it; a change is saved
    through PATCH and shown; withdrawal takes it off the board."""
    from playwright.sync_api import expect

    if not _offers(server, "/api/v1/board/{post_id}", "patch"):
        pytest.skip("PATCH /api/v1/board/{post_id} is not on this server yet")
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server + "/#/board")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    _log_in(page)
    form = page.locator("#board-form")
    form.wait_for(state="visible")
    form.locator("select[name=kind]").select_option("demand")
    form.locator("input[name=enterprise]").fill("芜湖储能集成")
    form.locator("input[name=product]").fill("储能电芯")
    form.locator("select[name=region]").select_option("340000")
    form.locator("input[name=valid_until]").fill(
        (dt.date.today() + dt.timedelta(days=20)).isoformat()
    )
    form.locator("input[name=contact]").fill("0553-1234567")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/#/board/*")
    post_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".post-head")).to_contain_text("储能电芯")
    page.click("button.edit-post")
    expect(form).to_be_visible()
    expect(form.locator("input[name=enterprise]")).to_have_value("芜湖储能集成")
    form.locator("input[name=product]").fill("280Ah 储能电芯")
    form.locator("button[type=submit]").click()
    expect(page.locator(".post-head")).to_contain_text("280Ah 储能电芯")
    page.screenshot(path=str(artifacts / "board-edit.png"), full_page=True)
    _assert_bundled_font(page, [".post-head", "button.withdraw-post"])
    page.click("#lang")
    expect(page.locator("button.edit-post")).to_have_text("Edit")
    expect(page.locator("button.withdraw-post")).to_have_text("Withdraw")
    page.screenshot(path=str(artifacts / "board-edit-en.png"), full_page=True)
    page.click("button.withdraw-post")
    page.wait_for_url("**/#/board")
    page.locator(".posts tbody tr").first.wait_for()
    ids = page.locator(".posts tbody tr td:first-child").all_inner_texts()
    assert post_id not in ids
    # a visitor who did not post it (and is not logged in) is offered neither button
    other = chromium_browser.new_context()
    visitor = other.new_page()
    visitor.goto(server + "/#/board/1")
    visitor.wait_for_selector(".post-head", timeout=90_000)
    assert visitor.locator("button.edit-post, button.withdraw-post").count() == 0
    other.close()
    assert external == [] and errors == []
    context.close()


def test_data_import_page(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    """数据导入: an analyst uploads a CSV and sees the import's summary; a file of the wrong type
    gets the API's one-line error; Chinese and English."""
    from playwright.sync_api import expect

    if not _offers(server, "/api/v1/data/import", "post"):
        pytest.skip("POST /api/v1/data/import is not on this server yet")
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.goto(server + "/#/import")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    assert page.locator("#import-form").is_hidden()
    _log_in(page)
    form = page.locator("#import-form")
    form.wait_for(state="visible")
    csv = "region,year,indicator,value\n340000,2022,robots_per_10k,12.5\n340000,2023,robots_per_10k,14.0\n320000,2023,robots_per_10k,21.0\n"
    form.locator("input[name=name]").fill("机器人密度（自采）")
    form.locator("input[name=file]").set_input_files(
        {"name": "robots.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}
    )
    form.locator("button[type=submit]").click()
    summary = page.locator(".import-summary .headline")
    expect(summary).to_contain_text("机器人密度（自采）")
    expect(summary).to_contain_text("3 行")
    expect(summary).to_contain_text("2 个地区")
    page.screenshot(path=str(artifacts / "import.png"), full_page=True)
    _assert_bundled_font(page, [".import-summary .headline"])
    # the wrong type: one line naming the problem, no summary
    form.locator("input[name=name]").fill("错误文件")
    form.locator("input[name=file]").set_input_files(
        {"name": "figure.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    )
    form.locator("button[type=submit]").click()
    error = page.locator(".import-error")
    expect(error).to_contain_text("导入失败")
    assert "\n" not in error.inner_text()
    page.click("#lang")
    expect(page.locator("#import-form h3")).to_have_text("Import data")
    page.screenshot(path=str(artifacts / "import-en.png"), full_page=True)
    assert external == []
    # the browser logs the refused upload (415) itself; nothing else may fail
    assert [e for e in errors if "415" not in e] == []
    context.close()


def test_overview_ranking_by_level(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    """全国总览: the level switch ranks the prefectures (the map stays provincial) with the
    API's assessment of that level: its units, its ranks, its names."""
    from playwright.sync_api import expect

    if not _offers(server, "/api/v1/assess", param="level"):
        pytest.skip("GET /api/v1/assess takes no level on this server yet")
    from nqpf.services.assessment import AssessmentSpec, assess_spec

    scores = assess_spec(AssessmentSpec.of(level="prefecture")).tables()["scores"]
    latest = scores[scores["year"] == scores["year"].max()].sort_values("rank")
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    external, errors = _watch(page, server)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)
    page.locator("#level-box").wait_for(state="visible")
    page.select_option("#level", "prefecture")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(len(latest), timeout=90_000)
    assert rows.first.locator("td").nth(1).inner_text() == latest.iloc[0]["region_name"]
    assert rows.nth(2).locator("td").nth(1).inner_text() == latest.iloc[2]["region_name"]
    assert rows.nth(2).locator("td").nth(0).inner_text() == str(latest.iloc[2]["rank"])
    expect(page.locator("#level-note")).to_contain_text("地图为省级")
    assert page.locator("#map .choroplethlocation").count() >= 31
    page.screenshot(path=str(artifacts / "overview-prefectures.png"))
    _assert_bundled_font(page, ["#level-note", "#ranking tbody tr td:nth-child(2)"])
    page.click("#lang")
    expect(page.locator("#level-note")).to_contain_text("The map shows provinces")
    page.screenshot(path=str(artifacts / "overview-prefectures-en.png"))
    assert external == [] and errors == []
    context.close()
