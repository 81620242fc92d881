"""A dry run: everything `swapnlp train` builds, and two real training steps, in seconds; no training.

    report = dry_run_from_file("configs/bag_of_embeddings.jsonnet")
    print(format_report(report))

It reads the data, builds the vocabulary, the model and the trainer exactly as `train` does (the same
TrainingConfig, run/config.py), prints dataset statistics, then runs `num_batches` batches of forward,
backward and optimizer step through the trainer's own step API, and one validation batch: a wrong shape, device, metric name or data path
fails here, in seconds, instead of after the first epoch. Nothing is written to disk.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Union

import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.data import DataLoader
from swapnlp.data.statistics import count_tokens, oov_rates, split_statistics, vocabulary_sizes
from swapnlp.nn.util import batch_size_of
from swapnlp.run.config import TrainingConfig, seed_everything
from swapnlp.training.evaluation import evaluation_pass
from swapnlp.training.trainer import GradientDescentTrainer


def dry_run_from_file(config_file: Union[str, Path], overrides: Union[str, Mapping[str, Any], None] = None,
                      num_batches: int = 2) -> Dict[str, Any]:
    """Evaluate the Jsonnet config (+ overrides) and dry-run it; returns the report (a JSON-ready dict)."""
    return dry_run(Params.from_file(config_file, overrides), num_batches)


def dry_run(params: Params, num_batches: int = 2) -> Dict[str, Any]:
    """Build everything from `params` and run `num_batches` training steps. Raises ConfigurationError
    (with the config key at fault) for what `train` would fail on. The report holds: datasets (per split),
    vocabulary (size per namespace), validation_oov, model (class and parameter counts), device, batches
    (tensor shapes, loss, gradient norm per step), validation (loss and metrics of one batch), warnings."""
    config = TrainingConfig.from_params(params)  # "distributed" is checked, then ignored: one process here
    seed_everything(config.random_seed)
    data = config.build_data()
    datasets = {"train": split_statistics(list(data.train_loader.iter_instances()))}
    if data.validation_loader is not None:
        datasets["validation"] = split_statistics(list(data.validation_loader.iter_instances()))
    if data.test_path:  # read now: a wrong test path would otherwise fail after the whole training
        datasets["test"] = split_statistics(data.validation_reader.read(data.test_path))
    vocab = config.build_vocabulary(data)
    report: Dict[str, Any] = {"datasets": datasets, "vocabulary": vocabulary_sizes(vocab)}
    if data.validation_loader is not None:
        report["validation_oov"] = oov_rates(data.validation_loader.iter_instances(), vocab,
                                             count_tokens(data.train_loader.iter_instances()))

    model = config.build_model(vocab, data)
    trainer = config.trainer.construct(model=model, serialization_dir=None, data_loader=data.train_loader,
                                       validation_data_loader=data.validation_loader)
    report["model"] = describe_model(model)
    report["device"] = str(trainer.device)
    report["batches"] = training_steps(trainer, num_batches)
    if data.validation_loader is not None:
        report["validation"] = validation_step(trainer, data.validation_loader)
    report["warnings"] = warnings_for(report, model)
    return report


def describe_model(model: torch.nn.Module) -> Dict[str, Any]:
    """The model's class and parameter counts: total, trainable, and per top-level module."""
    by_module: Dict[str, int] = {}
    for name, parameter in model.named_parameters():
        top = name.split(".")[0]
        by_module[top] = by_module.get(top, 0) + parameter.numel()
    return {"class": type(model).__name__,
            "parameters": sum(p.numel() for p in model.parameters()),
            "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "parameters_by_module": by_module}


def tensor_shapes(value: Any, prefix: str = "") -> Dict[str, List[int]]:
    """Nested dicts of tensors -> {"text.tokens.tokens": [16, 812], "label": [16]}."""
    if isinstance(value, torch.Tensor):
        return {prefix: list(value.shape)}
    shapes: Dict[str, List[int]] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            shapes.update(tensor_shapes(item, f"{prefix}.{key}" if prefix else str(key)))
    return shapes


def training_steps(trainer: GradientDescentTrainer, num_batches: int) -> List[Dict[str, Any]]:
    """Forward, backward and optimizer step on the first `num_batches` batches, through the trainer's own
    step API (the calls its epochs make)."""
    model, steps = trainer.model, []
    model.train()
    trainer.data_loader.set_epoch(0)
    for number, batch in enumerate(trainer.data_loader, start=1):
        if number > num_batches:
            break
        start = time.perf_counter()
        output = trainer.forward(batch)
        loss = output["loss"]
        before = [p.detach().clone() for p in model.parameters() if p.requires_grad]
        trainer.backward(loss, f"at batch {number} of the dry run")
        no_gradient = [name for name, p in model.named_parameters() if p.requires_grad and p.grad is None]
        grad_norm = math.sqrt(sum(float(p.grad.detach().float().pow(2).sum()) for p in model.parameters()
                                  if p.grad is not None))
        trainer.optimizer_step()
        changed = any(not torch.equal(old, new) for old, new in
                      zip(before, (p.detach() for p in model.parameters() if p.requires_grad)))
        steps.append({"batch_size": batch_size_of(batch), "inputs": tensor_shapes(batch),
                      "outputs": tensor_shapes({k: v for k, v in output.items() if isinstance(v, torch.Tensor)}),
                      "loss": round(loss.item(), 6), "grad_norm": round(grad_norm, 6),
                      "parameters_updated": changed, "parameters_without_gradient": no_gradient,
                      "seconds": round(time.perf_counter() - start, 4)})
    model.get_metrics(reset=True)
    if not steps:
        raise ConfigurationError("the training data loader gave no batch: is train_data_path empty, or "
                                 "data_loader.drop_last on with fewer instances than batch_size?")
    return steps


def validation_step(trainer: GradientDescentTrainer, loader: DataLoader) -> Dict[str, Any]:
    """One validation batch, through the evaluation loop training uses; checks that trainer.validation_metric is
    among the metrics the model reports."""
    batch = next(iter(loader))
    metrics = evaluation_pass(trainer.model, [batch], trainer.device, trainer.precision, enable_progress_bar=False)
    metrics = {"loss": None, **{k: round(v, 6) for k, v in metrics.items()}}
    trainer.score({f"validation_{k}": v for k, v in metrics.items() if v is not None})  # a clear error if unknown
    return {"batch_size": batch_size_of(batch), "metrics": metrics,
            "validation_metric": ("+" if trainer.metric_sign > 0 else "-") + trainer.metric_name}


def warnings_for(report: Dict[str, Any], model: torch.nn.Module) -> List[str]:
    """Things that run but look wrong: unbalanced labels, many unknown words, frozen or ungraded parameters."""
    warnings = []
    for split, stats in report["datasets"].items():
        for field, labels in stats["labels"].items():
            largest = max((item["fraction"] for item in labels.values()), default=0)
            if len(labels) > 1 and largest > 0.8:
                warnings.append(f"{split}: {largest:.0%} of the {field}s are one label; accuracy alone will flatter "
                                f"the model")
    for namespace, rates in report.get("validation_oov", {}).items():
        if rates["oov_rate"] > 0.2:
            warnings.append(f'validation: {rates["oov_rate"]:.0%} of the "{namespace}" tokens are unknown to the '
                            f"vocabulary; lower vocabulary.min_count or check the tokenizer")
    missing = sorted({name for step in report["batches"] for name in step["parameters_without_gradient"]})
    if missing:
        warnings.append(f"these parameters got no gradient (unused in forward?): {', '.join(missing[:5])}")
    if not any(step["parameters_updated"] for step in report["batches"]):
        warnings.append("the optimizer step changed no parameter: is the learning rate 0, or is everything frozen?")
    return warnings


def format_report(report: Dict[str, Any]) -> str:
    """The report as the lines `swapnlp dry-run` prints."""
    lines = ["datasets:"]
    for split, stats in report["datasets"].items():
        lines.append(f"  {split}: {stats['instances']} instances")
        for field, labels in stats["labels"].items():
            shown = ", ".join(f"{label} {item['count']} ({item['fraction']:.1%})" for label, item in labels.items())
            lines.append(f"    {field}: {shown}")
        for field, lengths in stats["lengths"].items():
            shown = "  ".join(f"{key} {value:g}" for key, value in lengths.items())
            lines.append(f"    {field} tokens: {shown}")
    lines.append("vocabulary: " + ", ".join(f"{ns} {size}" for ns, size in report["vocabulary"].items()))
    for namespace, rates in report.get("validation_oov", {}).items():
        line = f"validation OOV ({namespace}): {rates['oov_rate']:.2%} of {rates['tokens']} tokens unknown"
        if "unseen_in_training_rate" in rates:
            line += f", {rates['unseen_in_training_rate']:.2%} never seen in training"
        lines.append(line)
    model = report["model"]
    modules = ", ".join(f"{name} {count:,}" for name, count in model["parameters_by_module"].items())
    lines.append(f"model: {model['class']}, {model['parameters']:,} parameters "
                 f"({model['trainable_parameters']:,} trainable; {modules})")
    lines.append(f"device: {report['device']}")
    for number, step in enumerate(report["batches"], start=1):
        inputs = ", ".join(f"{name} {tuple(shape)}" for name, shape in step["inputs"].items())
        outputs = ", ".join(f"{name} {tuple(shape)}" for name, shape in step["outputs"].items())
        lines.append(f"batch {number}: inputs {inputs} -> outputs {outputs}")
        lines.append(f"  loss {step['loss']:.4f}  grad norm {step['grad_norm']:.4f}  "
                     f"parameters updated: {'yes' if step['parameters_updated'] else 'NO'}")
    if "validation" in report:
        validation = report["validation"]
        shown = "  ".join(f"{k} {v:.4f}" for k, v in validation["metrics"].items() if v is not None)
        lines.append(f"validation batch: {shown}  (validation_metric {validation['validation_metric']} found)")
    lines.extend(f"warning: {warning}" for warning in report["warnings"])
    lines.append("dry run passed: the config builds and trains. Nothing was written.")
    return "\n".join(lines)
