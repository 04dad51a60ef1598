"""The import-linter contracts in pyproject.toml hold on the tree and fail on a violation.

Each check runs ``lint-imports`` on a private copy of the package (so a deliberately bad module
never touches the working tree, and tests running side by side never see it), with the copy
first on the path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rongxin

PACKAGE = Path(rongxin.__file__).resolve().parent
PYPROJECT = PACKAGE.parent.parent / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
VERDICT = re.compile(r"^(?P<name>.+) (?P<verdict>KEPT|BROKEN)$", re.M)

APP_ROOMS = "Rooms inside every app depend downward only"
NO_SYNTH = "Product code never imports synth or bench"


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or not (n.endswith(".py") or (Path(folder) / n).is_dir())]


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The package's Python files and the project's configuration, copied."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "rongxin", ignore=_not_python)
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def _lint(root: Path) -> tuple[int, dict[str, str]]:
    result = subprocess.run(  # noqa: S603 - the project's own tool, no shell
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, {m["name"]: m["verdict"] for m in VERDICT.finditer(result.stdout)}


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_tree_keeps_every_contract(tree_copy: Path) -> None:
    # when
    code, verdicts = _lint(tree_copy)
    # then
    assert code == 0
    assert verdicts[APP_ROOMS] == "KEPT"
    assert verdicts[NO_SYNTH] == "KEPT"
    assert set(verdicts.values()) == {"KEPT"}


def test_a_selector_importing_a_service_breaks_its_apps_layers(tree_copy: Path) -> None:
    # given
    _append(tree_copy / "src/rongxin/subjects/selectors.py", "from rongxin.subjects import services  # noqa")
    # when
    code, verdicts = _lint(tree_copy)
    # then
    assert code == 1
    assert {name for name, verdict in verdicts.items() if verdict == "BROKEN"} == {APP_ROOMS}


def test_a_module_outside_the_rooms_breaks_its_apps_layers(tree_copy: Path) -> None:
    # given: a new top-level module, the kind of bucket the rooms leave no place for
    (tree_copy / "src/rongxin/subjects/utils.py").write_text("VALUE = 1\n")
    # when
    code, verdicts = _lint(tree_copy)
    # then
    assert code == 1
    assert {name for name, verdict in verdicts.items() if verdict == "BROKEN"} == {APP_ROOMS}


def test_product_code_importing_the_generator_breaks_the_synth_contract(tree_copy: Path) -> None:
    # given: the shell (which sits above synth in the app layers) imports the generator
    _append(tree_copy / "src/rongxin/web/views.py", "import rongxin.synth.generator  # noqa")
    # when
    code, verdicts = _lint(tree_copy)
    # then
    assert code == 1
    assert {name for name, verdict in verdicts.items() if verdict == "BROKEN"} == {NO_SYNTH}
