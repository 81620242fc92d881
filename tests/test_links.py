"""Every relative link in chapters/, solutions/, README.md and index.ipynb points at a file or folder that exists.

Markdown links and images ([text](path), ![alt](path)) and HTML href/src attributes, in README.md and in the
markdown cells of the notebooks; web addresses, mailto: and in-page anchors (#...) are not files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|(?:href|src)=[\"']([^\"']+)[\"']")
NOT_FILES = ("http://", "https://", "mailto:", "#", "data:", "javascript:")


def documents() -> List[Path]:
    found = [ROOT / "README.md", ROOT / "index.ipynb"]
    for folder in ("chapters", "solutions"):
        found += sorted((ROOT / folder).rglob("*.ipynb")) + sorted((ROOT / folder).rglob("*.md"))
    return [path for path in found if path.exists() and ".ipynb_checkpoints" not in path.parts]


def markdown_of(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def relative_links(text: str) -> Iterator[str]:
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if not target.startswith(NOT_FILES):
            yield target


def resolves(target: Path) -> bool:
    """The file exists; a link into workspace/ (the learner's copies, made from exercises/ by `make lab`,
    git-ignored) resolves when the exercise it copies exists."""
    target = Path(__file__).parent.joinpath(target).resolve() if not target.is_absolute() else target.resolve()
    if target.exists():
        return True
    workspace = ROOT / "workspace"
    return target.is_relative_to(workspace) and (ROOT / "exercises" / target.relative_to(workspace)).exists()


def broken_links(path: Path) -> List[str]:
    """Each relative link of `path` that does not resolve."""
    broken = []
    for link in relative_links(markdown_of(path)):
        target = link.split("#", 1)[0].split("?", 1)[0]
        if target and not resolves(path.parent / target):
            broken.append(link)
    return broken


@pytest.mark.parametrize("path", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_a_broken_link_is_found(tmp_path):
    (tmp_path / "there.md").write_text("x")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md) [web](https://example.org) [anchor](#top) [gone](lib/gone.py#L3) "
                    "<img src='missing.png'>")
    assert broken_links(page) == ["lib/gone.py#L3", "missing.png"]
