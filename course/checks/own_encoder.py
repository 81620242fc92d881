"""Exercise 3.5: a Seq2VecEncoder of the learner's own, in their own module, used by name.

The check never reads the module's text. In a fresh process in the exercise's folder it: lists the encoders
with `swapnlp describe encoder --include-package my_encoders` (the name must be there, and only because of
the module); builds the encoder from ENCODER_CONFIG and runs it on a padded batch (one vector of
get_output_dim() per text, padding and its values change nothing, gradients reach the input); and reads the
training run the notebook made with --include-package.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from course.checks.core import CheckFailed, call_learner, exercise_dir, learner_object
from course.checks.workspace_run import last_error_line, run_probe, run_swapnlp

PACKAGE_3_5 = "my_encoders"
RUN_3_5 = "runs/own"
TARGET_ACCURACY_3_5 = 0.80

PROBE = r'''
import json, sys
import torch
from swapnlp.common import construct
from swapnlp.modules import Seq2VecEncoder
import my_encoders

config = json.loads(sys.argv[1])
encoder = construct(Seq2VecEncoder, dict(config)).eval()
cls = type(encoder)
dim = encoder.get_input_dim()
torch.manual_seed(0)
tokens = torch.randn(2, 6, dim, requires_grad=True)
mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], dtype=torch.bool)
out = encoder(tokens, mask)
report = {"module": cls.__module__, "class": cls.__name__, "input_dim": dim, "output_dim": encoder.get_output_dim(),
          "shape": list(out.shape)}
other = tokens.detach().clone()
other[1, 3:] = 100.0 * torch.randn(3, dim)              # other values at the padded positions
alone = encoder(tokens.detach()[1:, :3], mask[1:, :3])   # the short text without any padding
report["padding_values_matter"] = not torch.allclose(encoder(other, mask)[1], out[1].detach(), atol=1e-4)
report["padding_matters"] = not torch.allclose(alone[0], out[1].detach(), atol=1e-4)
out.sum().backward()
report["gradient"] = bool(tokens.grad is not None and tokens.grad[:, :3].abs().sum() > 0)
print(json.dumps(report))
'''


def _names(described: str) -> list:
    return [component["name"] for component in json.loads(described)["components"]]


def check_own_encoder(namespace: Mapping[str, Any]) -> str:
    work_dir = exercise_dir(namespace)
    config = learner_object(namespace, "ENCODER_CONFIG", "ENCODER_CONFIG (the cell that calls write_module)")
    if config is None:
        writer = learner_object(namespace, "write_module", "write_module")
        call_learner("write_module(WORK_DIR)", writer, work_dir)
        raise CheckFailed("ENCODER_CONFIG is None: run the cell that calls write_module")
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        raise CheckFailed('write_module must return your encoder\'s config, a dict with its registered "type", '
                          'e.g. {"type": "my_name", "embedding_dim": 16}')
    if not any((work_dir / name).exists() for name in (f"{PACKAGE_3_5}.py", f"{PACKAGE_3_5}/__init__.py")):
        raise CheckFailed(f"there is no {PACKAGE_3_5}.py in WORK_DIR: write_module must write your module there")
    name = config["type"]
    status, builtin, _ = run_swapnlp(work_dir, "describe", "encoder", "--json")
    if status == 0 and name in _names(builtin):
        raise CheckFailed(f'"{name}" is a built-in encoder of swapnlp: register your own class under a name of '
                          f"your own")
    status, listed, error = run_swapnlp(work_dir, "describe", "encoder", "--json", "--include-package", PACKAGE_3_5)
    if status != 0:
        raise CheckFailed(f"swapnlp describe --include-package {PACKAGE_3_5} failed: {last_error_line(error)}")
    if name not in _names(listed):
        raise CheckFailed(f'swapnlp describe encoder --include-package {PACKAGE_3_5} does not list "{name}": '
                          f'register your class with @Seq2VecEncoder.register("{name}")')
    report = run_probe(work_dir, PROBE, config)
    if report["module"] != PACKAGE_3_5:
        raise CheckFailed(f'"{name}" builds a {report["class"]} from {report["module"]}, not a class of your own '
                          f"module {PACKAGE_3_5}")
    if report["shape"] != [2, report["output_dim"]]:
        raise CheckFailed(f"for a batch of 2 texts the encoder returned shape {tuple(report['shape'])}, but "
                          f"get_output_dim() says {report['output_dim']}: return one vector of that size per text")
    if report["padding_values_matter"] or report["padding_matters"]:
        raise CheckFailed("the encoder's output for a short text changes with the padding after it: use the mask "
                          "to leave the padded positions out")
    if not report["gradient"]:
        raise CheckFailed("no gradient flows from the encoder's output back to its input: nothing before it could "
                          "learn (a .detach(), or a result not computed from the tokens?)")
    run_dir = work_dir / RUN_3_5
    try:
        trained = json.loads((run_dir / "config.json").read_text("utf-8"))
        metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise CheckFailed(f"no finished training run in {RUN_3_5}: run the training cell "
                          f"(swapnlp train ... --include-package {PACKAGE_3_5})") from None
    if trained["model"]["encoder"] != config:
        raise CheckFailed("the last training run used another encoder than ENCODER_CONFIG: run the training cell "
                          "again")
    accuracy = metrics.get("best_validation_accuracy", 0.0)
    if accuracy < TARGET_ACCURACY_3_5:
        raise CheckFailed(f"the model with your encoder reached a dev accuracy of {accuracy:.2f}, below "
                          f"{TARGET_ACCURACY_3_5:.2f}: does the output keep what the word vectors say?")
    return (f"your encoder is registered by your own module, listed by describe, handles padding, and trains by "
            f"config with --include-package to a dev accuracy of at least {TARGET_ACCURACY_3_5:.2f}.")
