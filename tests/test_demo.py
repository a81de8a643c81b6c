"""`make demo` keeps to its own database: the one `make run` serves is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_uses_its_own_database_under_the_demo_directory(tmp_path):
    served = tmp_path / "served"  # where `make run` would keep its database
    demo = tmp_path / "demo"
    env = {**os.environ, "MOTCUA_DATA_DIR": str(served), "MOTCUA_DATABASE_URL": ""}
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        ["make", "-s", "-o", "setup", "demo", f"BIN={bin_dir}", f"DEMO_DIR={demo}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "CCCD" in done.stdout or "căn cước" in done.stdout.lower()  # the demo ran
    assert (demo / "motcua.db").exists()
    assert not (served / "motcua.db").exists()
