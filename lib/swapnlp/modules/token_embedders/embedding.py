"""Embedding: a lookup table, one trainable vector per token id ("embedding" in configs).

    forward(tokens: LongTensor (batch, num_tokens)) -> FloatTensor (batch, num_tokens, embedding_dim)

The table has one row per id of a vocabulary namespace. Its size comes from `num_embeddings`, or, when
that is not set, from the vocabulary handed over at construction (`vocab=`, as `from_params` does):

    {"type": "embedding", "embedding_dim": 50}                                  # size from the vocab
    {"type": "embedding", "embedding_dim": 100, "pretrained_file": "glove.6B.100d.txt.gz"}

`pretrained_file` is a GloVe-style text file, one word per line followed by its numbers
(`the 0.418 0.24968 ...`), optionally gzipped. Words of the vocabulary found in the file start from their
pretrained vectors; the others start random (normal, with the mean and std of the vectors found).
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Dict, Iterator, Optional, TextIO, Tuple

import torch

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Supplied
from swapnlp.data.vocabulary import Vocabulary
from swapnlp.modules.token_embedders.token_embedder import TokenEmbedder


@TokenEmbedder.register("embedding")
class Embedding(TokenEmbedder):
    """A (num_embeddings, embedding_dim) table of vectors, looked up by token id.

    padding_index: the row for padding (id 0 by default) starts at zero and gets no gradient.
    max_norm: if set, vectors longer than this are rescaled to this norm when they are looked up.
    trainable: False freezes the table (useful with pretrained vectors).
    """

    def __init__(
        self,
        embedding_dim: int,
        num_embeddings: Optional[int] = None,
        vocab_namespace: str = "tokens",
        trainable: bool = True,
        pretrained_file: Optional[str] = None,
        padding_index: Optional[int] = 0,
        max_norm: Optional[float] = None,
        vocab: Supplied[Optional[Vocabulary]] = None,
    ) -> None:
        super().__init__()
        check_range("embedding_dim", embedding_dim, at_least=1)
        check_range("num_embeddings", num_embeddings, at_least=1)
        check_range("max_norm", max_norm, above=0)
        if num_embeddings is None:
            num_embeddings = _size_from_vocab(vocab, vocab_namespace)
        if padding_index is not None and not 0 <= padding_index < num_embeddings:
            raise ConfigurationError(
                f"Embedding padding_index={padding_index} is outside the table (0..{num_embeddings - 1}).")
        self.embedding_dim = embedding_dim
        self.num_embeddings = num_embeddings
        self.padding_index = padding_index
        self.max_norm = max_norm

        if pretrained_file is not None:
            if vocab is None:
                raise ConfigurationError(
                    f"Embedding with pretrained_file={pretrained_file!r} needs the vocabulary to know which "
                    f"word each row is for: build it with from_params(..., vocab=vocab) or pass vocab=.")
            weight = read_pretrained_vectors(pretrained_file, embedding_dim, vocab, vocab_namespace,
                                             num_embeddings)
        else:
            weight = torch.empty(num_embeddings, embedding_dim)
            torch.nn.init.xavier_uniform_(weight)
        if padding_index is not None:
            weight[padding_index].fill_(0.0)
        self.weight = torch.nn.Parameter(weight, requires_grad=trainable)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: LongTensor (batch, num_tokens) of ids -> (batch, num_tokens, embedding_dim)."""
        return torch.nn.functional.embedding(
            tokens, self.weight, padding_idx=self.padding_index, max_norm=self.max_norm)

    def get_output_dim(self) -> int:
        return self.embedding_dim

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, padding_index={self.padding_index}"


def _size_from_vocab(vocab: Optional[Vocabulary], namespace: str) -> int:
    if vocab is None:
        raise ConfigurationError(
            "Embedding needs its number of rows: set num_embeddings, or build it with a vocabulary "
            "(from_params(..., vocab=vocab), which the model does for you) so the size is "
            f'vocab.get_vocab_size("{namespace}").')
    size = vocab.get_vocab_size(namespace)
    if size == 0:
        raise ConfigurationError(
            f'Embedding vocab_namespace "{namespace}" is empty or missing in the vocabulary '
            f"(namespaces: {', '.join(vocab.get_namespaces()) or '(none)'}). "
            f"Set vocab_namespace to the namespace your token indexer writes to.")
    return size


def read_pretrained_vectors(
    path: str, embedding_dim: int, vocab: Vocabulary, namespace: str, num_embeddings: int
) -> torch.Tensor:
    """A (num_embeddings, embedding_dim) matrix: the file's vectors for the vocabulary's words, random
    (normal, the found vectors' mean and std) for the rest. Row i is for vocab word i of `namespace`."""
    if not Path(path).exists():
        raise ConfigurationError(f"pretrained_file not found: {path}")
    token_to_index = vocab.get_token_to_index_vocabulary(namespace)
    found: Dict[int, torch.Tensor] = {}
    for line_number, word, values in _vector_lines(path, embedding_dim):
        index = token_to_index.get(word)
        if index is not None and index < num_embeddings and index not in found:
            try:
                found[index] = torch.tensor([float(v) for v in values])
            except ValueError:
                raise ConfigurationError(f"{path}:{line_number}: the vector of {word!r} is not all "
                                         f"numbers.") from None
    if not found:
        raise ConfigurationError(
            f"none of the {len(token_to_index)} words of vocabulary namespace \"{namespace}\" is in {path}. "
            f"Is it the right file (and the same lowercasing as your token indexer)?")
    known = torch.stack(list(found.values()))
    mean = known.mean().item()
    std = known.std().item() if known.numel() > 1 else 1.0
    weight = torch.empty(num_embeddings, embedding_dim).normal_(mean, std if math.isfinite(std) else 1.0)
    for index, vector in found.items():
        weight[index] = vector
    return weight


def _vector_lines(path: str, embedding_dim: int) -> Iterator[Tuple[int, str, list]]:
    """(line number, word, its values as strings) for each line; checks every line's dimension."""
    with _open_text(path) as file:
        for line_number, line in enumerate(file, start=1):
            fields = line.rstrip().split(" ")
            if fields == [""]:
                continue  # blank line
            if line_number == 1 and len(fields) == 2 and all(f.isdigit() for f in fields):
                continue  # a word2vec-style header: "<number of words> <dimension>"
            word, values = fields[0], fields[1:]
            if len(values) != embedding_dim:
                raise ConfigurationError(
                    f"{path}:{line_number}: the vector of {word!r} has {len(values)} values but "
                    f"embedding_dim is {embedding_dim}. Set embedding_dim to the file's dimension.")
            yield line_number, word, values


def _open_text(path: str) -> TextIO:
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, "r", encoding="utf-8")
