"""The database floor: engine from a URL, migrations on first use, one-line errors, both
back ends (SQLite always; PostgreSQL when NQPF_TEST_PG_URL is set, required in CI)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from nqpf.db import (
    DatabaseError,
    connect,
    current_revisions,
    default_url,
    head_revisions,
    resolve_url,
    session_scope,
)
from nqpf.db.policy import PolicyDocument, PolicyItem
from tests.conftest import run_nqpf


def test_default_url_is_sqlite_under_nqpf_home(_isolated_workspace: Path) -> None:
    assert default_url() == f"sqlite:///{_isolated_workspace / 'nqpf.db'}"


def test_env_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NQPF_DB_URL", "sqlite:////tmp/other.db")
    assert default_url() == "sqlite:////tmp/other.db"


def test_bare_postgresql_url_uses_psycopg3() -> None:
    assert resolve_url("postgresql://u@h/d").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@h/d", "only SQLite and PostgreSQL"),
    ],
)
def test_bad_urls_are_one_line_errors(url: str, fragment: str) -> None:
    with pytest.raises(DatabaseError, match=fragment) as info:
        resolve_url(url)
    assert "\n" not in str(info.value)


def test_unreachable_postgres_is_one_line_error_without_password() -> None:
    # Port 1 on localhost: nothing listens there, the connection is refused at once.
    with pytest.raises(DatabaseError) as info:
        connect("postgresql+psycopg://user:s3cret@127.0.0.1:1/nqpf")
    message = str(info.value)
    assert message.startswith(
        "cannot reach database postgresql+psycopg://user:***@127.0.0.1:1/nqpf"
    )
    assert "s3cret" not in message
    assert "\n" not in message


def test_unopenable_sqlite_file_is_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "a_folder.db"
    folder.mkdir()
    with pytest.raises(DatabaseError, match="cannot reach database sqlite"):
        connect(f"sqlite:///{folder}")


def test_first_use_migrates_to_every_head(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()
    assert "policy_0002" in head_revisions()
    tables = set(inspect(db_engine).get_table_names())
    assert {"alembic_version", "policy_documents", "policy_items"} <= tables
    search = "policy_fts" if db_engine.dialect.name == "sqlite" else "policy_search"
    assert search in tables


def test_round_trip_with_cascade(db_engine: Engine) -> None:
    added = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    with session_scope(db_engine) as session:
        doc = PolicyDocument(
            title="政府工作报告",
            issuer="国务院",
            level="national",
            region="100000",
            issued=date(2025, 3, 5),
            year=2025,
            doc_type="work_report",
            text="国内生产总值增长5%左右。",
            sha256="a" * 64,
            origin="user",
            added_at=added,
        )
        doc.items.append(
            PolicyItem(
                kind="target",
                sentence_no=0,
                sentence_start=0,
                sentence_end=12,
                start=0,
                end=11,
                phrase="国内生产总值增长5%左右",
                indicator="gdp_growth",
                value=5.0,
                unit="%",
                year=2025,
            )
        )
        session.add(doc)
    with session_scope(db_engine) as session:
        back = session.scalars(select(PolicyDocument)).one()
        assert (back.title, back.issued, back.year, back.text) == (
            "政府工作报告",
            date(2025, 3, 5),
            2025,
            "国内生产总值增长5%左右。",
        )
        assert back.added_at.replace(tzinfo=UTC) == added
        assert [(i.phrase, i.value, i.unit) for i in back.items] == [
            ("国内生产总值增长5%左右", 5.0, "%")
        ]
        session.delete(back)
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM policy_items")).scalar_one() == 0


def test_check_constraint_rejects_unknown_level(db_engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(db_engine) as session:
        session.add(
            PolicyDocument(
                title="t",
                level="planet",
                doc_type="plan",
                text="x",
                sha256="b" * 64,
                origin="user",
                added_at=datetime.now(UTC),
            )
        )


def test_concurrent_first_use_migrates_once(db_url: str) -> None:
    """Four processes open a new database at the same time: all succeed, one schema."""
    code = "import sys; from nqpf.db import connect; connect(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    engine = connect(db_url, migrate=False)
    with engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()


def test_cli_db_status_and_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    before = run_nqpf("db", "status", "--db", url, home=tmp_path)
    assert before.returncode == 0, before.stderr
    assert "(empty)" in before.stdout and "needs `nqpf db upgrade`" in before.stdout
    up = run_nqpf("db", "upgrade", "--db", url, home=tmp_path)
    assert up.returncode == 0, up.stderr
    after = run_nqpf("db", "status", "--db", url, home=tmp_path)
    assert "up to date" in after.stdout


def test_cli_unreachable_database_exits_2_without_traceback(tmp_path: Path) -> None:
    result = run_nqpf("db", "upgrade", "--db", "postgresql://u:pw@127.0.0.1:1/x", home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot reach database" in result.stderr and ":pw@" not in result.stderr


def test_upgrade_from_an_older_revision_keeps_rows(db_url: str) -> None:
    from sqlalchemy import create_engine

    from nqpf.db import upgrade
    from nqpf.db.engine import resolve_url

    engine = create_engine(resolve_url(db_url))
    upgrade(engine, "policy_0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO policy_documents (title, level, doc_type, text, sha256, origin, added_at)"
                " VALUES ('t', 'national', 'plan', 'x', :sha, 'user', :now)"
            ),
            {"sha": "c" * 64, "now": datetime.now(UTC)},
        )
    engine.dispose()
    migrated = connect(db_url)
    with migrated.connect() as conn:
        assert current_revisions(conn) == head_revisions()
        assert conn.execute(text("SELECT count(*) FROM policy_documents")).scalar_one() == 1
    assert "basis" in {c["name"] for c in inspect(migrated).get_columns("policy_items")}


def test_connect_to_a_migrated_sqlite_file_does_not_wait_for_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema check of connect() reads without the write lock (no BEGIN IMMEDIATE).

    Another connection holds SQLite's write lock for the whole test; with a 1 s busy timeout a
    check that took the lock would fail with "database is locked".
    """
    import sqlite3

    from nqpf.db import engine as engine_module
    from nqpf.db.engine import READ_ONLY, dispose_all

    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    connect(url)
    dispose_all()
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 1)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        engine = connect(url)
        with engine.connect().execution_options(**READ_ONLY) as conn:
            assert current_revisions(conn) == head_revisions()
        with pytest.raises(Exception, match="database is locked"), engine.begin() as conn:
            conn.execute(text("DELETE FROM policy_documents"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        dispose_all()
