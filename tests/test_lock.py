"""The locks in requirements/ name exactly what pyproject.toml asks for, at the same versions."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked(name: str) -> dict[str, str]:
    """Each package a lock file pins, with its version."""
    pins = {}
    for line in (REQUIREMENTS / name).read_text().splitlines():
        if found := PIN.match(line):
            pins[canonicalize_name(found[1])] = found[2]
    return pins


def hashed(name: str) -> bool:
    """Every pin of a lock file carries at least one hash."""
    text = (REQUIREMENTS / name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    return all("--hash=sha256:" in entry for entry in entries if PIN.match(entry))


def direct(requirements: list[str]) -> dict[str, Requirement]:
    """Requirement strings by canonical name."""
    return {canonicalize_name(req.name): req for req in map(Requirement, requirements)}


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = direct(PYPROJECT["project"]["dependencies"])
DEVELOPMENT = direct(PYPROJECT["project"]["optional-dependencies"]["dev"])
BUILD_IN = direct([line for line in (REQUIREMENTS / "build.in").read_text().splitlines()
                   if line.strip() and not line.startswith("#")])
BUILD_SYSTEM = direct(PYPROJECT["build-system"]["requires"])


def test_every_dependency_of_pyproject_is_locked_at_its_pinned_version() -> None:
    run, dev = locked("run.txt"), locked("dev.txt")
    for name, req in RUNTIME.items():
        assert name in run, f"{name} is in pyproject.toml but not in requirements/run.txt (make lock)"
        assert run[name] in req.specifier, f"run.txt has {name}=={run[name]}, pyproject.toml {req}"
    for name, req in (RUNTIME | DEVELOPMENT).items():
        assert name in dev, f"{name} is in pyproject.toml but not in requirements/dev.txt (make lock)"
        assert dev[name] in req.specifier, f"dev.txt has {name}=={dev[name]}, pyproject.toml {req}"


def test_the_build_lock_holds_what_builds_letters() -> None:
    build = locked("build.txt")
    assert set(BUILD_SYSTEM) <= set(BUILD_IN), "pyproject.toml's build-system needs a line in build.in"
    for name, req in (BUILD_IN | BUILD_SYSTEM).items():
        assert name in build, f"{name} is not in requirements/build.txt (make lock)"
        assert build[name] in req.specifier


def test_a_package_the_project_no_longer_asks_for_leaves_the_lock() -> None:
    """Each lock's packages asked for by name are those of pyproject.toml (or build.in): a dependency
    removed from pyproject.toml and still locked, or locked by hand, fails here."""
    for name, asked in (("run.txt", RUNTIME), ("dev.txt", RUNTIME | DEVELOPMENT)):
        text = (REQUIREMENTS / name).read_text()
        top = {canonicalize_name(found[1]) for block in re.split(r"\n(?=[A-Za-z0-9])", text)
               if "letters (pyproject.toml)" in block and (found := PIN.match(block))}
        assert top == set(asked), f"{name}: {sorted(top ^ set(asked))} differ from pyproject.toml"


def test_the_locks_agree_with_each_other() -> None:
    dev = locked("dev.txt")
    for name in ("run.txt", "build.txt"):
        for package, version in locked(name).items():
            assert dev.get(package) == version, f"{name} has {package}=={version}, dev.txt {dev.get(package)}"
    assert set(locked("run.txt")) < set(dev)


def test_every_pin_carries_its_hashes() -> None:
    for name in ("run.txt", "dev.txt", "build.txt"):
        assert hashed(name), f"requirements/{name} has a pin without --hash (make lock)"


def test_held_back_packages_stay_held_back() -> None:
    """constraints.txt's ceilings hold in the lock (cryptography below 51 until pyHanko follows)."""
    dev = locked("dev.txt")
    for line in (REQUIREMENTS / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            name = canonicalize_name(req.name)
            assert name in dev and dev[name] in req.specifier, f"{name}=={dev.get(name)} against {req}"
