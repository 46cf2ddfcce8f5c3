"""Shared fixtures: an isolated workspace for every test, the raw data when present, a
headless browser for the HTML outputs, and databases (SQLite always, PostgreSQL when
``NQPF_TEST_PG_URL`` names a server)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request
    from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]
SHARED_RAW = ROOT.parent / "shared" / "data" / "raw"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_cc04db8f51b7c61a.txt"


def run_nqpf(*args: str, home: Path, columns: int = 200) -> subprocess.CompletedProcess[str]:
    """Run the ``nqpf`` command line in a fresh process with its own ``NQPF_HOME``."""
    env = {**os.environ, "NQPF_HOME": str(home), "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-c", "from nqpf.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture(autouse=True)
def _isolated_workspace(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own NQPF_HOME, so imports never touch the user's workspace."""
    home = tmp_path_factory.mktemp("nqpf_home")
    monkeypatch.setenv("NQPF_HOME", str(home))
    return home


@pytest.fixture
def shared_raw() -> Path:
    """The raw public files the packaged data is built from (skips when absent)."""
    if not SHARED_RAW.is_dir():
        pytest.skip("../shared/data/raw is not beside the checkout")
    return SHARED_RAW


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright.

    Skips when Chromium is not installed, unless ``NQPF_REQUIRE_BROWSER=1`` (set by
    ``.ci/run``, which installs it), in which case a missing browser fails the run.
    """
    if not CHROMIUM.exists():
        if os.environ.get("NQPF_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "Chromium is required (NQPF_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing"
            )
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@dataclass
class OfflinePage:
    """A page opened from a local file, with every non-local request and console error recorded."""

    page: Page
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_offline(chromium_browser: Browser) -> Iterator[Callable[[Path], OfflinePage]]:
    """Open a local HTML file with the network cut off; records what it tried to fetch."""
    contexts: list[BrowserContext] = []

    def _open(path: Path) -> OfflinePage:
        context = chromium_browser.new_context(offline=True)
        contexts.append(context)
        page = context.new_page()
        result = OfflinePage(page)

        def on_request(request: Request) -> None:
            if not request.url.startswith(("file:", "data:", "blob:", "about:")):
                result.external_requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                result.console_errors.append(message.text)

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", lambda error: result.console_errors.append(str(error)))
        page.goto(path.resolve().as_uri(), wait_until="load")
        return result

    yield _open
    for context in contexts:
        context.close()


DB_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=DB_BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each back end.

    SQLite: a file in the test's folder. PostgreSQL: a new database on the server of
    ``NQPF_TEST_PG_URL`` (started by ``.ci/run``), dropped afterwards; skipped when that is
    unset unless ``NQPF_REQUIRE_PG=1`` (set by ``.ci/run``), which makes it a failure.
    """
    from nqpf.db import dispose_all

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nqpf.db'}"
        dispose_all()
        return
    admin_url = os.environ.get("NQPF_TEST_PG_URL")
    if not admin_url:
        if os.environ.get("NQPF_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL is required (NQPF_REQUIRE_PG=1) but NQPF_TEST_PG_URL is unset")
        pytest.skip("no PostgreSQL server: set NQPF_TEST_PG_URL (bash .ci/run starts one)")
    import uuid

    from sqlalchemy import create_engine, make_url, text

    name = f"nqpf_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_engine(db_url: str) -> Engine:
    """An engine on a fresh database of each back end, migrated to the newest schema."""
    from nqpf.db import connect

    return connect(db_url)
