"""Data files hold citizens' words and the staff session key: readable by their owner only,
whatever the umask the server was started with; the systemd units set UMask=0077 too."""

from __future__ import annotations

import configparser
import os
import stat
from pathlib import Path

import pytest

from tests.channel_fixtures import eventually

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


@pytest.fixture
def loose_umask():
    previous = os.umask(0o022)  # a common default: new files readable by everyone
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_journals_and_session_key_are_private(loose_umask, rig):
    data_dir = rig.runtime.settings.data_dir
    body = {"session": "e" * 32, "text": "đăng ký khai sinh cần giấy tờ gì"}
    async with rig.http.post(rig.url + "/chat/api/messages", json=body) as response:
        assert response.status == 202
    journals = data_dir / "sent-journal"
    await eventually(lambda: list(journals.glob("sent-*.log")))
    files = [data_dir / name for name in ("motcua.db", "motcua.db-wal", "motcua.db-shm")]
    files += [data_dir / "motcua.db.writer", data_dir / "session.key"]
    files += list(journals.glob("sent-*.log"))
    for path in files:
        assert path.exists(), path
        assert _mode(path) == 0o600, f"{path.name}: {oct(_mode(path))}"
    assert _mode(journals) == 0o700


@pytest.mark.parametrize("unit", ["motcua.service", "motcua-purge.service"])
def test_systemd_units_create_private_files(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / unit)
    assert parser["Service"]["UMask"] == "0077"
