"""A learner's own encoder in their own module (loaded as with --include-package), for the wizard tests."""

from __future__ import annotations

import textwrap

import pytest

PLUGIN = "swapnlp_wizard_test_plugin"  # a name no other test module uses
PLUGIN_SOURCE = textwrap.dedent('''
    import torch

    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder


    @Seq2VecEncoder.register("max_pool_wizard")
    class MaxPoolEncoder(Seq2VecEncoder):
        """The elementwise maximum over the real tokens.

        embedding_dim: the size of the token vectors (the embedder's output size).
        """

        def __init__(self, embedding_dim: int, floor: float = -1e4) -> None:
            super().__init__()
            self.embedding_dim, self.floor = embedding_dim, floor

        def get_input_dim(self) -> int:
            return self.embedding_dim

        def get_output_dim(self) -> int:
            return self.embedding_dim

        def forward(self, tokens, mask=None):
            if mask is not None:
                tokens = tokens.masked_fill(~mask.unsqueeze(-1), self.floor)
            return tokens.max(dim=1).values
''')


@pytest.fixture
def plugin_folder(learner_module):
    """tmp_path/work holds the learner's module and is the current folder (not imported yet)."""
    from swapnlp.modules.seq2vec_encoders import Seq2VecEncoder

    return learner_module(PLUGIN, PLUGIN_SOURCE, {Seq2VecEncoder: "max_pool_wizard"}).folder


@pytest.fixture
def plugin(plugin_folder):
    """The plugin imported, as --include-package does."""
    from swapnlp.common.plugins import import_plugins

    import_plugins([PLUGIN])
    return PLUGIN
