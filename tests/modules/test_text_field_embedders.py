"""BasicTextFieldEmbedder: routes each indexer's tensors to the embedder of the same name, concatenates."""

from typing import Optional

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data.fields.text_field import TextField
from swapnlp.data.token_indexers import SingleIdTokenIndexer
from swapnlp.data.tokenizers.token import Token
from swapnlp.data.vocabulary import Vocabulary
from swapnlp.modules.text_field_embedders import BasicTextFieldEmbedder, TextFieldEmbedder
from swapnlp.modules.token_embedders import Embedding, TokenEmbedder


class TransformerLike(TokenEmbedder):
    """Takes token_ids and mask (not type_ids), like a pretrained transformer embedder would."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Optional[set] = None

    def forward(self, token_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        self.seen = {"token_ids", "mask"}
        return (token_ids * mask).unsqueeze(-1).float()

    def get_output_dim(self) -> int:
        return 1


class PositionalOnly(TokenEmbedder):
    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return ids.unsqueeze(-1).float() * 2

    def get_output_dim(self) -> int:
        return 1


IDS = torch.tensor([[2, 3, 4], [4, 0, 0]])


def test_concatenates_the_embedders_in_name_order() -> None:
    torch.manual_seed(0)
    words, chars = Embedding(embedding_dim=3, num_embeddings=6), Embedding(embedding_dim=2, num_embeddings=6)
    embedder = BasicTextFieldEmbedder({"words": words, "chars": chars})
    text = {"words": {"tokens": IDS}, "chars": {"tokens": IDS.flip(1)}}
    output = embedder(text)
    assert output.shape == (2, 3, 5) and embedder.get_output_dim() == 5
    assert torch.allclose(output, torch.cat([chars(IDS.flip(1)), words(IDS)], dim=-1))


def test_each_embedder_gets_only_the_keys_its_forward_accepts() -> None:
    transformer = TransformerLike()
    embedder = BasicTextFieldEmbedder({"bert": transformer})
    mask = IDS != 0
    text = {"bert": {"token_ids": IDS, "mask": mask, "type_ids": torch.zeros_like(IDS)}}
    assert torch.equal(embedder(text).squeeze(-1), (IDS * mask).float())
    assert transformer.seen == {"token_ids", "mask"}


def test_a_single_tensor_goes_to_a_single_argument_of_another_name() -> None:
    embedder = BasicTextFieldEmbedder({"tokens": PositionalOnly()})
    assert torch.equal(embedder({"tokens": {"tokens": IDS}}).squeeze(-1), IDS.float() * 2)


def test_mismatched_names_say_which_keys_to_align() -> None:
    embedder = BasicTextFieldEmbedder({"tokens": Embedding(embedding_dim=2, num_embeddings=6)})
    with pytest.raises(ConfigurationError) as error:
        embedder({"words": {"tokens": IDS}})
    message = str(error.value)
    assert "['words']" in message and "['tokens']" in message
    assert "dataset_reader.token_indexers" in message and "model.embedder.token_embedders" in message


def test_an_indexer_that_does_not_fit_the_embedder_is_a_clear_error() -> None:
    embedder = BasicTextFieldEmbedder({"tokens": TransformerLike()})
    with pytest.raises(ConfigurationError, match=r"needs \['token_ids', 'mask'\] but the token indexer"):
        embedder({"tokens": {"tokens": IDS}})


def test_built_from_config_with_the_vocab_reaching_the_token_embedders() -> None:
    vocab = Vocabulary()
    vocab.add_tokens(["a", "great", "film"])
    embedder = TextFieldEmbedder.from_params(
        {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 4}}}, vocab=vocab)
    assert isinstance(embedder, BasicTextFieldEmbedder)  # "basic" is the default type
    assert embedder.token_embedders["tokens"].weight.shape == (5, 4)

    # end to end with real text fields: padded batch -> (batch, longest, 4), padding rows zero
    fields = [TextField([Token(w) for w in text.split()], {"tokens": SingleIdTokenIndexer()})
              for text in ["a great film", "film"]]
    for field in fields:
        field.index(vocab)
    lengths = {"tokens.tokens": 3}
    batch = fields[0].batch_tensors([field.as_tensor(lengths) for field in fields])
    vectors = embedder(batch)
    assert vectors.shape == (2, 3, 4)
    assert torch.equal(vectors[1, 1:], torch.zeros(2, 4))


def test_needs_at_least_one_token_embedder() -> None:
    with pytest.raises(ConfigurationError, match="at least one"):
        BasicTextFieldEmbedder({})
