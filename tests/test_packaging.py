"""Set-up files agree with each other."""
import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from conftest import ROOT


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [
        line for extra in project["optional-dependencies"].values() for line in extra]
    parsed = [Requirement(line) for line in requirements]
    return {canonicalize_name(r.name): r.specifier for r in parsed}


def conda_requirements():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            assert entry == {"pip": ["-e ."]}, "only the course itself comes from pip"
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
        specs[canonicalize_name(name)] = SpecifierSet(spec.replace(" ", ""))
    return specs


def test_environment_yml_matches_pyproject():
    conda = conda_requirements()
    python = conda.pop("python")
    conda.pop("pip")
    assert conda == pyproject_requirements()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert python == SpecifierSet(project["requires-python"])


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert ci.strip().splitlines()[-1] == "make test"
