"""PretrainedTransformerIndexer ("pretrained_transformer"): wordpieces -> the ids a pretrained model reads.

    {"token_ids": [101, 1037, 2307, 102], "mask": [1, 1, 1, 1], "type_ids": [0, 0, 0, 0]}

With `max_length` it also lays a long text out as segments the model can take (folding): the wordpieces are
cut into chunks of max_length - 2, and each chunk gets its own [CLS] ... [SEP]:

    segment_ids:  [CLS] w1 .. w510 [SEP] [CLS] w511 .. w900 [SEP] [PAD] ..   (a multiple of max_length)
    positions:    for each token of token_ids, where its vector is in the flattened segments

so the embedder can run the model segment by segment and put every token's vector back in place.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from swapnlp.pretrained.loading import get_tokenizer
from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.data.token_indexers.token_indexer import IndexedTokens, TokenIndexer
from swapnlp.data.tokenizers.pretrained_transformer_tokenizer import special_token_ids
from swapnlp.data.tokenizers.token import Token
from swapnlp.data.vocabulary import Vocabulary


@TokenIndexer.register("pretrained_transformer")
class PretrainedTransformerIndexer(TokenIndexer):
    """model_name: the same name as the tokenizer's (its wordpiece ids are used as they are).
    max_length: fold texts longer than this into segments of this length (set the embedder's max_length too).
    The model's own vocabulary is used: nothing is added to the swapnlp Vocabulary."""

    def __init__(self, model_name: str, max_length: Optional[int] = None, token_min_padding_length: int = 0) -> None:
        super().__init__(token_min_padding_length)
        check_range("max_length", max_length, at_least=1)
        self.model_name, self.max_length = model_name, max_length
        self.tokenizer = get_tokenizer(model_name)
        self._special = special_token_ids(self.tokenizer)
        self._start, self._end = len(self._special[0]), len(self._special[1])
        if max_length is not None and max_length <= self._start + self._end:
            raise ConfigurationError(f"token_indexers: max_length {max_length} leaves no room for wordpieces.")

    def padding_value(self, key: str) -> int:
        return self.tokenizer.pad_token_id or 0 if key in ("token_ids", "segment_ids") else 0

    def tokens_to_indices(self, tokens: List[Token], vocab: Vocabulary) -> IndexedTokens:
        if tokens and any(token.text_id is None for token in tokens):
            raise ConfigurationError(
                f'the pretrained_transformer indexer got tokens without wordpiece ids (e.g. "{tokens[0].text}"): '
                f'use dataset_reader.tokenizer {{"type": "pretrained_transformer", "model_name": '
                f'"{self.model_name}"}} with this indexer.')
        ids = [token.text_id for token in tokens]
        indexed: IndexedTokens = {"token_ids": ids, "mask": [1] * len(ids),
                                  "type_ids": [token.type_id or 0 for token in tokens]}
        if self.max_length is not None:
            indexed.update(self._fold(ids, indexed["type_ids"]))
        return indexed

    def _fold(self, ids: List[int], type_ids: List[int]) -> Dict[str, List[int]]:
        """Segments of max_length (each with its own special tokens) and where each token lands in them."""
        start, end, length = self._start, self._end, self.max_length
        body, body_types = ids[start:len(ids) - end], type_ids[start:len(ids) - end]
        size = length - start - end  # wordpieces per segment
        chunks = [range(i, min(i + size, len(body))) for i in range(0, len(body), size)] or [range(0)]
        folded: Dict[str, List[int]] = {"segment_ids": [], "segment_mask": [], "segment_type_ids": [], "positions": []}
        for number, chunk in enumerate(chunks):
            offset = number * length
            if number == 0:  # the text's leading special tokens take segment 0's
                folded["positions"] += range(offset, offset + start)
            folded["positions"] += range(offset + start, offset + start + len(chunk))
            if number == len(chunks) - 1:  # and its trailing ones the last segment's
                folded["positions"] += range(offset + start + len(chunk), offset + start + len(chunk) + end)
            segment = self._special[0] + [body[i] for i in chunk] + self._special[1]
            pad = length - len(segment)
            folded["segment_ids"] += segment + [self.padding_value("segment_ids")] * pad
            folded["segment_mask"] += [1] * len(segment) + [0] * pad
            folded["segment_type_ids"] += [0] * start + [body_types[i] for i in chunk] + [0] * (end + pad)
        return folded
