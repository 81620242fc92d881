"""Fine-tuning throughput: swapnlp's trainer against HuggingFace's Trainer, same MiniLM, same data.

Both fine-tune sentence-transformers/all-MiniLM-L6-v2 (the packaged model) as a 2-class classifier on the
same first N reviews of data/movie_review/train.tsv, each cut to its first MAX_LENGTH wordpieces, batch size
16, AdamW lr 5e-5 (and, in two more rows, both with the model's attention dropout set to 0, the setting
configs/bert.jsonnet uses). Runs are interleaved (ours, theirs, ours, theirs, ...) so machine noise hits both alike;
we report medians of tokens/s (real, non-padding wordpieces per second of training) and their ratio.

Then model FLOP utilisation: the training FLOPs per token of the model (6 x parameters in matrix products
+ attention) x tokens/s, against this machine's measured matrix-multiply peak (fp32 and bf16).

    pip install -e '.[bench]'    # HuggingFace's Trainer needs accelerate
    python benchmarks/transformer_throughput.py [--reviews 160] [--repeats 3] [--max-length 256]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import torch

ROOT = Path(__file__).resolve().parents[1]
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


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


def matmul_peak(dtype: torch.dtype, size: int = 2048, repeats: int = 10) -> float:
    """GFLOP/s of a square matrix product on this machine (best of `repeats`)."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def training_flops_per_token(max_length: int) -> float:
    """6 x (parameters in matrix products) + attention scores and mixing (3 x 4 x layers x length x hidden)."""
    from swapnlp.common.cached_transformers import get_config

    config = get_config(MODEL)
    hidden, layers, inner = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    matmul_parameters = layers * (4 * hidden * hidden + 2 * hidden * inner) + hidden * hidden  # + pooler
    return 6 * matmul_parameters + 3 * 4 * layers * max_length * hidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=160)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    reviews = read_reviews(args.reviews)
    runs = {
        "swapnlp (bf16, bucketing)": lambda: ours(reviews, args.max_length, "bf16", True),
        "swapnlp (fp32, bucketing)": lambda: ours(reviews, args.max_length, None, True),
        "HF Trainer (defaults: fp32)": lambda: huggingface(reviews, args.max_length, False, False),
        "HF Trainer (bf16, group_by_length)": lambda: huggingface(reviews, args.max_length, True, True),
        # the same model change on both sides: no dropout on attention weights lets PyTorch use its fused kernel
        "swapnlp (bf16, bucketing, attention dropout 0)": lambda: ours(reviews, args.max_length, "bf16", True, 0.0),
        "HF Trainer (bf16, group_by_length, attention dropout 0)": lambda: huggingface(
            reviews, args.max_length, True, True, 0.0),
    }
    results: Dict[str, List[float]] = {name: [] for name in runs}
    for repeat in range(args.repeats):
        for name, run in runs.items():
            results[name].append(run()["tokens_per_s"])
            print(f"repeat {repeat + 1}: {name}: {results[name][-1]:.0f} tokens/s", flush=True)
    medians = {name: statistics.median(values) for name, values in results.items()}
    peaks = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    flops = training_flops_per_token(args.max_length)
    baseline = medians["HF Trainer (defaults: fp32)"]
    print(f"\n{args.reviews} reviews x <= {args.max_length} wordpieces, batch 16, {torch.get_num_threads()} threads, "
          f"medians of {args.repeats} interleaved repeats")
    print(f"matmul peak: fp32 {peaks['fp32']:.0f} GFLOP/s, bf16 {peaks['bf16']:.0f} GFLOP/s; "
          f"training FLOPs per token {flops / 1e6:.0f} M\n")
    print("| trainer | tokens/s | vs HF Trainer (defaults) | MFU vs fp32 peak | MFU vs bf16 peak |")
    print("|---|---|---|---|---|")
    for name, value in medians.items():
        achieved = value * flops / 1e9
        print(f"| {name} | {value:.0f} | {value / baseline:.2f}x | {achieved / peaks['fp32']:.0%} | "
              f"{achieved / peaks['bf16']:.0%} |")


if __name__ == "__main__":
    main()
