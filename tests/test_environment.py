"""environment.yml (for conda users) must ask for exactly what pyproject.toml asks for."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pip_requirements_of_environment_yml() -> set:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    requirements = set()
    for line in lines[start + 1:]:
        if not line.strip().startswith("- "):
            break
        requirements.add(line.strip()[2:].strip())
    return requirements


def pyproject_requirements() -> set:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= set(extra)
    wanted.discard("torch>=2.1")
    return wanted | {"torch==2.13.0"}


def test_environment_yml_mirrors_pyproject():
    assert pip_requirements_of_environment_yml() == pyproject_requirements()


def test_makefile_pins_the_same_torch():
    assert "TORCH  := torch==2.13.0" in (ROOT / "Makefile").read_text()
