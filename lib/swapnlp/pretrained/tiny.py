"""Tiny, randomly initialised transformers of several architectures, written to a folder like a real
pretrained model (config.json + model.safetensors + tokenizer files). Tests, and the course's quick
examples, use them to check that any architecture plugs in by its folder name, without any download.

    folder = write_tiny_transformer("roberta", tmp_path / "tiny-roberta")
    PretrainedTransformerEmbedder(str(folder))
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

ARCHITECTURES = ("bert", "roberta", "distilbert")
WORDS = ("the a an film movie plot acting story cast was is were really quite very good great fine fun bad "
         "awful dull boring , . ! ? and but not this that it").split()


def write_tiny_transformer(architecture: str, folder: Path, hidden_size: int = 32, num_layers: int = 2,
                           max_position_embeddings: int = 512, seed: int = 0, words: Iterable[str] = WORDS) -> Path:
    """Write a random `architecture` ("bert", "roberta" or "distilbert") model and its tokenizer to `folder`.
    512 positions by default, as the real models have, so a tiny model slots into the same configs."""
    import torch
    from transformers import AutoConfig, AutoModel

    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _roberta_tokenizer(words) if architecture == "roberta" else _wordpiece_tokenizer(words)
    tokenizer.save_pretrained(str(folder))
    sizes = {"vocab_size": len(tokenizer), "max_position_embeddings": max_position_embeddings,
             "pad_token_id": tokenizer.pad_token_id}
    if architecture == "distilbert":
        config = AutoConfig.for_model("distilbert", dim=hidden_size, n_layers=num_layers, n_heads=2,
                                      hidden_dim=2 * hidden_size, **sizes)
    else:
        extra = {"max_position_embeddings": max_position_embeddings + 2} if architecture == "roberta" else {}
        config = AutoConfig.for_model(architecture, hidden_size=hidden_size, num_hidden_layers=num_layers,
                                      num_attention_heads=2, intermediate_size=2 * hidden_size,
                                      **{**sizes, **extra})
    torch.manual_seed(seed)
    from transformers.utils import logging

    logging.disable_progress_bar()  # no "Writing model shards" bar
    try:
        AutoModel.from_config(config).save_pretrained(str(folder))
    finally:
        logging.enable_progress_bar()
    return folder


def _wordpiece_tokenizer(words: Iterable[str]):
    from transformers import BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set(words)) + [f"##{c}" for c in "abcdefghij"]
    return BertTokenizerFast(vocab={word: index for index, word in enumerate(vocab)}, do_lower_case=True)


def _roberta_tokenizer(words: Iterable[str]):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([" ".join(words)] * 4, vocab_size=300, min_frequency=1, special_tokens=specials,
                            show_progress=False)
    from tokenizers.processors import RobertaProcessing

    bpe.post_processor = RobertaProcessing(("</s>", bpe.token_to_id("</s>")), ("<s>", bpe.token_to_id("<s>")))
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", mask_token="<mask>", cls_token="<s>", sep_token="</s>")
