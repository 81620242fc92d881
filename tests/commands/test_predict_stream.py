"""`swapnlp predict` streams: results are written as they are computed, a bad line is reported by number with
the results before it kept, and --skip-bad-lines goes on and lists what it skipped. `evaluate` reads the whole
file and says how many instances it scored."""

from __future__ import annotations

import copy
import json
import sys

import pytest

from swapnlp.commands.main import main
from swapnlp.common.errors import InputError
from swapnlp.predictors.stream import BadLine, parse_lines, predict_stream

HUGE_INTEGER = "9" * 5000


def write_lines(path, lines):
    path.write_bytes(b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines))
    return path


def good_lines(count):
    return [json.dumps({"sentence": f"a good film {i}" if i % 2 else f"an awful plot {i}"}) for i in range(count)]


def test_a_bad_line_stops_with_its_number_and_the_results_before_it_are_kept(trained_run, tmp_path, capsys):
    lines = good_lines(100)
    lines[70] = '{"sentence": "unterminated'
    inputs = write_lines(tmp_path / "in.jsonl", lines)
    output = tmp_path / "out.jsonl"
    assert main(["predict", str(trained_run.archive), str(inputs), "--output-file", str(output),
                 "--batch-size", "8"]) == 2
    err = capsys.readouterr().err
    assert f"error: {inputs}:71: not valid JSON" in err and "Traceback" not in err
    assert f"The 70 result(s) before it are in {output}" in err and "--skip-bad-lines" in err
    results = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(results) == 70 and all(set(r) == {"label", "probs"} for r in results)


def test_skip_bad_lines_goes_on_and_lists_each_skipped_line(trained_run, tmp_path, capsys):
    lines = good_lines(100)
    bad = {71: '{"sentence": "unterminated', 81: '{"sentence": ' + HUGE_INTEGER + '}',
           86: '{"text": "the wrong field"}', 90: b'{"sentence": "caf\xe9"}', 95: "[1, 2]", 97: '{"sentence": " "}'}
    for number, line in bad.items():
        lines[number - 1] = line
    inputs = write_lines(tmp_path / "in.jsonl", lines)
    output = tmp_path / "out.jsonl"
    assert main(["predict", str(trained_run.archive), str(inputs), "--output-file", str(output),
                 "--skip-bad-lines"]) == 0
    err = capsys.readouterr().err
    assert "skipped 6 bad line(s)" in err and "Traceback" not in err
    assert len(output.read_text().splitlines()) == 94
    report = [json.loads(line) for line in (tmp_path / "out.jsonl.skipped.jsonl").read_text().splitlines()]
    assert [entry["line"] for entry in report] == sorted(bad)
    reasons = {entry["line"]: entry["reason"] for entry in report}
    assert "not valid JSON" in reasons[71]
    assert "too long" in reasons[81]
    assert 'missing field "sentence"' in reasons[86]
    assert "not UTF-8" in reasons[90] and "0xe9" in reasons[90]
    assert "JSON object" in reasons[95]
    assert "empty" in reasons[97]


def test_a_clean_rerun_removes_the_old_skipped_report(trained_run, tmp_path):
    output = tmp_path / "out.jsonl"
    report = tmp_path / "out.jsonl.skipped.jsonl"
    report.write_text('{"line": 3, "reason": "from an earlier run"}\n')
    inputs = write_lines(tmp_path / "in.jsonl", good_lines(3))
    assert main(["predict", str(trained_run.archive), str(inputs), "--output-file", str(output)]) == 0
    assert not report.exists() and len(output.read_text().splitlines()) == 3


def test_skipped_lines_go_to_stderr_without_an_output_file(trained_run, tmp_path, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", [json.dumps({"sentence": "good"}), "not json",
                                                 json.dumps({"sentence": "bad"})])
    assert main(["predict", str(trained_run.archive), str(inputs), "--skip-bad-lines"]) == 0
    captured = capsys.readouterr()
    assert len([line for line in captured.out.splitlines() if line.startswith("{")]) == 2
    assert f"skipped {inputs}:2: not valid JSON" in captured.err


@pytest.mark.parametrize("argv_tail, words", [
    (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
])
def test_bad_options_are_one_line(trained_run, tmp_path, capsys, argv_tail, words):
    inputs = write_lines(tmp_path / "in.jsonl", good_lines(2))
    assert main(["predict", str(trained_run.archive), str(inputs), *argv_tail]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_missing_input_file_is_one_line(trained_run, tmp_path, capsys):
    assert main(["predict", str(trained_run.archive), str(tmp_path / "none.jsonl")]) == 2
    assert f"error: input file not found: {tmp_path / 'none.jsonl'}" in capsys.readouterr().err


class FakePredictor:
    """Labels each sentence by its length; fails on the sentence "boom"."""

    def __init__(self):
        self.calls = []

    def validate(self, item):
        if not isinstance(item, dict) or not isinstance(item.get("sentence"), str):
            raise InputError('missing field "sentence"', "sentence")
        return item

    def predict_batch_json(self, items):
        self.calls.append(len(items))
        if any(item["sentence"] == "boom" for item in items):
            raise RuntimeError("the model blew up")
        return [{"length": len(item["sentence"])} for item in items]


def test_results_are_written_batch_by_batch_before_later_lines_are_read():
    written, seen_when_reading = [], {}

    def lines():
        for number in range(1, 11):
            seen_when_reading[number] = len(written)
            yield json.dumps({"sentence": "x" * number})

    count = predict_stream(FakePredictor(), lines(), written.extend, on_bad_line=pytest.fail, batch_size=3)
    assert count == 10 and [r["length"] for r in written] == list(range(1, 11))
    assert seen_when_reading[4] == 3 and seen_when_reading[10] == 9  # each batch was out before the next line


def test_a_model_failure_costs_only_its_own_line():
    written, bad = [], []
    lines = [json.dumps({"sentence": s}) for s in ["a", "bb", "boom", "dddd", "eeeee"]]
    count = predict_stream(FakePredictor(), lines, written.extend, bad.append, batch_size=8)
    assert count == 4 and [r["length"] for r in written] == [1, 2, 4, 5]
    assert bad == [BadLine(3, "the model failed on this input: RuntimeError: the model blew up")]


def test_a_bad_line_is_reported_after_the_results_before_it_are_written():
    written, order = [], []

    def on_bad_line(line):
        order.append(("bad", line.number, len(written)))
        raise InputError("stop")

    lines = [json.dumps({"sentence": "a"}), json.dumps({"sentence": "b"}), "{oops", json.dumps({"sentence": "c"})]
    with pytest.raises(InputError):
        predict_stream(FakePredictor(), lines, written.extend, on_bad_line, batch_size=8)
    assert order == [("bad", 3, 2)]


def test_parse_lines_drops_a_bom_and_blank_lines_and_names_bad_bytes():
    parsed = list(parse_lines([b'\xef\xbb\xbf{"sentence": "a"}\n', b"\n", b"  \r\n", b'{"x": "\xff"}\n', b"[1]\r\n"]))
    assert parsed[0] == (1, {"sentence": "a"}, None)
    assert parsed[1][0] == 4 and "not UTF-8" in parsed[1][2] and "0xff" in parsed[1][2]
    assert parsed[2] == (5, [1], None)


def test_parse_lines_survives_deep_nesting_and_huge_numbers():
    parsed = list(parse_lines(["[" * 100_000 + "]" * 100_000, '{"n": ' + HUGE_INTEGER + "}"]))
    assert [number for number, _, _ in parsed] == [1, 2]
    assert all(value is None and reason for _, value, reason in parsed)


@pytest.fixture(scope="module")
def capped_run(tmp_path_factory):
    """A tiny model whose archived config caps its reader at 10 instances (dataset_reader.max_instances)."""
    import importlib.util
    from pathlib import Path

    from swapnlp.common.params import Params
    # the tests' root conftest by path: under xdist another folder's conftest may hold the name "conftest"
    spec = importlib.util.spec_from_file_location("tests_root_conftest", Path(__file__).parents[1] / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = root_conftest  # (its dataclasses look their module up there)
    spec.loader.exec_module(root_conftest)
    make_tiny_config, write_tiny_dataset = root_conftest.make_tiny_config, root_conftest.write_tiny_dataset
    from swapnlp.run.train import train_model

    root = tmp_path_factory.mktemp("capped_run")
    dataset = write_tiny_dataset(root / "tiny")
    config = make_tiny_config(dataset)
    config["dataset_reader"]["max_instances"] = 10
    config["trainer"]["num_epochs"] = 1
    config["evaluate_on_test"] = False
    train_model(Params(copy.deepcopy(config)), root / "run")
    return root / "run" / "model.tar.gz", dataset


def test_evaluate_scores_the_whole_file_whatever_the_archive_caps(capped_run, capsys):
    archive, dataset = capped_run
    assert main(["evaluate", str(archive), str(dataset.test)]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays the metrics alone
    assert f"scored 16 instances of {dataset.test}" in captured.err
    assert "max_instances 10 is not applied" in captured.err


def test_evaluate_max_instances_and_overrides_still_cap(capped_run, capsys):
    archive, dataset = capped_run
    assert main(["evaluate", str(archive), str(dataset.test), "--max-instances", "5"]) == 0
    assert "scored 5 instances" in capsys.readouterr().err
    assert main(["evaluate", str(archive), str(dataset.test), "-o", '{"dataset_reader.max_instances": 7}']) == 0
    assert "scored 7 instances" in capsys.readouterr().err
    assert main(["evaluate", str(archive), str(dataset.test), "--max-instances", "0"]) == 2
    assert "--max-instances must be at least 1, got 0" in capsys.readouterr().err


def test_the_output_cannot_be_the_input(trained_run, tmp_path, capsys):
    inputs = write_lines(tmp_path / "in.jsonl", good_lines(3))
    same = tmp_path / "." / "in.jsonl"
    assert main(["predict", str(trained_run.archive), str(inputs), "--output-file", str(same)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert inputs.read_text().count("\n") == 3  # untouched
