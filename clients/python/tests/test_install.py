"""Every install line the docs give works in a fresh virtual environment and imports what
it promises, and installing writes nothing into the checkout (a read-only one works)."""
import os
import re
import shlex
import shutil
import subprocess
import venv
from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import ROOT

DOCUMENTS = [ROOT / "README.md", ROOT / "clients" / "python" / "README.md", ROOT / "Examples" / "python-triage" / "README.md"]
PLACEHOLDER = "git+https://github.com/<owner>/<repository>.git@v2.0.0"


def documented() -> List[Tuple[str, str, str, List[str]]]:
    """(document, kind, the install line or requirement, the modules it promises)."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in re.finditer(r"<!-- (pip-install|pip-install-requirements): ([^>]*?) -->\s*```[a-z]*\n(.*?)```", text, re.S):
            kind, modules, block = match.group(1), match.group(2).split(), match.group(3)
            # A shell line's comment starts at " #"; a requirement's "#subdirectory=" is part of it.
            lines = [(line.split(" #")[0] if kind == "pip-install" else line).strip() for line in block.splitlines()]
            for line in lines:
                if kind == "pip-install" and line.startswith("pip install"):
                    found.append((document.name, kind, line, modules))
                elif kind == "pip-install-requirements" and line:
                    found.append((document.name, kind, line, modules))
    return found


LINES = documented()


def test_the_docs_give_install_lines():
    kinds = {kind for _, kind, _, _ in LINES}
    assert kinds == {"pip-install", "pip-install-requirements"} and len(LINES) >= 5, LINES


def fresh_environment(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / "bin" / "python"


def pip(python: Path, arguments: List[str]) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([str(python), "-m", "pip", *arguments], cwd=ROOT, capture_output=True, text=True, env=environment, timeout=900)


def tagged_copy(tmp_path: Path) -> Path:
    """A git repository holding the SDK as it is in the working tree, tagged v2.0.0, for
    the requirement form (the docs name the public repository). It is named
    file://localhost/…: pip's requirement parser wants a host in a git+ URL."""
    repository = tmp_path / "repository"
    shutil.copytree(ROOT / "clients" / "python", repository / "clients" / "python", ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    environment = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for arguments in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "sdk"], ["tag", "v2.0.0"]):
        subprocess.run(["git", *arguments], cwd=repository, check=True, env=environment, capture_output=True)
    return repository


def snapshot(folder: Path) -> dict:
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns) for path in folder.rglob("*")
            if "__pycache__" not in path.parts}


@pytest.mark.parametrize("document,kind,line,modules", LINES, ids=[f"{document}: {line}" for document, _, line, _ in LINES])
def test_each_documented_line_installs_and_imports(document, kind, line, modules, tmp_path):
    python = fresh_environment(tmp_path / "venv")
    tree = ROOT / "clients" / "python"
    before = snapshot(tree)
    if kind == "pip-install":
        result = pip(python, shlex.split(line)[1:])
    else:
        requirements = tmp_path / "requirements.txt"
        assert PLACEHOLDER in line, f"{document}: the requirement names {line}"
        requirements.write_text(line.replace(PLACEHOLDER, f"git+file://localhost{tagged_copy(tmp_path)}@v2.0.0") + "\n")
        result = pip(python, ["install", "-r", str(requirements)])
    assert result.returncode == 0, f"{document}: {line}\n{result.stdout}\n{result.stderr}"
    imports = "; ".join(f"import {module}" for module in modules)
    checked = subprocess.run([str(python), "-c", imports], capture_output=True, text=True, cwd=tmp_path)
    assert checked.returncode == 0, f"{document}: {line} does not give {modules}:\n{checked.stderr}"
    assert snapshot(tree) == before, "installing wrote into the checkout"
    assert not (tree / "build").exists() and not list(tree.rglob("*.egg-info"))
