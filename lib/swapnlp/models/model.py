"""Model: a torch Module that says WHAT it computes from abstract parts (embedder, encoder, ...).

forward(**batch) -> dict with at least "loss" when labels are given; get_metrics(reset) -> name -> float;
make_output_human_readable(output) -> the output with ids turned back into strings.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional

import torch

from swapnlp.common.registry import Registrable
from swapnlp.common.from_params import Supplied
from swapnlp.data.batch import batch_instances
from swapnlp.data.instance import Instance
from swapnlp.data.vocabulary import Vocabulary
from swapnlp.nn.util import move_to_device


class Model(torch.nn.Module, Registrable):
    default_predictor: ClassVar[Optional[str]] = None

    def __init__(self, vocab: Supplied[Vocabulary]) -> None:
        super().__init__()
        self.vocab = vocab

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {}

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        return output_dict

    def device(self) -> torch.device:
        """The device the model's parameters live on."""
        parameter = next(self.parameters(), None)
        return parameter.device if parameter is not None else torch.device("cpu")

    def forward_on_instances(self, instances: List[Instance]) -> List[Dict[str, Any]]:
        """Run the model on instances (indexed here) and split the output into one dict per instance."""
        for instance in instances:
            if not instance.indexed:
                instance.index_fields(self.vocab)
        with torch.inference_mode():
            batch = move_to_device(batch_instances(instances), self.device())
            outputs = self.make_output_human_readable(self(**batch))
        results: List[Dict[str, Any]] = [{} for _ in instances]
        for name, value in outputs.items():
            if isinstance(value, torch.Tensor):
                if value.dim() == 0:
                    continue  # a batch-level value such as the loss
                value = value.detach().cpu().tolist()
            if isinstance(value, list) and len(value) == len(instances):
                for result, item in zip(results, value):
                    result[name] = item
        return results
