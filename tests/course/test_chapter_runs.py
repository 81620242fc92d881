"""course/chapters.py: chapters re-executed with stored outputs free of timings, paths and dead widgets."""

from __future__ import annotations

from pathlib import Path

import nbformat

from course.chapters import NO_OUTPUT_TAG, clean_outputs, run_chapter, sanitize_rules

ROOT = Path(__file__).resolve().parents[2]


def stream(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_stored_outputs_lose_timings_paths_and_timestamps_but_keep_the_rest() -> None:
    cell = nbformat.v4.new_code_cell("train()")
    cell.metadata["execution"] = {"iopub.execute_input": "2026-11-25T19:41:36Z"}
    cell.outputs = [stream("epoch 1/6  accuracy 0.7600  [8.7s]  (best so far)\nsaved to /tmp/xyz/run\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "took 62 s"}, execution_count=1)]
    notebook = clean_outputs(nbformat.v4.new_notebook(cells=[cell]), sanitize_rules(ROOT))
    out = notebook.cells[0]
    assert out.outputs[0]["text"] == "epoch 1/6  accuracy 0.7600  [TIME]  (best so far)\nsaved to TMPDIR\n"
    assert out.outputs[1]["data"]["text/plain"] == "took DURATION"
    assert "execution" not in out.metadata


def test_a_live_page_keeps_no_stored_output() -> None:
    cell = nbformat.v4.new_code_cell("serve_demo(archive)", execution_count=3)
    cell.metadata["tags"] = [NO_OUTPUT_TAG]
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<iframe src='http://127.0.0.1:1/'>"})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"id": {}}}}
    cleaned = clean_outputs(notebook, sanitize_rules(ROOT))
    assert cleaned.cells[0].outputs == [] and cleaned.cells[0].execution_count is None
    assert "widgets" not in cleaned.metadata  # no stored output shows a widget any more


def test_widget_state_stays_while_a_stored_output_shows_the_widget() -> None:
    cell = nbformat.v4.new_code_cell("wizard")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "id", "version_major": 2, "version_minor": 0}})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"id": {}}}}
    assert "widgets" in clean_outputs(notebook, sanitize_rules(ROOT)).metadata


def test_cleaning_twice_changes_nothing() -> None:
    rules = sanitize_rules(ROOT)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [stream("[0.4s] 3 ms /tmp/a at 0x7f00aa\n")]
    once = clean_outputs(nbformat.v4.new_notebook(cells=[cell]), rules).cells[0].outputs[0]["text"]
    twice = clean_outputs(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[stream(once)])]),
                          rules).cells[0].outputs[0]["text"]
    assert once == twice == "[TIME] DURATION TMPDIR at 0xADDRESS\n"


def test_run_chapter_executes_in_the_notebooks_folder(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, time\nprint(os.path.basename(os.getcwd()), f'[{time.perf_counter() % 9 + 0.1:.1f}s]')")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "chapters" / "99-test.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, str(path))
    run_chapter(path, ROOT, timeout=120)
    stored = nbformat.read(str(path), as_version=4).cells[0]
    assert stored.outputs[0]["text"] == "chapters [TIME]\n"
    assert "execution" not in stored.metadata
