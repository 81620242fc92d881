"""benchmarks/learning_curve.py: the subsets both configs train on, the epochs rule, resuming, and the paired
comparison its table and plot report."""

from __future__ import annotations

import json
from collections import Counter

import pytest


def labelled(pos: int, neg: int):
    return [(f"text {i}", "pos") for i in range(pos)] + [(f"text {pos + i}", "neg") for i in range(neg)]


def test_every_prefix_of_the_order_keeps_the_label_shares(load_benchmark):
    curve = load_benchmark("learning_curve")
    rows = labelled(30, 10)
    order = curve.stratified_order(rows, seed=1)
    assert sorted(order) == list(range(40))
    for size in (4, 8, 20, 40):
        counts = Counter(rows[i][1] for i in order[:size])
        assert counts["pos"] == 3 * size // 4, (size, counts)


def test_the_order_depends_on_the_seed_only(load_benchmark):
    curve = load_benchmark("learning_curve")
    rows = labelled(20, 20)
    assert curve.stratified_order(rows, 1) == curve.stratified_order(rows, 1)
    assert curve.stratified_order(rows, 1) != curve.stratified_order(rows, 2)


def test_subsets_are_nested_and_the_full_size_is_the_training_file(load_benchmark, tmp_path, monkeypatch):
    curve = load_benchmark("learning_curve")
    data = tmp_path / "data" / "toy"
    data.mkdir(parents=True)
    (data / "train.tsv").write_text("".join(f"{t}\t{label}\n" for t, label in labelled(12, 12)), encoding="utf-8")
    monkeypatch.setattr(curve, "REPO", tmp_path)
    small = curve.read_tsv(curve.write_subset("toy", 6, 3, tmp_path / "subsets"))
    large = curve.read_tsv(curve.write_subset("toy", 12, 3, tmp_path / "subsets"))
    assert large[:6] == small and len(set(large)) == 12
    assert Counter(label for _, label in small) == {"pos": 3, "neg": 3}
    assert curve.write_subset("toy", 24, 3, tmp_path / "subsets") == data / "train.tsv"


@pytest.mark.parametrize("size, epochs", [(50, 25), (200, 8), (500, 4), (1100, 3), (10202, 3)])
def test_small_subsets_get_epochs_enough_for_the_minimum_of_steps(load_benchmark, size, epochs):
    curve = load_benchmark("learning_curve")
    assert curve.epochs_for(3, size, min_steps=100) == epochs


def row(config: str, size: int, seed: int, correct: str, data: str = "movie_review"):
    return {"config": config, "data": data, "train_size": size, "seed": seed, "test_correct": correct,
            "test_accuracy": correct.count("1") / len(correct)}


def test_the_summary_pairs_the_configs_on_the_same_test_examples(load_benchmark):
    curve = load_benchmark("learning_curve")
    boe, bert = curve.CONFIGS
    rows = [row(boe, 50, 1, "1100" * 10), row(bert, 50, 1, "1110" * 10),   # bert right on 10 more of 40
            row(boe, 50, 2, "1100" * 10), row(bert, 50, 2, "1111" * 10),   # and on 20 more
            row(boe, 200, 1, "1111" * 10)]                                 # no transformer run yet
    table = {entry["train_size"]: entry for entry in curve.summarize(rows)}
    assert table[50]["bag_of_embeddings"] == {"median": 0.5, "seeds": 2}
    assert table[50]["bert_cpu"]["median"] == pytest.approx(0.875)
    difference = table[50]["difference"]
    assert difference["mean"] == pytest.approx(0.375) and difference["seeds"] == 2
    low, high = difference["interval"]
    assert 0 < low < 0.375 < high <= 1
    assert difference["per_seed"] == pytest.approx([0.25, 0.5])  # seed 1: 10 of 40; seed 2: 20 of 40
    assert "difference" not in table[200]
    summary = curve.format_summary(curve.summarize(rows))
    assert "+0.375" in summary and "+0.250 / +0.500" in summary


def test_the_interval_narrows_with_more_test_examples(load_benchmark):
    curve = load_benchmark("learning_curve")
    few = curve.bootstrap_interval([[1, 0] * 20])
    many = curve.bootstrap_interval([[1, 0] * 2000])
    assert few[0] < many[0] < 0.5 < many[1] < few[1]


def test_finished_runs_are_skipped_when_the_benchmark_resumes(load_benchmark, tmp_path, monkeypatch):
    curve = load_benchmark("learning_curve")
    out = tmp_path / "results.jsonl"
    boe, bert = curve.CONFIGS
    out.write_text(json.dumps(row(boe, 50, 1, "10")) + "\n")
    trained = []

    def fake_run(config, data, size, seed, min_steps, cuda_device, runs):
        trained.append((config, size, seed, cuda_device))
        return row(config, size, seed, "11", data)

    monkeypatch.setattr(curve, "run_one", fake_run)
    monkeypatch.setattr("machine.describe_machine", lambda: {"summary": "test machine"})
    monkeypatch.setattr("sys.argv", ["learning_curve.py", "--data", "movie_review", "--sizes", "50", "--seeds", "1",
                                     "--out", str(out), "--cuda-device", "0"])
    curve.main()
    assert trained == [(bert, 50, 1, 0)]
    rows = curve.load_rows(out)
    assert [(r["config"], r.get("cpu")) for r in rows] == [(boe, None), (bert, "test machine")]


def test_the_plot_draws_one_panel_per_data_set_with_a_band_per_config(load_benchmark):
    curve = load_benchmark("learning_curve")
    boe, bert = curve.CONFIGS
    rows = [row(config, size, seed, "1101" * 50, data) for config in (boe, bert) for size in (50, 200)
            for seed in (1, 2) for data in ("movie_review", "movie_sentences")]
    figure = curve.plot(rows)
    assert len(figure.axes) == 2
    assert [len(axis.collections) for axis in figure.axes] == [4, 4]  # per config: the runs' dots and the band
    assert [line.get_label() for line in figure.axes[0].get_lines()[:2]] == ["bag_of_embeddings", "bert_cpu"]
