"""Optimizers by name, each built from the model's named parameters.

Every optimizer accepts `parameter_groups`: a list of [regexes, options] pairs; a parameter whose name
matches a regex of a group gets that group's options (e.g. no weight decay for biases):
    "parameter_groups": [[["bias", "LayerNorm\\\\.weight"], {"weight_decay": 0.0}]]
Parameters with requires_grad=False (frozen) are left out.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import torch

from swapnlp.common.checks import check_each, check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import Registrable
from swapnlp.common.from_params import Supplied

NamedParameters = List[Tuple[str, torch.nn.Parameter]]
ParameterGroups = List[Tuple[List[str], Dict[str, Any]]]


class Optimizer(Registrable):
    """The base of the registry; every registered optimizer is also a `torch.optim.Optimizer`."""

    default_implementation = "adam"


def check_settings(prefix: str = "", lr: Optional[float] = None, betas: Optional[Tuple[float, float]] = None,
                   eps: Optional[float] = None, weight_decay: Optional[float] = None,
                   momentum: Optional[float] = None) -> None:
    """The ranges torch would refuse with a traceback (or silently misuse), checked with the setting's name."""
    check_range(f"{prefix}lr", lr, above=0, hint="Typical: 1e-3 for Adam, 1e-5 to 5e-5 for fine-tuning a transformer.")
    check_each(f"{prefix}betas", betas, at_least=0, below=1)
    check_range(f"{prefix}eps", eps, above=0)
    check_range(f"{prefix}weight_decay", weight_decay, at_least=0)
    check_range(f"{prefix}momentum", momentum, at_least=0)


def _check_group_options(groups: ParameterGroups) -> None:
    """A parameter group's own options ({"lr": ..., "weight_decay": ...}) obey the same ranges."""
    for index, (_, options) in enumerate(groups):
        known = {key: options[key] for key in ("lr", "betas", "eps", "weight_decay", "momentum") if key in options}
        check_settings(f"parameter_groups[{index}][1].", **known)


def make_parameter_groups(model_parameters: NamedParameters,
                          groups: Optional[ParameterGroups] = None) -> List[Dict[str, Any]]:
    """Split trainable parameters into torch optimizer groups; unmatched ones form a last, default group."""
    trainable = [(name, p) for name, p in model_parameters if p.requires_grad]
    _check_group_options(groups or [])
    if not groups:
        return [{"params": [p for _, p in trainable]}]
    result: List[Dict[str, Any]] = [{"params": [], **options} for _, options in groups] + [{"params": []}]
    used = [False] * len(groups)
    for name, parameter in trainable:
        for index, (patterns, _) in enumerate(groups):
            if any(re.search(pattern, name) for pattern in patterns):
                result[index]["params"].append(parameter)
                used[index] = True
                break
        else:
            result[-1]["params"].append(parameter)
    for (patterns, _), was_used in zip(groups, used):
        if not was_used:
            raise ConfigurationError(f"trainer.optimizer.parameter_groups: no parameter name matches {patterns}. "
                                     f"Names look like: {', '.join(n for n, _ in trainable[:5])}.")
    return [group for group in result if group["params"]]


def use_fused_kernel(groups: List[Dict[str, Any]]) -> bool:
    """Adam(W)'s fused kernel updates every parameter in one vectorised pass (cpu and cuda, float32): the same
    results to rounding, ~5x faster than the per-tensor loop on a CPU. Fine-tuning MiniLM on short snippets,
    the loop's update of all 22M weights took a fifth of each step on 2 cores (benchmarks/README.md)."""
    parameters = [p for group in groups for p in group["params"]]
    return bool(parameters) and all(p.device.type in ("cpu", "cuda") and p.dtype == torch.float32 for p in parameters)


@Optimizer.register("adam")
class AdamOptimizer(Optimizer, torch.optim.Adam):
    def __init__(self, model_parameters: Supplied[NamedParameters], lr: float = 0.001,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, parameter_groups: Optional[ParameterGroups] = None) -> None:
        check_settings(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        groups = make_parameter_groups(model_parameters, parameter_groups)
        super().__init__(groups, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         fused=use_fused_kernel(groups))


@Optimizer.register("adamw")
class AdamWOptimizer(Optimizer, torch.optim.AdamW):
    def __init__(self, model_parameters: Supplied[NamedParameters], lr: float = 0.001,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01,
                 amsgrad: bool = False, parameter_groups: Optional[ParameterGroups] = None) -> None:
        check_settings(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        groups = make_parameter_groups(model_parameters, parameter_groups)
        super().__init__(groups, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         fused=use_fused_kernel(groups))


@Optimizer.register("sgd")
class SgdOptimizer(Optimizer, torch.optim.SGD):
    def __init__(self, model_parameters: Supplied[NamedParameters], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False,
                 parameter_groups: Optional[ParameterGroups] = None) -> None:
        check_settings(lr=lr, weight_decay=weight_decay, momentum=momentum)
        if nesterov:
            check_range("momentum", momentum, above=0, hint="Nesterov momentum needs a momentum, e.g. 0.9.")
        super().__init__(make_parameter_groups(model_parameters, parameter_groups), lr=lr, momentum=momentum,
                         weight_decay=weight_decay, nesterov=nesterov)


NO_DECAY = ["bias", r"LayerNorm\.weight", r"layer_norm\.weight", r"norm\.weight"]


@Optimizer.register("huggingface_adamw")
class HuggingfaceAdamWOptimizer(Optimizer, torch.optim.AdamW):
    """AdamW as transformers fine-tuning uses it: decoupled weight decay, except on the parameters whose
    names match `no_decay` (biases and LayerNorm weights, by default), which get weight_decay 0.
    `parameter_groups` still apply, before the no-decay rule."""

    def __init__(self, model_parameters: Supplied[NamedParameters], lr: float = 1e-5,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01,
                 no_decay: Optional[List[str]] = None, parameter_groups: Optional[ParameterGroups] = None) -> None:
        check_settings(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        no_decay = NO_DECAY if no_decay is None else no_decay
        groups = list(parameter_groups or [])
        # the no-decay group only for trainable parameters no group of the user's has taken (e.g. with the
        # transformer frozen and the classifier in its own group, there are none left)
        unclaimed = [name for name, p in model_parameters if p.requires_grad
                     and not any(re.search(pattern, name) for patterns, _ in groups for pattern in patterns)]
        if no_decay and any(re.search(pattern, name) for pattern in no_decay for name in unclaimed):
            groups.append((no_decay, {"weight_decay": 0.0}))
        torch_groups = make_parameter_groups(model_parameters, groups)
        super().__init__(torch_groups, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         fused=use_fused_kernel(torch_groups))
