"""The packages' layers (pyproject's import-linter contracts): a back-arrow fails the suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "channels", "feedback", "knowledge")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_the_layers_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_channel_importing_the_delivery_runtime_is_refused(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    adapter = tmp_path / "channels" / "messenger" / "outbound.py"
    adapter.write_text(adapter.read_text() + "\nfrom bot.delivery.outbox import enqueue  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "channels.messenger.outbound -> bot.delivery.outbox" in result.stdout
