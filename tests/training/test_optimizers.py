"""Optimizers by name: parameter groups, and huggingface_adamw's no-decay rule for biases and LayerNorm."""

from __future__ import annotations

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params
from swapnlp.training.optimizers import HuggingfaceAdamWOptimizer, Optimizer


class TinyTransformerBlock(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense = torch.nn.Linear(4, 4)
        self.LayerNorm = torch.nn.LayerNorm(4)
        self.frozen = torch.nn.Linear(4, 4)
        self.frozen.requires_grad_(False)


def decay_of(optimizer, module, name):
    parameter = dict(module.named_parameters())[name]
    return next(group["weight_decay"] for group in optimizer.param_groups if any(p is parameter for p in group["params"]))


def test_huggingface_adamw_does_not_decay_biases_and_layer_norms():
    block = TinyTransformerBlock()
    optimizer = Optimizer.from_params(Params({"type": "huggingface_adamw", "lr": 2e-5, "weight_decay": 0.1}),
                                      model_parameters=list(block.named_parameters()))
    assert isinstance(optimizer, HuggingfaceAdamWOptimizer) and isinstance(optimizer, torch.optim.AdamW)
    assert decay_of(optimizer, block, "dense.weight") == 0.1
    assert decay_of(optimizer, block, "dense.bias") == 0.0
    assert decay_of(optimizer, block, "LayerNorm.weight") == 0.0 and decay_of(optimizer, block, "LayerNorm.bias") == 0.0
    trained = {id(p) for group in optimizer.param_groups for p in group["params"]}
    assert id(block.frozen.weight) not in trained  # frozen parameters are left out
    assert all(group["lr"] == 2e-5 for group in optimizer.param_groups)


def test_huggingface_adamw_decays_everything_with_an_empty_no_decay_list():
    block = TinyTransformerBlock()
    optimizer = HuggingfaceAdamWOptimizer(list(block.named_parameters()), weight_decay=0.1, no_decay=[])
    assert {group["weight_decay"] for group in optimizer.param_groups} == {0.1}


def test_huggingface_adamw_keeps_the_users_parameter_groups_first():
    block = TinyTransformerBlock()
    optimizer = HuggingfaceAdamWOptimizer(list(block.named_parameters()), lr=1e-3,
                                          parameter_groups=[(["dense"], {"lr": 1e-4})])
    dense = next(group for group in optimizer.param_groups if any(p is block.dense.weight for p in group["params"]))
    assert dense["lr"] == 1e-4 and any(p is block.dense.bias for p in dense["params"])


def test_huggingface_adamw_with_everything_but_the_users_group_frozen():
    """bert.jsonnet's classifier group with the transformer frozen: no bias or LayerNorm is left for the no-decay
    group, which must then not be made (it would match nothing, an error)."""
    block = TinyTransformerBlock()
    block.LayerNorm.requires_grad_(False)
    optimizer = HuggingfaceAdamWOptimizer(list(block.named_parameters()), lr=1e-5, weight_decay=0.1,
                                          parameter_groups=[(["^dense\\."], {"lr": 1e-3})])
    assert [(group["lr"], group["weight_decay"], len(group["params"])) for group in optimizer.param_groups] == [
        (1e-3, 0.1, 2)]


def test_huggingface_adamw_steps_decrease_a_loss():
    torch.manual_seed(0)
    block = TinyTransformerBlock()
    optimizer = HuggingfaceAdamWOptimizer(list(block.named_parameters()), lr=0.05)
    x = torch.randn(16, 4)
    losses = []
    for _ in range(20):
        loss = block.LayerNorm(block.dense(x)).pow(2).mean() + block.dense(x).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert losses[-1] < losses[0]


def test_unknown_optimizer_parameter_is_a_config_error():
    with pytest.raises(ConfigurationError, match="no_decay"):
        Optimizer.from_params(Params({"type": "huggingface_adamw", "no_decy": []}, "trainer.optimizer."),
                              model_parameters=list(TinyTransformerBlock().named_parameters()))



@pytest.mark.parametrize("config, message", [
    ({"type": "adam", "lr": -0.1}, "trainer.optimizer.lr must be > 0, got -0.1."),
    ({"type": "adamw", "betas": [0.9, 1.2]}, "trainer.optimizer.betas[1] must be >= 0 and < 1, got 1.2."),
    ({"type": "adam", "eps": -1e-8}, "trainer.optimizer.eps must be > 0, got -1e-08."),
    ({"type": "huggingface_adamw", "weight_decay": -0.01}, "trainer.optimizer.weight_decay must be at least 0"),
    ({"type": "sgd", "momentum": -0.9}, "trainer.optimizer.momentum must be at least 0, got -0.9."),
    ({"type": "sgd", "nesterov": True}, "trainer.optimizer.momentum must be > 0, got 0.0. Nesterov"),
    ({"type": "adam", "parameter_groups": [[["bias"], {"weight_decay": -1}]]},
     "trainer.optimizer.parameter_groups[0][1].weight_decay must be at least 0, got -1."),
])
def test_out_of_range_settings_name_their_key_path(config, message):
    block = TinyTransformerBlock()
    with pytest.raises(ConfigurationError) as error:
        Optimizer.from_params(Params(config, "trainer.optimizer."), model_parameters=list(block.named_parameters()))
    assert str(error.value).startswith(message)


def test_a_warmup_proportion_of_0_means_no_warmup():
    from swapnlp.training.learning_rate_schedulers import LinearWithWarmup

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=1.0)
    LinearWithWarmup(optimizer, num_epochs=1, num_steps_per_epoch=10, warmup_proportion=0.0)
    assert optimizer.param_groups[0]["lr"] == 1.0  # full lr at the first step, not a warm-up from 0
