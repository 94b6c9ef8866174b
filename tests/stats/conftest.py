"""A separate virtual environment holding GrowthBook's gbstats, as a fixture.

gbstats pins an old numpy that cannot share our environment, so the first
run creates a venv in pytest's cache folder (ignored by git) with
`pip install gbstats==GBSTATS_VERSION` and later runs reuse it. Cases go to
`gbstats_runner.py` in that venv as JSON and its results come back as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# The release the disagreements noted in the tests refer to.
GBSTATS_VERSION = "0.8.0"
RUNNER = Path(__file__).with_name("gbstats_runner.py")

RunGbstats = Callable[[list[dict[str, Any]]], list[Any]]


def _venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def _create_gbstats_venv(folder: Path) -> Path:
    marker = folder / f"gbstats-{GBSTATS_VERSION}.ready"
    python = _venv_python(folder)
    if marker.exists() and python.exists():
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"gbstats=={GBSTATS_VERSION}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if install.returncode != 0:
        pytest.fail(f"pip install gbstats=={GBSTATS_VERSION} failed:\n{install.stderr}")
    marker.write_text(sys.version, encoding="utf-8")
    return python


@pytest.fixture(scope="session")
def gbstats(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> RunGbstats:
    """Runs JSON cases through gbstats and returns its JSON results."""
    cache = getattr(request.config, "cache", None)
    folder = (
        cache.mkdir("gbstats-venv")
        if cache is not None
        else tmp_path_factory.mktemp("gbstats-venv")
    )
    python = _create_gbstats_venv(Path(folder))

    def run(cases: list[dict[str, Any]]) -> list[Any]:
        completed = subprocess.run(
            [str(python), str(RUNNER)],
            input=json.dumps(cases),
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if completed.returncode != 0:
            pytest.fail(f"gbstats runner failed:\n{completed.stderr}")
        results: list[Any] = json.loads(completed.stdout)
        return results

    return run
