"""model.tar.gz: everything needed to use a trained model elsewhere, in one file.

Inside: config.json (how to rebuild reader and model), weights.safetensors (the trained weights),
vocabulary/ (the id maps), meta.json (library and torch versions, labels, date).
`load_archive` unpacks it safely (no member may land outside the target folder) and rebuilds the model.
"""

from __future__ import annotations

import datetime
import json
import platform
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Mapping, Optional, Union

from swapnlp import __version__
from swapnlp.common.atomic import atomic_path
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params, with_overrides

ARCHIVE_NAME = "model.tar.gz"
WEIGHTS_NAME = "weights.safetensors"


@dataclass
class Archive:
    model: Any  # swapnlp.models.Model
    config: Params
    dataset_reader: Any  # swapnlp.data.DatasetReader
    validation_dataset_reader: Any
    meta: Dict[str, Any]


def archive_model(serialization_dir: Union[str, Path], weights: Optional[Union[str, Path]] = None,
                  archive_path: Optional[Union[str, Path]] = None) -> Path:
    """Pack serialization_dir's config, vocabulary and (best) weights into model.tar.gz, atomically."""
    import torch

    from swapnlp.data import Vocabulary

    directory = Path(serialization_dir)
    weights = Path(weights) if weights else directory / "best.safetensors"
    for needed in (directory / "config.json", directory / "vocabulary", weights):
        if not needed.exists():
            raise ConfigurationError(f"cannot archive {directory}: {needed} is missing (did training finish an epoch?).")
    vocab = Vocabulary.from_files(directory / "vocabulary")
    meta = {"swapnlp_version": __version__, "torch_version": torch.__version__, "python": platform.python_version(),
            "created": datetime.datetime.now().isoformat(timespec="seconds"),
            "labels": [vocab.get_token_from_index(i, "labels") for i in range(vocab.get_vocab_size("labels"))]}
    archive_path = Path(archive_path) if archive_path else directory / ARCHIVE_NAME
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        with atomic_path(archive_path) as temporary:
            with tarfile.open(temporary, "w:gz") as tar:
                tar.add(directory / "config.json", arcname="config.json")
                tar.add(weights, arcname=WEIGHTS_NAME)
                tar.add(directory / "vocabulary", arcname="vocabulary")
                tar.add(Path(scratch) / "meta.json", arcname="meta.json")
    return archive_path


def safe_extract(archive_file: Path, target: Path) -> None:
    """Extract only regular files and folders whose paths stay inside `target`."""
    with tarfile.open(archive_file, "r:*") as tar:
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                raise ConfigurationError(f"{archive_file} contains an unsafe member {member.name!r} (absolute path, "
                                         f"'..', link or device): refusing to extract it. Was it made by swapnlp?")
        tar.extractall(target, filter="data")


def _drop_pretrained_files(config: Any) -> Any:
    """The archive holds the trained weights, so embedding files used to initialise them aren't needed."""
    if isinstance(config, dict):
        return {k: _drop_pretrained_files(v) for k, v in config.items() if k != "pretrained_file"}
    if isinstance(config, list):
        return [_drop_pretrained_files(v) for v in config]
    return config


def load_archive(archive_file: Union[str, Path], cuda_device: int = -1,
                 overrides: Union[str, Mapping[str, Any], None] = None) -> Archive:
    """Rebuild the trained model (in eval mode, on `cuda_device`) and its dataset readers."""
    from swapnlp.data import DatasetReader, Vocabulary
    from swapnlp.models import Model
    from swapnlp.training.checkpointer import load_weights
    from swapnlp.training.devices import resolve_device

    archive_file = Path(archive_file)
    if not archive_file.exists():
        raise ConfigurationError(f"archive not found: {archive_file} (train a model first: swapnlp train ... -s DIR "
                                 f"writes DIR/{ARCHIVE_NAME}).")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        try:
            safe_extract(archive_file, folder)
        except tarfile.TarError as error:
            raise ConfigurationError(f"{archive_file} is not a readable model archive: {error}") from None
        config = with_overrides(json.loads((folder / "config.json").read_text()), overrides)
        meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").exists() else {}
        vocab = Vocabulary.from_files(folder / "vocabulary")
        weights = load_weights(folder / WEIGHTS_NAME)
    params = Params(config)
    reader = DatasetReader.from_params(params.pop("dataset_reader"))
    validation = params.pop("validation_dataset_reader", None)
    validation_reader = DatasetReader.from_params(validation) if validation else reader
    model = Model.from_params(Params(_drop_pretrained_files(params.pop("model").as_dict()), "model."), vocab=vocab)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise ConfigurationError(f"{archive_file}: the weights do not fit the model built from its config "
                                 f"(missing: {missing[:5]}, unexpected: {unexpected[:5]}).")
    model.to(resolve_device(cuda_device, where="--cuda-device")).eval()
    return Archive(model, Params(config), reader, validation_reader, meta)
