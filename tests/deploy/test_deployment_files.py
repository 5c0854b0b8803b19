"""The container files, checked without a container engine: the Compose file against the
Compose specification's JSON schema (vendored in check-jsonschema), the Dockerfile with
hadolint, and every command they run against what the package really provides."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from fastapi import FastAPI

from app.cli import build_parser

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def our_services() -> dict[str, dict[str, Any]]:
    """Services that run the genserve image (built here, or tagged genserve:...)."""
    return {
        name: service for name, service in compose()["services"].items()
        if "build" in service or str(service.get("image", "")).startswith("genserve:")
    }


def dockerfile_cmd() -> list[str]:
    lines = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    assert len(lines) == 1, "the Dockerfile should have one CMD"
    command: list[str] = json.loads(lines[0].removeprefix("CMD "))
    return command


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def assert_package_provides(command: list[str]) -> None:
    program, *args = command
    if program == "uvicorn":
        from uvicorn.main import main as uvicorn_command

        assert isinstance(uvicorn_command, click.Command)
        context = uvicorn_command.make_context("uvicorn", list(args))  # options parse
        module_name, _, attribute = context.params["app"].partition(":")
        app = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(app, FastAPI), f"{context.params['app']} is not the ASGI app"
    elif program == "genserve":
        scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
        assert scripts["genserve"] == "app.cli:main"
        parsed = build_parser().parse_args(args)  # SystemExit on an unknown command or option
        assert parsed.command in {"train", "serve", "worker"}
    else:
        raise AssertionError(f"{command}: not a command the genserve image provides")


def test_compose_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE)], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_command_is_provided_by_the_package() -> None:
    assert_package_provides(dockerfile_cmd())


@pytest.mark.parametrize("name", sorted(our_services()))
def test_each_compose_command_is_provided_by_the_package(name: str) -> None:
    command = our_services()[name].get("command") or dockerfile_cmd()
    assert_package_provides(list(command))


def test_compose_has_replicas_workers_redis_postgres_a_shared_volume_and_gpus() -> None:
    spec = compose()
    services = spec["services"]
    assert {"lb", "api", "worker", "redis", "postgres", "api-gpu", "worker-gpu"} <= set(services)
    for name in ("api", "worker", "api-gpu", "worker-gpu"):
        assert "weights:/srv/genserve/weights" in services[name]["volumes"]
        assert services[name]["environment"]["GENSERVE_QUEUE_URL"].startswith("redis://")
        assert services[name]["environment"]["GENSERVE_DATABASE_URL"].startswith("postgresql")
    for name in ("api-gpu", "worker-gpu"):
        assert services[name]["profiles"] == ["gpu"]
        devices = services[name]["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["capabilities"] == ["gpu"]
    nginx = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    assert "server api:8000" in nginx and "./deploy/nginx.conf" in services["lb"]["volumes"][0]


def test_an_unknown_command_is_caught() -> None:
    with pytest.raises(SystemExit):
        assert_package_provides(["genserve", "wrker"])
    with pytest.raises((AssertionError, click.UsageError)):
        assert_package_provides(["uvicorn", "app.main:app", "--no-such-option"])
