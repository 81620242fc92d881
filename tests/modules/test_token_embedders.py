"""Embedding: sized from the vocabulary, padding row, freezing, and GloVe-style pretrained files."""

import gzip
from pathlib import Path

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data.vocabulary import Vocabulary
from swapnlp.modules.token_embedders import Embedding, TokenEmbedder


@pytest.fixture
def vocab() -> Vocabulary:
    vocabulary = Vocabulary()
    vocabulary.add_tokens(["good", "film", "bad"], "tokens")  # ids 2, 3, 4 (0 padding, 1 unknown)
    vocabulary.add_tokens(["a", "b"], "characters")
    return vocabulary


def test_lookup_shape_and_output_dim() -> None:
    embedding = Embedding(embedding_dim=4, num_embeddings=10)
    ids = torch.tensor([[2, 3, 0], [5, 0, 0]])
    assert embedding(ids).shape == (2, 3, 4)
    assert embedding.get_output_dim() == 4


def test_size_comes_from_the_vocab_extra(vocab: Vocabulary) -> None:
    embedding = TokenEmbedder.from_params({"type": "embedding", "embedding_dim": 3}, vocab=vocab)
    assert isinstance(embedding, Embedding)
    assert embedding.weight.shape == (5, 3)
    chars = TokenEmbedder.from_params({"embedding_dim": 3, "vocab_namespace": "characters"}, vocab=vocab)
    assert chars.weight.shape == (4, 3)  # "embedding" is the default type


def test_num_embeddings_wins_over_the_vocab(vocab: Vocabulary) -> None:
    assert Embedding(embedding_dim=2, num_embeddings=7, vocab=vocab).weight.shape == (7, 2)


def test_no_size_and_no_vocab_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="num_embeddings"):
        TokenEmbedder.from_params({"type": "embedding", "embedding_dim": 3})


def test_missing_namespace_is_a_clear_error(vocab: Vocabulary) -> None:
    with pytest.raises(ConfigurationError, match='"token_characters" is empty or missing.*characters'):
        Embedding(embedding_dim=3, vocab=vocab, vocab_namespace="token_characters")


def test_padding_row_is_zero_and_gets_no_gradient() -> None:
    embedding = Embedding(embedding_dim=4, num_embeddings=6)
    assert torch.equal(embedding.weight[0], torch.zeros(4))
    embedding(torch.tensor([[3, 0, 0]])).sum().backward()
    assert torch.equal(embedding.weight.grad[0], torch.zeros(4))
    assert embedding.weight.grad[3].abs().sum() > 0


def test_trainable_false_freezes_the_table() -> None:
    assert not Embedding(embedding_dim=2, num_embeddings=3, trainable=False).weight.requires_grad


def test_max_norm_rescales_long_vectors() -> None:
    embedding = Embedding(embedding_dim=3, num_embeddings=4, max_norm=0.5)
    with torch.no_grad():
        embedding.weight.mul_(100)
    norms = embedding(torch.tensor([[1, 2, 3]])).norm(dim=-1)
    assert (norms <= 0.5 + 1e-5).all()


def write_vectors(path: Path, text: str) -> str:
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as file:
            file.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


VECTORS = "good 1.0 2.0 3.0\nunrelated 9.0 9.0 9.0\nfilm -1.0 0.5 4.0\n"


@pytest.mark.parametrize("file_name", ["vectors.txt", "vectors.txt.gz"])
def test_pretrained_vectors_fill_the_rows_of_known_words(tmp_path: Path, vocab: Vocabulary, file_name: str) -> None:
    path = write_vectors(tmp_path / file_name, VECTORS)
    torch.manual_seed(0)
    embedding = TokenEmbedder.from_params(
        {"type": "embedding", "embedding_dim": 3, "pretrained_file": path, "trainable": False}, vocab=vocab)
    weight = embedding.weight
    assert torch.equal(weight[vocab.get_token_index("good")], torch.tensor([1.0, 2.0, 3.0]))
    assert torch.equal(weight[vocab.get_token_index("film")], torch.tensor([-1.0, 0.5, 4.0]))
    assert torch.equal(weight[0], torch.zeros(3))  # padding
    bad = weight[vocab.get_token_index("bad")]  # not in the file: random, not zero, not a copy
    assert bad.abs().sum() > 0 and not torch.equal(bad, weight[2]) and not torch.equal(bad, weight[3])
    assert not weight.requires_grad


def test_a_word2vec_header_line_is_skipped(tmp_path: Path, vocab: Vocabulary) -> None:
    path = write_vectors(tmp_path / "w2v.txt", "3 3\n" + VECTORS)
    embedding = Embedding(embedding_dim=3, pretrained_file=path, vocab=vocab)
    assert torch.equal(embedding.weight[2], torch.tensor([1.0, 2.0, 3.0]))


def test_a_row_of_the_wrong_dimension_names_file_and_line(tmp_path: Path, vocab: Vocabulary) -> None:
    path = write_vectors(tmp_path / "broken.txt", "good 1.0 2.0 3.0\nfilm 1.0 2.0\n")
    with pytest.raises(ConfigurationError, match=rf"{path}:2: .*'film' has 2 values but embedding_dim is 3"):
        Embedding(embedding_dim=3, pretrained_file=path, vocab=vocab)


def test_a_file_of_another_dimension_fails_on_its_first_line(tmp_path: Path, vocab: Vocabulary) -> None:
    path = write_vectors(tmp_path / "vectors.txt", VECTORS)
    with pytest.raises(ConfigurationError, match=rf"{path}:1: "):
        Embedding(embedding_dim=50, pretrained_file=path, vocab=vocab)


def test_pretrained_file_errors(tmp_path: Path, vocab: Vocabulary) -> None:
    path = write_vectors(tmp_path / "vectors.txt", VECTORS)
    with pytest.raises(ConfigurationError, match="needs the vocabulary"):
        Embedding(embedding_dim=3, num_embeddings=5, pretrained_file=path)
    with pytest.raises(ConfigurationError, match="not found"):
        Embedding(embedding_dim=3, pretrained_file=str(tmp_path / "missing.txt"), vocab=vocab)
    other = write_vectors(tmp_path / "other.txt", "zebra 1 2 3\n")
    with pytest.raises(ConfigurationError, match="none of the 5 words"):
        Embedding(embedding_dim=3, pretrained_file=other, vocab=vocab)
