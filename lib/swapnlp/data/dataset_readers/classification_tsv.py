"""Reads `text<TAB>label` lines into {"text": TextField, "label": LabelField} instances.

A first line that names the columns (`text<TAB>label`, `sentence<TAB>label`, ...) is a header: it is
skipped, with a one-line notice, rather than read as an example labelled "label".
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Literal, Optional

from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.data.dataset_readers.dataset_reader import DatasetReader, text_lines
from swapnlp.data.fields import LabelField, TextField
from swapnlp.data.instance import Instance
from swapnlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from swapnlp.data.tokenizers import Tokenizer, WhitespaceTokenizer
from swapnlp.data.tokenizers.truncate import truncate_keeping_special


@DatasetReader.register("classification-tsv")
class ClassificationTsvReader(DatasetReader):
    """Each line: the text, a tab, the label.

    tokenizer: how to split the text (default: whitespace).
    token_indexers: name -> indexer (default: {"tokens": single_id}); the model's embedder must have a
        token embedder of the same name.
    max_tokens: cut longer texts to this many tokens, keeping by `truncation` the "head" (first tokens),
        the "tail" (last tokens, where reviews often give their verdict) or "head+tail" (half of each).
    """

    def __init__(
        self,
        tokenizer: Optional[Tokenizer] = None,
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        max_tokens: Optional[int] = None,
        truncation: Literal["head", "tail", "head+tail"] = "head",
        max_instances: Optional[int] = None,
    ) -> None:
        super().__init__(max_instances)
        check_range("max_tokens", max_tokens, at_least=1)
        self.tokenizer = tokenizer or WhitespaceTokenizer()
        self.token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}
        self.max_tokens, self.truncation = max_tokens, truncation

    def _read(self, file_path: Path) -> Iterable[Instance]:
        first = True
        for number, line in text_lines(file_path):
            if not line.strip():
                continue
            columns = line.split("\t")
            if first and is_header(columns):
                print(f"notice: {file_path}:{number}: skipped the header line {line[:60]!r} "
                      f"(the data lines are `text<TAB>label`)")
                first = False
                continue
            first = False
            if len(columns) != 2 or not columns[0].strip() or not columns[1].strip():
                problem = (f"found {len(columns)} tab-separated columns" if len(columns) != 2
                           else "the text is empty" if not columns[0].strip() else "the label is empty")
                raise ConfigurationError(
                    f"{file_path}:{number}: expected `text<TAB>label` (2 columns, both non-empty) but "
                    f"{problem}: {line[:80]!r}. Replace tabs inside the text with spaces.")
            yield self.text_to_instance(columns[0], columns[1].strip())

    def text_to_instance(self, text: str, label: Optional[str] = None) -> Instance:  # type: ignore[override]
        """One example; `label` is None at prediction time."""
        tokens = self.tokenizer.tokenize(text)
        if self.max_tokens is not None:
            tokens = truncate_keeping_special(tokens, self.max_tokens, self.truncation,
                                              self.tokenizer.num_special_tokens())
        fields = {"text": TextField(tokens, self.token_indexers)}
        if label is not None:
            fields["label"] = LabelField(label)
        return Instance(fields)


TEXT_COLUMN_NAMES = {"text", "sentence", "review", "document", "content"}
LABEL_COLUMN_NAMES = {"label", "labels", "sentiment", "class", "category", "polarity"}


def is_header(columns: List[str]) -> bool:
    """Does this line name the columns (`text<TAB>label`) rather than hold an example?"""
    return (len(columns) == 2 and columns[0].strip().lower() in TEXT_COLUMN_NAMES
            and columns[1].strip().lower() in LABEL_COLUMN_NAMES)
