"""What every chapter notebook holds, read from the files (no kernel): the one setup line at the top, the
closing sections (What you have seen, 3-5 questions with answers to reveal, Next), prose cells short enough
to read, and stored outputs without run-to-run timings or machine paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import nbformat
import pytest

from course import syllabus

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = syllabus.CHAPTERS
MAX_WORDS = 260  # "no prose cell over ~250 words"
SETUP_LINE = "ROOT = course.setup()"
MACHINE_PATH = re.compile(r"(/work/|/home/\w|/Users/\w|/root/|[A-Za-z]:\\\\Users)")
EPOCH_TIME = re.compile(r"\[\d+(\.\d+)?s\]")  # the trainer's "[8.7s]": stored as [TIME] (course/chapters.py)
DETAILS = re.compile(r"\*\*(\d)\. (.+?)\*\*\s*<details><summary>[^<]+</summary>(.*?)</details>", re.S)


def cells_of(chapter: syllabus.Chapter) -> List[nbformat.NotebookNode]:
    return nbformat.read(str(ROOT / chapter.notebook), as_version=4).cells


def closing(chapter: syllabus.Chapter) -> dict:
    """The closing sections: the index of each heading's cell, and the Markdown of the questions."""
    cells = cells_of(chapter)
    heads = {name: [i for i, cell in enumerate(cells)
                    if cell.cell_type == "markdown" and cell.source.startswith(f"## {name}")]
             for name in ("What you have seen", "Check your understanding", "Next")}
    for name, found in heads.items():
        assert len(found) == 1, f"{chapter.notebook}: expected one '## {name}' cell, found {len(found)}"
    seen, check, nxt = (heads[name][0] for name in ("What you have seen", "Check your understanding", "Next"))
    assert seen < check < nxt == len(cells) - 1, \
        f"{chapter.notebook}: the chapter must end with What you have seen, Check your understanding, Next"
    between = cells[check:nxt]
    assert all(cell.cell_type == "markdown" for cell in between)
    return {"questions": "\n\n".join(cell.source for cell in between), "next": cells[nxt].source}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_the_first_code_cell_is_the_setup_line(chapter: syllabus.Chapter) -> None:
    first = next(cell for cell in cells_of(chapter) if cell.cell_type == "code")
    assert SETUP_LINE in first.source and "import course" in first.source
    lines = [line for line in first.source.splitlines() if line.strip()]
    assert len(lines) <= 10, f"{chapter.notebook}: the setup cell grew:\n{first.source}"
    for cell in cells_of(chapter):
        if cell.cell_type == "code":
            for copied in ("def find_repository_root", "sys.path.insert", "os.chdir(", "torch.set_num_threads("):
                assert copied not in cell.source, f"{chapter.notebook}: {copied} belongs in course.setup()"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_the_chapter_ends_with_questions_whose_answers_can_be_revealed(chapter: syllabus.Chapter) -> None:
    questions = closing(chapter)["questions"]
    found = DETAILS.findall(questions)
    assert 3 <= len(found) <= 5, f"{chapter.notebook}: {len(found)} questions (3-5 wanted)"
    assert [int(number) for number, _, _ in found] == list(range(1, len(found) + 1))
    for _, question, answer in found:
        assert question.rstrip().endswith("?"), f"{chapter.notebook}: not a question: {question}"
        assert len(answer.split()) >= 8, f"{chapter.notebook}: the answer to {question!r} is too short"
    assert questions.count("<details>") == questions.count("</details>") == len(found)


@pytest.mark.parametrize("position", range(len(CHAPTERS)), ids=[c.id for c in CHAPTERS])
def test_next_links_to_the_following_chapter(position: int) -> None:
    chapter = CHAPTERS[position]
    target = (Path(CHAPTERS[position + 1].notebook).name if position + 1 < len(CHAPTERS) else "../index.ipynb")
    assert f"]({target})" in closing(chapter)["next"], f"{chapter.notebook}: Next must link to {target}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_no_prose_cell_is_too_long_to_read(chapter: syllabus.Chapter) -> None:
    for index, cell in enumerate(cells_of(chapter)):
        if cell.cell_type == "markdown":
            words = len(cell.source.split())
            assert words <= MAX_WORDS, f"{chapter.notebook} cell {index}: {words} words; split it"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_stored_outputs_hold_no_timestamps_epoch_times_or_machine_paths(chapter: syllabus.Chapter) -> None:
    for index, cell in enumerate(cells_of(chapter)):
        if cell.cell_type != "code":
            continue
        assert "execution" not in cell.metadata, f"{chapter.notebook} cell {index}: execution timestamps stored"
        for output in cell.outputs:
            text = output.get("text", "") + "".join(
                value for key, value in output.get("data", {}).items() if key.startswith("text/") and isinstance(value, str))
            assert not MACHINE_PATH.search(text), f"{chapter.notebook} cell {index}: a machine path in {text[:300]!r}"
            assert not EPOCH_TIME.search(text), f"{chapter.notebook} cell {index}: an epoch time in {text[:300]!r}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_every_image_a_chapter_shows_is_in_the_repository(chapter: syllabus.Chapter) -> None:
    for cell in cells_of(chapter):
        if cell.cell_type == "markdown":
            for image in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", cell.source):
                assert (ROOT / "chapters" / image).is_file(), f"{chapter.notebook} shows {image}, which is missing"


@pytest.mark.parametrize("chapter_id, call, image", [("03.2", "serve_demo(", "images/demo-page.png"),
                                                     ("03.5", "ConfigWizard(", "images/configuration-wizard.png")])
def test_a_live_page_is_stored_as_a_screenshot_not_a_dead_frame(chapter_id: str, call: str, image: str) -> None:
    cells = cells_of(syllabus.chapter(chapter_id))
    index = next(i for i, cell in enumerate(cells) if cell.cell_type == "code" and call in cell.source)
    assert cells[index].outputs == [], f"chapter {chapter_id}: the live page's cell keeps a stored output"
    assert cells[index + 1].cell_type == "markdown" and f"]({image})" in cells[index + 1].source


def test_run_all_leaves_the_demo_running() -> None:
    """Stopping the demo is a separate step the learner takes: no cell calls stop_demo() unless commented out."""
    for cell in cells_of(syllabus.chapter("03.2")):
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                code = line.split("#", 1)[0]
                assert "stop_demo()" not in code, f"chapter 03.2 stops the demo under Run All: {line!r}"
    assert any(cell.cell_type == "code" and cell.source.strip() == "# stop_demo()"
               for cell in cells_of(syllabus.chapter("03.2")))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_exercise_links_lead_to_exercises_of_the_syllabus(chapter: syllabus.Chapter) -> None:
    copies = {Path(exercise.workspace_copy).name for exercise in syllabus.EXERCISES}
    for cell in cells_of(chapter):
        if cell.cell_type == "markdown":
            for name in re.findall(r"\]\(\.\./workspace/([^)\s]+)\)", cell.source):
                assert name in copies, f"{chapter.notebook} links to workspace/{name}, which is no exercise any more"
