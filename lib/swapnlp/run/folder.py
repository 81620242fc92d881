"""The serialization folder of a run: never overwritten by accident, resumed only with the same config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict

from swapnlp.common.atomic import atomic_write_text
from swapnlp.common.errors import ConfigurationError

CONFIG_NAME = "config.json"
RUN_MARKERS = ("checkpoint.pt", "metrics.json", "model.tar.gz")  # a folder with one of these holds a run
VOCABULARY_DIR = "vocabulary"


def prepare_serialization_dir(serialization_dir: Path, config: Dict[str, Any], force: bool, recover: bool) -> None:
    """Make sure we never overwrite a run by accident, and that --recover resumes the same config."""
    if force and recover:
        raise ConfigurationError("use --force (start again, deleting the old run) or --recover (resume it), not both.")
    config_path = serialization_dir / CONFIG_NAME
    if any((serialization_dir / name).exists() for name in RUN_MARKERS):
        if force:
            shutil.rmtree(serialization_dir)
        elif recover:
            if not (serialization_dir / "checkpoint.pt").exists() or not config_path.exists():
                raise ConfigurationError(f"--recover: {serialization_dir} holds no checkpoint; nothing to resume.")
            saved = json.loads(config_path.read_text())
            if saved != config:
                raise ConfigurationError(f"--recover: the config differs from the one saved in {config_path}; "
                                         f"resume with the same config and overrides, or use --force to restart.")
        else:
            raise ConfigurationError(f"{serialization_dir} already holds a run. Use --recover to resume it, "
                                     f"--force to delete it and start again, or another -s folder.")
    elif recover:
        raise ConfigurationError(f"--recover: {serialization_dir} holds no run to resume; drop --recover to start one.")
    serialization_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(config_path, json.dumps(config, indent=2) + "\n")
