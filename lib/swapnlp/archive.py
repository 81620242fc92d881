"""model.tar.gz: everything needed to use a trained model elsewhere, in one file.

Inside: config.json (how to rebuild reader and model), weights.safetensors (the trained weights),
vocabulary/ (the id maps), meta.json (library and torch versions, labels, date), manifest.json (each member's
path, size and sha256).

An archive is data, never code. `load_archive` checks it completely before unpacking anything
(common/checked_tar.py: safe paths, size caps, the gzip checksum, the manifest), rebuilds the model with only
registered components (a dotted type naming a module that is not yet imported is refused: importing runs code;
load your own modules with --include-package), and reads the weights from safetensors (no pickle).
Whatever is wrong with an archive is one ConfigurationError line naming the file.
"""

from __future__ import annotations

import datetime
import json
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from swapnlp import __version__
from swapnlp.common.atomic import atomic_path, is_stale_temporary
from swapnlp.common.checked_tar import Limits, extract_checked, write_checked_tar
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.params import Params, with_overrides
from swapnlp.common.registry import only_registered

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
        members: List[Tuple[Path, str]] = [(directory / "config.json", "config.json"), (weights, WEIGHTS_NAME),
                                           (directory / "vocabulary", "vocabulary")]
        members += [(path, f"vocabulary/{path.name}") for path in sorted((directory / "vocabulary").iterdir())
                    if path.is_file() and not is_stale_temporary(path)]
        members.append((Path(scratch) / "meta.json", "meta.json"))
        with atomic_path(archive_path) as temporary:
            write_checked_tar(temporary, members)
    return archive_path


def archive_limits(max_bytes: Optional[int] = None) -> Limits:
    """The size caps for unpacking a model archive: `max_bytes` (default: $SWAPNLP_ARCHIVE_MAX_BYTES or 2 GiB)
    for all members together and for the weights; 64 MiB for each other member."""
    limits = Limits(large_members=frozenset({WEIGHTS_NAME}))
    return limits if max_bytes is None else Limits(max_bytes=max_bytes, large_members=limits.large_members)


def safe_extract(archive_file: Path, target: Path, max_bytes: Optional[int] = None) -> bool:
    """Check the archive completely, then extract it into `target` (regular files and folders only, all inside
    `target`). True when its manifest vouched for every member, False for an archive made before manifests."""
    return extract_checked(Path(archive_file), Path(target), archive_limits(max_bytes))


def _read_json(archive_file: Path, folder: Path, name: str, required: bool = True) -> Dict[str, Any]:
    """A JSON object member of the unpacked archive; anything wrong with it is one line naming it."""
    path = folder / name
    if not path.is_file():
        if not required:
            return {}
        raise ConfigurationError(f"{archive_file}: {name} is missing, so this is not a complete model archive "
                                 f"(swapnlp train writes complete ones).")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"{archive_file}: {name} is not UTF-8 text ({error.reason} at byte "
                                 f"{error.start}).") from None
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{archive_file}: {name} is not valid JSON ({error.msg} at line {error.lineno} "
                                 f"column {error.colno}).") from None
    if not isinstance(value, dict):
        raise ConfigurationError(f"{archive_file}: {name} must hold a JSON object, not {type(value).__name__}.")
    return value


def _read_parts(archive_file: Path, folder: Path) -> Tuple[Dict[str, Any], Dict[str, Any], Any, Dict[str, Any]]:
    """(config, meta, vocabulary, weights) from the unpacked archive, each problem one line naming the member."""
    from swapnlp.data import Vocabulary
    from swapnlp.nn.weights import load_weights

    config = _read_json(archive_file, folder, "config.json")
    meta = _read_json(archive_file, folder, "meta.json", required=False)
    if not (folder / "vocabulary").is_dir():
        raise ConfigurationError(f"{archive_file}: vocabulary/ is missing, so this is not a complete model archive.")
    try:
        vocab = Vocabulary.from_files(folder / "vocabulary")
    except ConfigurationError as error:
        raise ConfigurationError(f"{archive_file}: vocabulary/ is not a saved vocabulary "
                                 f"({str(error).replace(str(folder) + '/', '')}).") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ConfigurationError(f"{archive_file}: a vocabulary/ file is unreadable ({error}).") from None
    if not (folder / WEIGHTS_NAME).is_file():
        raise ConfigurationError(f"{archive_file}: {WEIGHTS_NAME} is missing, so this is not a complete model "
                                 f"archive.")
    try:
        weights = load_weights(folder / WEIGHTS_NAME)
    except ConfigurationError:
        raise ConfigurationError(f"{archive_file}: {WEIGHTS_NAME} is not a readable safetensors file (damaged, or "
                                 f"not written by swapnlp).") from None
    return config, meta, vocab, weights


def _drop_pretrained_files(config: Any) -> Any:
    """The archive holds the trained weights, so embedding files used to initialise them aren't needed."""
    if isinstance(config, dict):
        return {k: _drop_pretrained_files(v) for k, v in config.items() if k != "pretrained_file"}
    if isinstance(config, list):
        return [_drop_pretrained_files(v) for v in config]
    return config


def _section(params: Params, key: str, required: bool = True) -> Optional[Params]:
    """The config object under `key` (an error if it is missing or not an object)."""
    value = params.pop(key) if required else params.pop(key, None)
    if value is None and not required:
        return None
    if not isinstance(value, Params):
        raise ConfigurationError(f'{key}: expected an object (e.g. {{"type": ...}}), got {type(value).__name__}.')
    return value


def load_archive(archive_file: Union[str, Path], cuda_device: int = -1,
                 overrides: Union[str, Mapping[str, Any], None] = None, max_bytes: Optional[int] = None) -> Archive:
    """Rebuild the trained model (in eval mode, on `cuda_device`) and its dataset readers.
    `max_bytes` caps what the archive may unpack to (default: $SWAPNLP_ARCHIVE_MAX_BYTES or 2 GiB)."""
    from swapnlp.data import DatasetReader
    from swapnlp.models import Model
    from swapnlp.nn.devices import resolve_device

    archive_file = Path(archive_file)
    if not archive_file.exists():
        raise ConfigurationError(f"archive not found: {archive_file} (train a model first: swapnlp train ... -s DIR "
                                 f"writes DIR/{ARCHIVE_NAME}).")
    if not archive_file.is_file():
        raise ConfigurationError(f"{archive_file} is a folder, not a model archive (a {ARCHIVE_NAME} file).")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if not safe_extract(archive_file, folder, max_bytes):
            print(f"notice: {archive_file} has no manifest (made before swapnlp wrote one): its members' checksums "
                  f"cannot be verified.", file=sys.stderr)
        config, meta, vocab, weights = _read_parts(archive_file, folder)
    config = with_overrides(config, overrides)
    params = Params(config)
    with only_registered():
        try:
            reader = DatasetReader.from_params(_section(params, "dataset_reader"))
            validation = _section(params, "validation_dataset_reader", required=False)
            validation_reader = DatasetReader.from_params(validation) if validation else reader
            model = Model.from_params(Params(_drop_pretrained_files(_section(params, "model").as_dict()), "model."),
                                      vocab=vocab)
        except ConfigurationError as error:
            raise ConfigurationError(f"{archive_file}: config.json: {error}") from None
    try:
        missing, unexpected = model.load_state_dict(weights, strict=False)
    except RuntimeError as error:  # a tensor of another shape
        reason = " ".join(str(error).split())
        raise ConfigurationError(f"{archive_file}: the weights do not fit the model built from its config "
                                 f"({reason[:300]}).") from None
    if missing or unexpected:
        raise ConfigurationError(f"{archive_file}: the weights do not fit the model built from its config "
                                 f"(missing: {missing[:5]}, unexpected: {unexpected[:5]}).")
    model.to(resolve_device(cuda_device, where="--cuda-device")).eval()
    return Archive(model, Params(config), reader, validation_reader, meta)
