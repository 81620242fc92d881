"""PretrainedTransformerEmbedder: the model's own vectors, folding long texts, freezing, layer mixing,
gradient checkpointing, attention dropout; and bert_pooler / cls_pooler / mean_pooler on top of it."""

from __future__ import annotations

import pytest
import torch

from swapnlp.common.errors import ConfigurationError
from swapnlp.data import Vocabulary
from swapnlp.data.fields import TextField
from swapnlp.data.token_indexers import PretrainedTransformerIndexer
from swapnlp.data.tokenizers import PretrainedTransformerTokenizer
from swapnlp.modules.seq2vec_encoders import BertPooler, ClsPooler, MeanPooler, Seq2VecEncoder
from swapnlp.modules.token_embedders import PretrainedTransformerEmbedder, TokenEmbedder

LONG = "the film was good but the plot was dull and the acting was bad , really quite bad"
SHORT = "a fine film"


def batch(folder, texts, max_length=None):
    """The text field tensors of `texts`, as a data loader makes them (padded to the longest)."""
    tokenizer = PretrainedTransformerTokenizer(str(folder))
    indexer = PretrainedTransformerIndexer(str(folder), max_length=max_length)
    fields = [TextField(tokenizer.tokenize(text), {"bert": indexer}) for text in texts]
    for field in fields:
        field.index(Vocabulary())
    lengths = {key: max(f.get_padding_lengths()[key] for f in fields) for key in fields[0].get_padding_lengths()}
    return fields[0].batch_tensors([f.as_tensor(lengths) for f in fields])["bert"]


@pytest.fixture
def embedder(tiny_bert):
    torch.manual_seed(0)
    return PretrainedTransformerEmbedder(tiny_bert).eval()


def test_vectors_are_the_models_own(tiny_bert, embedder):
    from transformers import AutoModel

    tensors = batch(tiny_bert, [SHORT])
    expected = AutoModel.from_pretrained(tiny_bert).eval()(input_ids=tensors["token_ids"]).last_hidden_state
    got = embedder(**tensors)
    assert got.shape == (1, tensors["token_ids"].shape[1], embedder.get_output_dim())
    assert torch.allclose(got, expected, atol=1e-5)


def test_padding_never_changes_a_texts_vectors(tiny_bert, embedder):
    alone = embedder(**batch(tiny_bert, [SHORT]))
    padded = embedder(**batch(tiny_bert, [SHORT, LONG]))[:1, : alone.shape[1]]
    assert torch.allclose(alone, padded, atol=1e-5)


def test_folding_a_text_that_fits_in_one_segment_changes_nothing(tiny_bert, embedder):
    plain = embedder(**batch(tiny_bert, [SHORT]))
    folding = PretrainedTransformerEmbedder(tiny_bert, max_length=16).eval()
    folding.load_state_dict(embedder.state_dict())
    assert torch.allclose(folding(**batch(tiny_bert, [SHORT], max_length=16)), plain, atol=1e-5)


def test_folding_runs_short_texts_at_their_own_length_not_the_segment_length(tiny_bert, embedder):
    """Snippets folded with max_length 256 must not cost 256 positions each: padding columns that no
    segment of the batch uses are cut before the model runs, and the vectors stay the same."""
    folding = PretrainedTransformerEmbedder(tiny_bert, max_length=256).eval()
    folding.load_state_dict(embedder.state_dict())
    widths = []
    folding.transformer.register_forward_hook(lambda module, args, kwargs, output: widths.append(
        kwargs["input_ids"].shape[1]), with_kwargs=True)
    tensors = batch(tiny_bert, [SHORT, LONG], max_length=256)
    assert tensors["segment_ids"].shape[1] == 256  # the indexer lays each text out in a full segment
    vectors = folding(**tensors)
    assert widths == [tensors["token_ids"].shape[1]]  # the model ran at the longest text's length
    plain = batch(tiny_bert, [SHORT, LONG])
    real = plain["mask"].bool()  # padding positions hold nothing meaningful in either
    assert torch.allclose(vectors[real], embedder(**plain)[real], atol=1e-5)


def test_folding_embeds_each_segment_and_puts_every_token_back_in_place(tiny_bert, embedder):
    folding = PretrainedTransformerEmbedder(tiny_bert, max_length=6).eval()
    folding.load_state_dict(embedder.state_dict())
    tensors = batch(tiny_bert, [LONG, SHORT], max_length=6)
    vectors = folding(**{k: v for k, v in tensors.items()})
    assert vectors.shape[:2] == tensors["token_ids"].shape  # one vector per wordpiece of the whole text
    # wordpieces 1..4 of the long text were the first segment: [CLS] w1 w2 w3 w4 [SEP], embedded on its own
    ids = tensors["token_ids"][0]
    first_segment = torch.cat([ids[:5], ids[-1:]]).unsqueeze(0)
    alone = embedder(token_ids=first_segment, mask=torch.ones_like(first_segment))
    assert torch.allclose(vectors[0, :5], alone[0, :5], atol=1e-5)
    # the short text, padded in this batch, gets what it gets alone
    short_alone = embedder(**batch(tiny_bert, [SHORT]))
    assert torch.allclose(vectors[1, : short_alone.shape[1]], short_alone[0], atol=1e-5)


def test_a_text_longer_than_the_model_without_max_length_is_a_clear_error(tiny_bert, embedder):
    ids = torch.full((1, 600), 5)  # the tiny model has 512 positions, as BERT has
    with pytest.raises(ConfigurationError, match="max_length"):
        embedder(token_ids=ids, mask=torch.ones_like(ids))


def test_max_length_on_only_one_side_is_a_clear_error(tiny_bert):
    folding = PretrainedTransformerEmbedder(tiny_bert, max_length=8)
    with pytest.raises(ConfigurationError, match="indexer"):
        folding(**batch(tiny_bert, [SHORT]))
    other = PretrainedTransformerEmbedder(tiny_bert, max_length=7)
    with pytest.raises(ConfigurationError, match="does not match"):
        other(**batch(tiny_bert, [LONG], max_length=6))


def test_frozen_transformer_gets_no_gradients_and_no_dropout(tiny_bert):
    frozen = PretrainedTransformerEmbedder(tiny_bert, train_parameters=False).train()
    tensors = batch(tiny_bert, [SHORT])
    first, second = frozen(**tensors), frozen(**tensors)
    assert torch.equal(first, second)  # dropout is off in a frozen feature extractor
    assert not first.requires_grad
    assert all(not p.requires_grad for p in frozen.transformer.parameters())


def test_mixing_all_layers_learns_one_weight_per_layer(tiny_bert):
    mixed = PretrainedTransformerEmbedder(tiny_bert, last_layer_only=False).eval()
    assert mixed.layer_weights.shape == (mixed.transformer.config.num_hidden_layers + 1,)
    vectors = mixed(**batch(tiny_bert, [SHORT]))
    vectors.sum().backward()
    assert mixed.layer_weights.grad is not None and mixed.layer_weights.grad.abs().sum() > 0
    with torch.no_grad():  # all the weight on the top layer gives the top layer
        mixed.layer_weights.copy_(torch.tensor([-1e4, -1e4, 0.0]))
    top = PretrainedTransformerEmbedder(tiny_bert).eval()
    assert torch.allclose(mixed(**batch(tiny_bert, [SHORT])), top(**batch(tiny_bert, [SHORT])), atol=1e-4)


def test_gradient_checkpointing_gives_the_same_gradients(tiny_bert):
    def gradients(checkpointing):
        torch.manual_seed(0)
        model = PretrainedTransformerEmbedder(tiny_bert, gradient_checkpointing=checkpointing)
        model.train()
        assert model.transformer.is_activation_checkpointing == checkpointing
        torch.manual_seed(1)
        model(**batch(tiny_bert, [LONG])).pow(2).sum().backward()
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    plain, checkpointed = gradients(False), gradients(True)
    assert plain.keys() == checkpointed.keys()
    assert all(torch.allclose(plain[n], checkpointed[n], atol=1e-4) for n in plain)


@pytest.mark.parametrize("architecture", ["bert", "roberta", "distilbert"])
def test_every_architecture_embeds_by_its_folder_name(tiny_transformers, architecture):
    folder = str(tiny_transformers[architecture])
    embedder = TokenEmbedder.from_params({"type": "pretrained_transformer", "model_name": folder, "max_length": 6})
    vectors = embedder.eval()(**batch(folder, [LONG, SHORT], max_length=6))
    assert vectors.shape[-1] == embedder.get_output_dim() == 32 and torch.isfinite(vectors).all()


@pytest.mark.parametrize("architecture", ["bert", "roberta", "distilbert"])
def test_attention_dropout_reaches_every_attention_layer_and_changes_no_weight(tiny_transformers, architecture):
    folder = str(tiny_transformers[architecture])
    torch.manual_seed(0)
    default = PretrainedTransformerEmbedder(folder)
    torch.manual_seed(0)
    quiet = PretrainedTransformerEmbedder(folder, attention_dropout=0.0)
    attention_dropouts = [m.dropout.p for name, m in quiet.transformer.named_modules()
                          if name.endswith("attention") or name.endswith("attention.self")
                          if isinstance(getattr(m, "dropout", None), torch.nn.Dropout)]
    assert attention_dropouts and all(p == 0.0 for p in attention_dropouts)
    tensors = batch(folder, [LONG, SHORT], max_length=6)
    default.max_length = quiet.max_length = 6
    assert torch.equal(default.eval()(**tensors), quiet.eval()(**tensors))  # same weights, same eval output


def test_attention_dropout_is_used_in_training_only(tiny_bert):
    tensors = batch(tiny_bert, [LONG])
    outputs = {}
    for rate in (0.0, 0.0, 0.5):
        torch.manual_seed(0)
        embedder = PretrainedTransformerEmbedder(tiny_bert, attention_dropout=rate).train()
        torch.manual_seed(1)
        outputs.setdefault(rate, []).append(embedder(**tensors))
    assert torch.equal(outputs[0.0][0], outputs[0.0][1])         # same seed, same dropout masks
    assert not torch.allclose(outputs[0.0][0], outputs[0.5][0])  # dropping attention weights changes vectors


def test_attention_dropout_out_of_range_is_a_clear_error(tiny_bert):
    with pytest.raises(ConfigurationError, match=r"attention_dropout must be >= 0 and < 1, got 1.5"):
        PretrainedTransformerEmbedder(tiny_bert, attention_dropout=1.5)


# -- poolers ------------------------------------------------------------------------------------------
def test_bert_pooler_starts_from_the_pretrained_pooler_weights(tiny_bert):
    from transformers import AutoModel

    pooler = Seq2VecEncoder.from_params({"type": "bert_pooler", "model_name": tiny_bert})
    reference = AutoModel.from_pretrained(tiny_bert).pooler.dense
    assert isinstance(pooler, BertPooler) and pooler.loaded_pretrained_weights
    assert torch.equal(pooler.dense.weight, reference.weight)
    tokens = torch.randn(2, 5, 32)
    assert torch.allclose(pooler.eval()(tokens, torch.ones(2, 5, dtype=torch.bool)),
                          torch.tanh(reference(tokens[:, 0])), atol=1e-6)


def test_bert_pooler_without_pretrained_weights_starts_fresh_and_can_be_frozen(tiny_transformers):
    pooler = BertPooler(str(tiny_transformers["distilbert"]), requires_grad=False)
    assert not pooler.loaded_pretrained_weights  # DistilBERT has no pooler
    assert pooler.get_input_dim() == pooler.get_output_dim() == 32
    assert not any(p.requires_grad for p in pooler.parameters())


def test_cls_pooler_takes_the_first_or_the_last_real_token():
    tokens = torch.arange(2 * 4 * 3, dtype=torch.float).view(2, 4, 3)
    mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
    assert torch.equal(ClsPooler(3)(tokens, mask), tokens[:, 0])
    assert torch.equal(ClsPooler(3, cls_is_last_token=True)(tokens, mask), torch.stack([tokens[0, 2], tokens[1, 1]]))


@pytest.mark.parametrize("architecture", ["bert", "roberta", "distilbert"])
def test_mean_pooler_averages_the_real_tokens_at_the_models_size(tiny_transformers, architecture):
    folder = str(tiny_transformers[architecture])
    pooler = Seq2VecEncoder.from_params({"type": "mean_pooler", "model_name": folder})
    assert isinstance(pooler, MeanPooler) and pooler.get_input_dim() == pooler.get_output_dim() == 32
    assert list(pooler.parameters()) == []
    tokens = torch.randn(2, 4, 32)
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    pooled = pooler(tokens, mask)
    assert torch.allclose(pooled[0], tokens[0, :3].mean(dim=0)) and torch.allclose(pooled[1], tokens[1, 0])
    assert torch.allclose(pooler(tokens), tokens.mean(dim=1))
