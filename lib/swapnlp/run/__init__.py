"""The application: from a config to a trained archive (train, dry-run, the test-set pass).

    config.py    the top level of a training config, as one typed constructor (TrainingConfig)
    train.py     train_model / train_model_from_file: `swapnlp train` as a function
    workers.py   the workers of a distributed run (spawned, or started by torchrun)
    folder.py    the serialization folder: never overwritten by accident
    dry_run.py   everything train builds, and two real training steps, in seconds

Above archive and predictors (it writes archives), below the commands, the server, the tuner and the wizard.
"""

from swapnlp.run.config import TrainingConfig
from swapnlp.run.train import train_model, train_model_from_file

__all__ = ["TrainingConfig", "train_model", "train_model_from_file"]
