"""The pins a fresh machine installs from: every line of constraints.txt is `name==version` of a registry
release, and the environment the tests run in is the one those pins describe."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!_-]*)$")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, raw in enumerate((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        # A `pip freeze` of a locally built or downloaded wheel writes `name @ file:///...`: it installs only on
        # the machine that froze it.
        assert "@" not in line and "file:" not in line and "/" not in line and "\\" not in line, (
            f"constraints.txt:{number}: {raw!r} names a path or URL; pin a registry release as name==version"
        )
        match = PIN.match(line)
        assert match, f"constraints.txt:{number}: {raw!r} is not name==version"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"constraints.txt:{number}: {match.group(1)} pinned twice"
        pins[name] = match.group(2)
    return pins


def test_every_line_is_a_registry_pin():
    assert len(_pins()) > 50


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    for spec in wanted:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (pyproject.toml) has no pin in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req.name}=={pins[name]} outside {spec}"
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # a pin for another platform or an optional extra not installed here
        assert installed == pinned, f"{name}: installed {installed}, constraints.txt pins {pinned}"
