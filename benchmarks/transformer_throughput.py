"""Fine-tuning throughput: swapnlp's trainer against HuggingFace's Trainer, same MiniLM, same data.

Both fine-tune sentence-transformers/all-MiniLM-L6-v2 (the packaged model) as a 2-class classifier on the
same first N reviews of data/movie_review/train.tsv, each cut to its first MAX_LENGTH wordpieces, batch size
16, AdamW lr 5e-5 (and, in two more rows, both with the model's attention dropout set to 0, the setting
configs/bert.jsonnet uses). Runs are interleaved (ours, theirs, ours, theirs, ...) so machine noise hits both alike;
we report medians of tokens/s (real, non-padding wordpieces per second of training) and their ratio.

Then model FLOP utilisation: the training FLOPs per token of the model (6 x parameters in matrix products
+ attention) x tokens/s, against this machine's matrix-multiply peaks, measured first (benchmarks/machine.py).

On a CPU without bf16 units (swapnlp.nn.precision.cpu_bf16_units(): AVX2-only laptops) bf16 is emulated, 70-100x
slower per matrix product: the bf16 rows are skipped with a line saying why, the attention-dropout rows run at
the precision the library chooses there (fp32), and MFU is against the fp32 peak only.

    pip install -e '.[bench]'    # HuggingFace's Trainer needs accelerate
    python benchmarks/transformer_throughput.py [--reviews 160] [--repeats 3] [--max-length 256]
    python benchmarks/transformer_throughput.py --plan-only    # the machine, the rows it would run and skip
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import torch

from swapnlp.nn.precision import cpu_bf16_units

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

ROOT = Path(__file__).resolve().parents[1]
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Row:
    """One row of the table. trainer: "swapnlp" or "hf". autocast: ours' trainer.autocast ("auto" = the
    library's choice for this CPU, "bf16", or None = fp32). bf16: HF's bf16 flag. grouped: HF's
    group_by_length (ours always buckets). attention_dropout: None = the model's own."""

    name: str
    trainer: str
    autocast: Optional[str] = None
    bf16: bool = False
    grouped: bool = False
    attention_dropout: Optional[float] = None

    @property
    def forces_bf16(self) -> bool:
        return self.autocast == "bf16" or self.bf16


def plan_rows(bf16_units: Optional[Tuple[bool, str]] = None) -> Tuple[List[Row], List[str]]:
    """The rows to run on this CPU, and one line per row skipped, saying why.

    bf16_units: (native, reason) as swapnlp.nn.precision.cpu_bf16_units() answers (the default). Where bf16 is
    native every row runs. Where it is emulated the rows that force bf16 (ours "bf16", HF bf16=True) are
    skipped; the attention-dropout-0 pair runs at the library's choice ("auto" = fp32 there) on both sides."""
    native, why = cpu_bf16_units() if bf16_units is None else bf16_units
    chosen = "bf16" if native else "fp32"  # what trainer.autocast "auto" picks here (swapnlp.nn.precision)
    rows = [
        Row("swapnlp (bf16, bucketing)", "swapnlp", autocast="bf16"),
        Row("swapnlp (fp32, bucketing)", "swapnlp", autocast=None),
        Row("HF Trainer (defaults: fp32)", "hf"),
        Row("HF Trainer (bf16, group_by_length)", "hf", bf16=True, grouped=True),
        # the same model change on both sides: no dropout on attention weights lets PyTorch use its fused kernel;
        # ours as configs/bert.jsonnet runs it (autocast "auto"), HF at the same precision
        Row(f"swapnlp (autocast auto = {chosen}, bucketing, attention dropout 0)", "swapnlp", autocast="auto",
            attention_dropout=0.0),
        Row(f"HF Trainer ({chosen}, group_by_length, attention dropout 0)", "hf", bf16=native, grouped=True,
            attention_dropout=0.0),
    ]
    if native:
        return rows, []
    skipped = [f"skipped: {row.name}: {why}, so bf16 would be emulated (70-100x slower per matrix product than fp32); "
               f"a ratio against it would measure the emulation, not the trainer" for row in rows if row.forces_bf16]
    return [row for row in rows if not row.forces_bf16], skipped


def run_row(row: Row, reviews, max_length: int) -> Dict[str, float]:
    if row.trainer == "swapnlp":
        return ours(reviews, max_length, row.autocast, True, row.attention_dropout)
    return huggingface(reviews, max_length, row.bf16, row.grouped, row.attention_dropout)


def read_reviews(count: int) -> List[tuple]:
    lines = (ROOT / "data" / "movie_review" / "train.tsv").read_text(encoding="utf-8").splitlines()[:count]
    return [tuple(line.rsplit("\t", 1)) for line in lines]


def ours(reviews, max_length: int, autocast: str | None, bucket: bool,
         attention_dropout: float | None = None) -> Dict[str, float]:
    from swapnlp.common.params import Params
    from swapnlp.data import ClassificationTsvReader, SimpleDataLoader, Vocabulary
    from swapnlp.data.token_indexers import PretrainedTransformerIndexer
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer
    from swapnlp.models import Model
    from swapnlp.training import GradientDescentTrainer
    from swapnlp.training.optimizers import HuggingfaceAdamWOptimizer

    reader = ClassificationTsvReader(PretrainedTransformerTokenizer(MODEL, max_length=max_length),
                                     {"bert": PretrainedTransformerIndexer(MODEL)})
    instances = [reader.text_to_instance(text, label) for text, label in reviews]
    vocab = Vocabulary.from_instances(instances)
    loader = SimpleDataLoader(instances, batch_size=16, shuffle=True, bucket=bucket, seed=1)
    loader.index_with(vocab)
    torch.manual_seed(1)
    model = Model.from_params(Params({"type": "simple_classifier", "embedder": {"token_embedders": {"bert": {
        "type": "pretrained_transformer", "model_name": MODEL, "attention_dropout": attention_dropout}}},
        "encoder": {"type": "bert_pooler",
        "pretrained_model": MODEL}}), vocab=vocab)
    optimizer = HuggingfaceAdamWOptimizer(list(model.named_parameters()), lr=5e-5)
    trainer = GradientDescentTrainer(model, loader, optimizer=optimizer, num_epochs=1, enable_progress_bar=False,
                                     autocast=autocast)
    tokens = sum(len(instance["text"]) for instance in instances)
    start = time.perf_counter()
    trainer._run_epoch(loader, True, "benchmark")
    return {"tokens_per_s": tokens / (time.perf_counter() - start)}


def huggingface(reviews, max_length: int, bf16: bool, group_by_length: bool,
                attention_dropout: float | None = None) -> Dict[str, float]:
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)
    from transformers.utils import logging

    from swapnlp.pretrained import resolve_model_path

    logging.set_verbosity_error()
    path = resolve_model_path(MODEL)
    tokenizer = AutoTokenizer.from_pretrained(path)
    labels = {"neg": 0, "pos": 1}
    examples = [dict(tokenizer(text, truncation=True, max_length=max_length), labels=labels[label])
                for text, label in reviews]
    torch.manual_seed(1)
    overrides = {} if attention_dropout is None else {"attention_probs_dropout_prob": attention_dropout}
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2, **overrides)
    with tempfile.TemporaryDirectory() as output:
        arguments = TrainingArguments(output_dir=output, per_device_train_batch_size=16, num_train_epochs=1,
                                      learning_rate=5e-5, weight_decay=0.01, use_cpu=True, bf16=bf16,
                                      train_sampling_strategy="group_by_length" if group_by_length else "random",
                                      report_to=[], save_strategy="no",
                                      logging_strategy="no", disable_tqdm=True, dataloader_num_workers=0, seed=1)
        trainer = Trainer(model=model, args=arguments, train_dataset=examples,
                          data_collator=DataCollatorWithPadding(tokenizer))
        tokens = sum(len(example["input_ids"]) for example in examples)
        start = time.perf_counter()
        trainer.train()
        return {"tokens_per_s": tokens / (time.perf_counter() - start)}


def training_flops_per_token(max_length: int) -> float:
    """6 x (parameters in matrix products) + attention scores and mixing (3 x 4 x layers x length x hidden)."""
    from swapnlp.pretrained.loading import get_config

    config = get_config(MODEL)
    hidden, layers, inner = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    matmul_parameters = layers * (4 * hidden * hidden + 2 * hidden * inner) + hidden * hidden  # + pooler
    return 6 * matmul_parameters + 3 * 4 * layers * max_length * hidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=160)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--plan-only", action="store_true", help="print the machine and the rows, train nothing")
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    machine = describe_machine()
    print(machine["summary"], flush=True)
    rows, skipped = plan_rows((machine["bf16_native"], machine["bf16_reason"]))
    for line in skipped:
        print(line)
    if args.plan_only:
        for row in rows:
            print(f"would run: {row}")
        return
    reviews = read_reviews(args.reviews)
    results: Dict[str, List[float]] = {row.name: [] for row in rows}
    for repeat in range(args.repeats):
        for row in rows:
            results[row.name].append(run_row(row, reviews, args.max_length)["tokens_per_s"])
            print(f"repeat {repeat + 1}: {row.name}: {results[row.name][-1]:.0f} tokens/s", flush=True)
    medians = {name: statistics.median(values) for name, values in results.items()}
    # MFU against bf16 only where bf16 is native: an emulated bf16 "peak" is no ceiling for anything
    peaks = {"fp32": machine["fp32_gflops"], **({"bf16": machine["bf16_gflops"]} if machine["bf16_native"] else {})}
    flops = training_flops_per_token(args.max_length)
    baseline = medians["HF Trainer (defaults: fp32)"]
    print(f"\n{args.reviews} reviews x <= {args.max_length} wordpieces, batch 16, {torch.get_num_threads()} threads, "
          f"medians of {args.repeats} interleaved repeats")
    print("matmul peak: " + ", ".join(f"{name} {value:.0f} GFLOP/s" for name, value in peaks.items())
          + ("" if machine["bf16_native"] else f" (bf16 emulated: {machine['bf16_gflops']:.1f} GFLOP/s, not a peak)")
          + f"; training FLOPs per token {flops / 1e6:.0f} M\n")
    print("| trainer | tokens/s | vs HF Trainer (defaults) | "
          + " | ".join(f"MFU vs {name} peak" for name in peaks) + " |")
    print("|---|---|---|" + "---|" * len(peaks))
    for name, value in medians.items():
        achieved = value * flops / 1e9
        print(f"| {name} | {value:.0f} | {value / baseline:.2f}x | "
              + " | ".join(f"{achieved / peak:.0%}" for peak in peaks.values()) + " |")
    for line in skipped:
        print(line)


if __name__ == "__main__":
    main()
