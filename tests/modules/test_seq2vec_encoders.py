"""Seq2Vec encoders: padding never changes the vectors, shapes match get_output_dim, configs build them."""

from typing import Any, Dict, List

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.modules.seq2vec_encoders import (
    BagOfEmbeddingsEncoder, CnnEncoder, GruSeq2VecEncoder, LstmSeq2VecEncoder, Seq2VecEncoder,
    TransformerSeq2VecEncoder,
)

DIM = 8
LENGTHS = [1, 3, 7, 5, 2]  # a mix, including texts shorter than the CNN's largest filter
EXTRA_PADDING = 3

CONFIGS: Dict[str, Dict[str, Any]] = {
    "bag_sum": {"type": "bag_of_embeddings", "embedding_dim": DIM},
    "bag_mean": {"type": "bag_of_embeddings", "embedding_dim": DIM, "averaged": True},
    "cnn": {"type": "cnn", "embedding_dim": DIM, "num_filters": 3},
    "cnn_projected": {"type": "cnn", "embedding_dim": DIM, "num_filters": 2, "ngram_filter_sizes": [1, 4],
                      "conv_layer_activation": "tanh", "output_dim": 5},
    "lstm": {"type": "lstm", "embedding_dim": DIM, "hidden_size": 6},
    "lstm_bi_2layers": {"type": "lstm", "embedding_dim": DIM, "hidden_size": 6, "num_layers": 2,
                        "bidirectional": True, "dropout": 0.2},
    "gru": {"type": "gru", "embedding_dim": DIM, "hidden_size": 6},
    "gru_bi": {"type": "gru", "embedding_dim": DIM, "hidden_size": 6, "bidirectional": True},
    "transformer": {"type": "transformer", "embedding_dim": DIM, "num_attention_heads": 2,
                    "feedforward_hidden_dim": 16},
    "transformer_embedding_max": {"type": "transformer", "embedding_dim": DIM, "num_layers": 1,
                                  "num_attention_heads": 4, "feedforward_hidden_dim": 16,
                                  "positional_encoding": "embedding", "max_length": 32, "pooling": "max"},
    "transformer_nopos_first": {"type": "transformer", "embedding_dim": DIM, "num_layers": 1,
                                "num_attention_heads": 2, "feedforward_hidden_dim": 16,
                                "positional_encoding": None, "pooling": "first"},
}

EXPECTED_OUTPUT_DIM = {
    "bag_sum": DIM, "bag_mean": DIM, "cnn": 3 * 4, "cnn_projected": 5, "lstm": 6, "lstm_bi_2layers": 12,
    "gru": 6, "gru_bi": 12, "transformer": DIM, "transformer_embedding_max": DIM,
    "transformer_nopos_first": DIM,
}


def assert_close(actual: torch.Tensor, expected: torch.Tensor, atol: float = 1e-5) -> None:
    """Like torch.testing.assert_close, whose first call costs ~2 s of imports (torch.distributed)."""
    assert actual.shape == expected.shape, f"shape {tuple(actual.shape)} != {tuple(expected.shape)}"
    difference = (actual - expected).abs().max().item() if actual.numel() else 0.0
    assert difference <= atol, f"max difference {difference:.3g} > {atol}:\n{actual}\n{expected}"


def build(name: str) -> Seq2VecEncoder:
    torch.manual_seed(0)
    encoder = Seq2VecEncoder.from_params(dict(CONFIGS[name]))
    return encoder.eval()


def padded_batch(sequences: List[torch.Tensor], extra: int) -> "tuple[torch.Tensor, torch.Tensor]":
    """Right-pad to the longest + `extra`; padded positions hold GARBAGE (not zeros), so an encoder that
    reads them gives different numbers."""
    width = max(len(s) for s in sequences) + extra
    tokens = torch.randn(len(sequences), width, DIM) * 10
    mask = torch.zeros(len(sequences), width, dtype=torch.bool)
    for row, sequence in enumerate(sequences):
        tokens[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = True
    return tokens, mask


def assert_padding_invariant(encoder: Seq2VecEncoder, use_mask: bool = True) -> None:
    generator = torch.Generator().manual_seed(1)
    sequences = [torch.randn(length, DIM, generator=generator) for length in LENGTHS]
    tokens, mask = padded_batch(sequences, EXTRA_PADDING)
    with torch.no_grad():
        batched = encoder(tokens, mask if use_mask else None)
        for row, sequence in enumerate(sequences):
            alone = encoder(sequence.unsqueeze(0), torch.ones(1, len(sequence), dtype=torch.bool))
            assert_close(batched[row], alone[0])


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_padding_never_changes_the_vectors(name: str) -> None:
    assert_padding_invariant(build(name))


def test_the_invariance_check_can_fail() -> None:
    """An encoder that is not told about the padding reads the garbage: the check must notice."""
    with pytest.raises(AssertionError):
        assert_padding_invariant(build("lstm"), use_mask=False)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_shapes_match_get_output_dim(name: str) -> None:
    encoder = build(name)
    assert encoder.get_input_dim() == DIM
    assert encoder.get_output_dim() == EXPECTED_OUTPUT_DIM[name]
    tokens, mask = padded_batch([torch.randn(4, DIM), torch.randn(2, DIM)], extra=1)
    assert encoder(tokens, mask).shape == (2, EXPECTED_OUTPUT_DIM[name])
    assert encoder(tokens).shape == (2, EXPECTED_OUTPUT_DIM[name])  # no mask: every position is real


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_all_padding_rows_give_zeros_not_nan(name: str) -> None:
    encoder = build(name)
    tokens, mask = padded_batch([torch.randn(3, DIM)], extra=2)
    tokens = torch.cat([tokens, torch.randn(1, tokens.size(1), DIM)])
    mask = torch.cat([mask, torch.zeros(1, mask.size(1), dtype=torch.bool)])
    output = encoder(tokens, mask)
    assert torch.isfinite(output).all()
    if name != "cnn_projected":  # a projection adds its bias
        assert torch.equal(output[1], torch.zeros_like(output[1]))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_trains_gradients_reach_the_inputs(name: str) -> None:
    encoder = build(name).train()
    tokens, mask = padded_batch([torch.randn(5, DIM), torch.randn(2, DIM)], extra=1)
    tokens.requires_grad_(True)
    output = encoder(tokens, mask)
    (output * torch.randn_like(output)).sum().backward()  # not a plain sum: LayerNorm outputs sum to 0
    assert tokens.grad is not None and tokens.grad[:, :2].abs().sum() > 0
    assert torch.equal(tokens.grad[1, 2:], torch.zeros_like(tokens.grad[1, 2:]))  # padding gets none


def test_built_from_config_are_the_registered_classes() -> None:
    expected = {"bag_sum": BagOfEmbeddingsEncoder, "cnn": CnnEncoder, "lstm": LstmSeq2VecEncoder,
                "gru": GruSeq2VecEncoder, "transformer": TransformerSeq2VecEncoder}
    for name, cls in expected.items():
        assert type(build(name)) is cls
    assert {"bag_of_embeddings", "cnn", "lstm", "gru", "transformer"} <= set(Seq2VecEncoder.list_available())


def test_bag_of_embeddings_sums_or_averages_the_real_tokens() -> None:
    tokens = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = torch.tensor([[True, True, False]])
    assert torch.equal(BagOfEmbeddingsEncoder(2)(tokens, mask), torch.tensor([[4.0, 6.0]]))
    assert torch.equal(BagOfEmbeddingsEncoder(2, averaged=True)(tokens, mask), torch.tensor([[2.0, 3.0]]))


def test_cnn_padding_cannot_win_the_max() -> None:
    torch.manual_seed(0)
    encoder = CnnEncoder(embedding_dim=2, num_filters=4, ngram_filter_sizes=(1, 2), conv_layer_activation="linear")
    real = torch.randn(1, 3, 2)
    huge_padding = torch.full((1, 4, 2), 1e6)
    tokens = torch.cat([real, huge_padding], dim=1)
    mask = torch.tensor([[True] * 3 + [False] * 4])
    assert_close(encoder(tokens, mask), encoder(real))


def test_cnn_handles_texts_shorter_than_its_largest_filter() -> None:
    encoder = CnnEncoder(embedding_dim=DIM, num_filters=2, ngram_filter_sizes=(2, 3, 4, 5))
    assert encoder(torch.randn(2, 1, DIM)).shape == (2, 8)


def test_cnn_rejects_an_unknown_activation() -> None:
    with pytest.raises(ConfigurationError, match='Did you mean "relu"'):
        Seq2VecEncoder.from_params({"type": "cnn", "embedding_dim": 4, "num_filters": 2,
                                    "conv_layer_activation": "rellu"})


def test_transformer_config_errors_are_clear() -> None:
    with pytest.raises(ConfigurationError, match="divisible by num_attention_heads"):
        Seq2VecEncoder.from_params({"type": "transformer", "embedding_dim": 10, "num_attention_heads": 4})
    with pytest.raises(ConfigurationError, match="pooling"):
        Seq2VecEncoder.from_params({"type": "transformer", "embedding_dim": 8, "pooling": "avg"})


def test_transformer_uses_word_order_only_with_positions() -> None:
    tokens = torch.randn(1, 4, DIM)
    reversed_tokens = tokens.flip(1)
    with_positions, without = build("transformer"), build("transformer_nopos_first")
    without.pooling = "mean"
    with torch.no_grad():
        assert not torch.allclose(with_positions(tokens), with_positions(reversed_tokens), atol=1e-4)
        assert_close(without(tokens), without(reversed_tokens))


def test_transformer_longer_than_max_length_is_a_clear_error() -> None:
    encoder = build("transformer_embedding_max")
    with pytest.raises(ValueError, match="max_length"):
        encoder(torch.randn(1, 33, DIM))


@pytest.mark.parametrize("config, key", [
    ({"type": "lstm", "input_size": 4, "hidden_size": 3}, "input_size"),
    ({"type": "transformer", "input_dim": 4, "num_attention_heads": 2, "num_layers": 1}, "input_dim"),
])
def test_older_spellings_of_the_input_size_are_read_with_a_notice(config, key, capsys):
    encoder = Seq2VecEncoder.from_params(dict(config))
    assert encoder.get_input_dim() == 4
    out = capsys.readouterr().out
    assert f"notice: {key} is the older name of embedding_dim" in out and out.count("\n") == 1


def test_an_older_spelling_is_not_read_when_both_are_given():
    with pytest.raises(ConfigurationError, match='unknown key "input_size"'):
        Seq2VecEncoder.from_params({"type": "lstm", "input_size": 4, "embedding_dim": 4, "hidden_size": 3})
