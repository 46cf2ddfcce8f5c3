"""The dashboard end to end in Debian's headless Chromium: overview, year and indicator
switches, region profile, log-in and a comment — with every request kept on this server,
every Chinese glyph drawn with the bundled font (no fallback), and user text shown as text.
Screenshots go to ``$NQPF_TEST_ARTIFACTS`` (default: the test's temporary folder)."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from nqpf.api import create_app
    from nqpf.db import connect, dispose_all
    from nqpf.db.accounts_repo import create_user

    home = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{home / 'portal.db'}"
    create_user(connect(url), "alice", PASSWORD, role="analyst", display_name="王分析师")
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


def test_dashboard_end_to_end(chromium_browser: Browser, server: str, artifacts: Path) -> None:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
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
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=90_000)

    # overview: the map and 31 ranked rows; 北京 first on the default index in 2023
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 31
    assert rows.first.locator("td").nth(1).inner_text() == "北京"
    assert page.locator("#map .choroplethlocation").count() >= 31
    page.screenshot(path=str(artifacts / "overview.png"))

    import nqpf

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

    # every Chinese glyph of the page title and the table is drawn with the bundled font
    for selector in ("header h1", "#ranking tbody tr td:nth-child(2)"):
        fonts = _fonts_of(page, selector)
        assert fonts, selector
        families = {f["familyName"] for f in fonts}
        assert families == {"Noto Sans CJK SC"}, (selector, fonts)
        assert all(f["isCustomFont"] for f in fonts), (selector, fonts)

    # region profile
    page.goto(server + "/#/region/340000")
    expect(page.locator("#region-title")).to_have_text("安徽")
    page.wait_for_selector("#pillars .bars")
    comments = page.locator("#region-comments")
    assert comments.locator(".comment-form").is_hidden()

    # log in and comment; the hostile text is shown literally, no element injected
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
    page.screenshot(path=str(artifacts / "region.png"))

    # English switch
    page.click("#lang")
    assert page.inner_text("header nav a[href='#/overview']") == "Overview"

    assert external == []
    assert errors == []
    context.close()
