"""deploy/backup and deploy/restore on a real PostgreSQL: a row and a document come back,
checked; a damaged backup is refused."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SERVER = os.environ.get("BACKUP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def postgres_is_up():
    if not shutil.which("pg_dump"):
        return False
    result = subprocess.run(
        ["psql", f"{SERVER}/postgres", "-tAc", "select 1"], capture_output=True, check=False
    )
    return result.returncode == 0


pytestmark = pytest.mark.skipif(not postgres_is_up(), reason="needs PostgreSQL and pg_dump")


def psql(database, sql):
    return subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", f"{SERVER}/{database}", "-tAc", sql],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


@pytest.fixture
def databases():
    names = [f"lt_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("live", "restored")]
    for name in names:
        psql("postgres", f"CREATE DATABASE {name}")
    yield names
    for name in names:
        psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(script, *args, database, documents):
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{database}"}
    env["PRIVATE_STORAGE_ROOT"] = str(documents)
    return subprocess.run(
        [DEPLOY / script, *args], env=env, capture_output=True, text=True, check=False
    )


def test_backup_restores_into_a_fresh_database_with_the_documents_checked(databases, tmp_path):
    live, restored = databases
    psql(live, "CREATE TABLE dossier (code text, document text)")
    psql(live, "INSERT INTO dossier VALUES ('HS-24-000123', 'dossiers/2026/hop-dong.pdf')")
    documents = tmp_path / "private"
    (documents / "dossiers/2026").mkdir(parents=True)
    (documents / "dossiers/2026/hop-dong.pdf").write_bytes(b"%PDF-1.7 hop dong bao mat")

    made = run("backup", tmp_path / "backups", database=live, documents=documents)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "database.dump", "documents.sha256", "documents.tar",
    ]  # fmt: skip

    fresh = tmp_path / "restored-private"
    back = run("restore", backup, database=restored, documents=fresh)
    assert back.returncode == 0, back.stderr
    assert psql(restored, "SELECT code || ' ' || document FROM dossier") == (
        "HS-24-000123 dossiers/2026/hop-dong.pdf"
    )
    assert (fresh / "dossiers/2026/hop-dong.pdf").read_bytes() == b"%PDF-1.7 hop dong bao mat"


def test_restore_refuses_a_damaged_backup(databases, tmp_path):
    live, restored = databases
    documents = tmp_path / "private"
    documents.mkdir()
    (documents / "giay-phep.png").write_bytes(b"anh")
    backup = Path(
        run("backup", tmp_path / "backups", database=live, documents=documents).stdout.strip()
    )
    with (backup / "documents.tar").open("ab") as archive:
        archive.write(b"\0")

    back = run("restore", backup, database=restored, documents=tmp_path / "restored")
    assert back.returncode != 0
    assert "Bản sao lưu bị hỏng" in back.stderr
    assert not (tmp_path / "restored").exists()
