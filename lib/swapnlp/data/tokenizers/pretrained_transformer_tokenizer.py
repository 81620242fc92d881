"""PretrainedTransformerTokenizer ("pretrained_transformer"): text -> the wordpieces a pretrained model knows.

    tokenizer = PretrainedTransformerTokenizer("minilm")
    tokenizer.tokenize("A great film")  # [CLS] a great film [SEP], each Token with its vocabulary id

The tokens keep their ids (`text_id`, `type_id`), so the `pretrained_transformer` indexer only reads them.
"""

from __future__ import annotations

from typing import List, Literal, Optional, Tuple

from swapnlp.pretrained.loading import get_tokenizer
from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.data.tokenizers.token import Token
from swapnlp.data.tokenizers.tokenizer import Tokenizer
from swapnlp.data.tokenizers.truncate import truncate


@Tokenizer.register("pretrained_transformer")
class PretrainedTransformerTokenizer(Tokenizer):
    """model_name: a hub id, catalog alias ("minilm") or folder (see swapnlp/pretrained/catalog.py).
    add_special_tokens: put the model's [CLS]/[SEP] (or <s>/</s>) around the text.
    max_length: at most this many tokens, special ones included; the wordpieces kept are the first ("head"),
        the last ("tail") or half of each ("head+tail") by `truncation`. None = keep all (the embedder can
        then fold a long text into segments, see PretrainedTransformerEmbedder's max_length).
    """

    def __init__(self, model_name: str, add_special_tokens: bool = True, max_length: Optional[int] = None,
                 truncation: Literal["head", "tail", "head+tail"] = "head") -> None:
        check_range("max_length", max_length, at_least=1)
        self.model_name = model_name
        self.tokenizer = get_tokenizer(model_name)
        self.add_special_tokens, self.max_length, self.truncation = add_special_tokens, max_length, truncation
        self._special = special_token_ids(self.tokenizer) if add_special_tokens else ([], [])
        self._start, self._end = len(self._special[0]), len(self._special[1])
        if max_length is not None and max_length <= self._start + self._end:
            raise ConfigurationError(f"tokenizer.max_length is {max_length}: it must leave room for at least one "
                                     f"wordpiece besides the {self._start + self._end} special tokens.")

    def num_special_tokens(self) -> Tuple[int, int]:
        return self._start, self._end

    def tokenize(self, text: str) -> List[Token]:
        encoding = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True,
                                  return_attention_mask=False, return_token_type_ids=False,
                                  verbose=False)  # no "longer than 512" warning: max_length or folding handle it
        pieces = encoding.tokens()
        body = [Token(piece, text_id=id_, type_id=0, idx=start)
                for piece, id_, (start, _) in zip(pieces, encoding["input_ids"], encoding["offset_mapping"])]
        if self.max_length is not None:
            body = truncate(body, self.max_length - self._start - self._end, self.truncation)
        return self.add_special_tokens_to(body) if self.add_special_tokens else body

    def add_special_tokens_to(self, body: List[Token]) -> List[Token]:
        """[w1 ... wn] -> [CLS] w1 ... wn [SEP] (the model's own special tokens and layout)."""
        start_ids, end_ids = self._special
        convert = self.tokenizer.convert_ids_to_tokens
        return ([Token(piece, text_id=id_, type_id=0) for piece, id_ in zip(convert(start_ids), start_ids)] + body
                + [Token(piece, text_id=id_, type_id=0) for piece, id_ in zip(convert(end_ids), end_ids)])


def special_token_ids(tokenizer) -> Tuple[List[int], List[int]]:
    """The ids a tokenizer puts before and after a single text: ([101], [102]) for BERT's [CLS] ... [SEP]."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    first = next(i for i in range(len(full)) if full[i:i + len(plain)] == plain)
    return full[:first], full[first + len(plain):]
