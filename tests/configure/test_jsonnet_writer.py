"""jsonnet_writer.py: the commented Jsonnet evaluates to exactly the chosen config."""

from __future__ import annotations

import pytest

from swapnlp.common.params import Params
from swapnlp.configure.choices import ConfigChoices
from swapnlp.modules import Seq2VecEncoder


def evaluate(text, tmp_path):
    path = tmp_path / "written.jsonnet"
    path.write_text(text)
    return Params.from_file(path).as_dict()


def test_the_written_text_is_the_config(tmp_path):
    choices = ConfigChoices.starter()
    choices.choose("model.encoder", "cnn")
    choices.set("model.encoder.ngram_filter_sizes", [2, 3])
    choices.choose("trainer.learning_rate_scheduler", "linear_with_warmup")
    choices.set("dataset_reader.max_tokens", 400)
    text = choices.jsonnet("my.jsonnet")
    assert evaluate(text, tmp_path) == choices.to_config()
    assert "// Train it:  swapnlp train my.jsonnet -s runs/my_model" in text
    assert '// Seq2VecEncoder "cnn" (CnnEncoder, lib/swapnlp/modules/seq2vec_encoders/cnn.py)' in text
    assert '"ngram_filter_sizes": [2, 3],  // Tuple[int, ...], default [2, 3, 4, 5]' in text
    assert '// "output_dim": null,  // Optional[int] (the default)' in text  # what else there is to set
    assert '"num_filters": 32,  // int' in text


@pytest.mark.parametrize("name", Seq2VecEncoder.list_available())
def test_every_encoder_round_trips(name, tmp_path):
    choices = ConfigChoices.starter()
    choices.choose("model.encoder", name)
    assert evaluate(choices.jsonnet(), tmp_path) == choices.to_config()


def test_unset_required_values_are_flagged(tmp_path):
    choices = ConfigChoices.starter()
    choices.unset("model.encoder.embedding_dim")
    text = choices.jsonnet()
    assert '// "embedding_dim": ...,  // int, REQUIRED: not set yet' in text
    assert evaluate(text, tmp_path) == choices.to_config()


def test_strings_that_need_escaping(tmp_path):
    choices = ConfigChoices.starter('we"ird\\dir // not a comment')
    assert evaluate(choices.jsonnet(), tmp_path) == choices.to_config()
