"""The README documents every command, setting and route, as users need it."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from starlette.routing import Route

from lms_telemetry.api.app import create_app
from lms_telemetry.cli import main
from lms_telemetry.config import SETTINGS, Config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def command_paths(group: click.Group, prefix: str = "lms-telemetry") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths += command_paths(command, path) or [path]
            paths += [path]
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", sorted(set(command_paths(main))))
def test_every_command_is_documented(path: str) -> None:
    *parents, leaf = path.split(" ")
    group = " ".join(parents)
    # Subcommands may share a line: "lms-telemetry experiment list|analyze KEY".
    on_group_lines = [line for line in README.splitlines() if f"{group} " in line]
    assert path in README or any(
        leaf in line.replace("|", " ").replace("`", " ").split()
        for line in on_group_lines
    )


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: object) -> None:
    assert f"`{setting.name}`" in README  # type: ignore[attr-defined]
    assert f"`{setting.env_name}`" in README  # type: ignore[attr-defined]


def _route_paths() -> list[str]:
    app = create_app(Config.load(environ={}), role="standalone")
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and not route.path.startswith("/dashboard"):
            paths.append(route.path)
    return sorted(set(paths) - {"/login", "/logout"})


@pytest.mark.parametrize("path", _route_paths())
def test_every_route_is_documented(path: str) -> None:
    assert f"`{path}`" in README or f" {path}`" in README


def test_readme_opens_with_the_two_commands() -> None:
    opening = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in opening] == [
        "make demo",
        "make test",
    ]
