"""Vocabulary: token <-> id maps, one per namespace ("tokens", "labels", ...).

Padded namespaces (all but "*labels" and "*tags") reserve id 0 for padding and id 1 for unknown words
(OOV); label namespaces have neither, so label ids are 0..num_labels-1. Built by counting the instances
of the training data, saved as one text file per namespace.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Protocol, Sequence, Union

from swapnlp.common.atomic import atomic_write_text, remove_stale_temporaries
from swapnlp.common.checks import check_range
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.from_params import Supplied
from swapnlp.common.registry import Registrable


class CountsVocabItems(Protocol):
    """What the vocabulary counts: anything with `count_vocab_items` (an Instance; fields count into it)."""

    def count_vocab_items(self, counter: Dict[str, Counter]) -> None: ...

PADDING_TOKEN = "@@PADDING@@"
OOV_TOKEN = "@@UNKNOWN@@"
DEFAULT_NON_PADDED_NAMESPACES = ("*labels", "*tags")
NON_PADDED_FILE = "non_padded_namespaces.txt"


class Vocabulary(Registrable):
    """Maps tokens to ids per namespace. Build it with `from_instances`, reload it with `from_files`."""

    default_implementation = "from_instances"

    def __init__(
        self,
        counter: Optional[Dict[str, Dict[str, int]]] = None,
        min_count: Optional[Dict[str, int]] = None,
        max_vocab_size: Optional[Dict[str, int]] = None,
        non_padded_namespaces: Sequence[str] = DEFAULT_NON_PADDED_NAMESPACES,
    ) -> None:
        for key, sizes in (("min_count", min_count), ("max_vocab_size", max_vocab_size)):
            for namespace, size in (sizes or {}).items():
                check_range(f"{key}.{namespace}", size, at_least=1)
        self.non_padded_namespaces = list(non_padded_namespaces)
        self._token_to_index: Dict[str, Dict[str, int]] = {}
        self._index_to_token: Dict[str, List[str]] = {}
        for namespace, counts in (counter or {}).items():
            floor = (min_count or {}).get(namespace, 1)
            kept = sorted((t for t, c in counts.items() if c >= floor), key=lambda t: (-counts[t], t))
            limit = (max_vocab_size or {}).get(namespace)
            self.add_tokens(kept[:limit] if limit else kept, namespace)

    def is_padded(self, namespace: str) -> bool:
        return not any(fnmatch.fnmatch(namespace, pattern) for pattern in self.non_padded_namespaces)

    def _ensure(self, namespace: str) -> Dict[str, int]:
        if namespace not in self._index_to_token:
            self._index_to_token[namespace] = []
            self._token_to_index[namespace] = {}
            if self.is_padded(namespace):
                self.add_tokens([PADDING_TOKEN, OOV_TOKEN], namespace)
        return self._token_to_index[namespace]

    def add_tokens(self, tokens: Iterable[str], namespace: str = "tokens") -> None:
        """Append tokens not yet known to `namespace` (ids are given in order)."""
        mapping = self._ensure(namespace)
        for token in tokens:
            if token not in mapping:
                mapping[token] = len(self._index_to_token[namespace])
                self._index_to_token[namespace].append(token)

    # -- building --------------------------------------------------------------------------------
    @classmethod
    def from_instances(
        cls,
        instances: Supplied[Iterable[CountsVocabItems]],
        min_count: Optional[Dict[str, int]] = None,
        max_vocab_size: Optional[Dict[str, int]] = None,
        non_padded_namespaces: Sequence[str] = DEFAULT_NON_PADDED_NAMESPACES,
    ) -> "Vocabulary":
        """Count every token (and label) in `instances`; keep those seen at least `min_count[ns]` times."""
        counter: Dict[str, Counter] = defaultdict(Counter)
        for instance in instances:
            instance.count_vocab_items(counter)
        return cls(counter, min_count, max_vocab_size, non_padded_namespaces)

    @classmethod
    def from_files(cls, directory: Union[str, Path]) -> "Vocabulary":
        """Load a vocabulary written by `save_to_files`."""
        directory = Path(directory)
        if not (directory / NON_PADDED_FILE).exists():
            raise ConfigurationError(f"{directory} is not a saved vocabulary (no {NON_PADDED_FILE}).")
        vocab = cls(non_padded_namespaces=(directory / NON_PADDED_FILE).read_text("utf-8").split("\n")[:-1])
        for path in sorted(directory.glob("*.txt")):
            if path.name != NON_PADDED_FILE:
                tokens = [_unescape(line) for line in path.read_text("utf-8").split("\n")[:-1]]
                vocab._index_to_token[path.stem], vocab._token_to_index[path.stem] = [], {}
                vocab.add_tokens(tokens, path.stem)
        return vocab

    def save_to_files(self, directory: Union[str, Path]) -> None:
        """One file per namespace, one token per line, in id order (written atomically; temporary files an
        interrupted save left behind are removed first)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(directory)
        atomic_write_text(directory / NON_PADDED_FILE, "".join(f"{p}\n" for p in self.non_padded_namespaces))
        for namespace, tokens in self._index_to_token.items():
            atomic_write_text(directory / f"{namespace}.txt", "".join(f"{_escape(t)}\n" for t in tokens))

    # -- lookups ---------------------------------------------------------------------------------
    def get_token_index(self, token: str, namespace: str = "tokens") -> int:
        mapping = self._token_to_index.get(namespace, {})
        if token in mapping:
            return mapping[token]
        if self.is_padded(namespace) and namespace in self._index_to_token:
            return mapping[OOV_TOKEN]
        known = ", ".join(list(mapping)[:10]) or "(empty)"
        raise ConfigurationError(
            f'"{token}" is not in the vocabulary namespace "{namespace}" (known: {known}). '
            f"Labels must be seen in the training data; check the label column of your data."
        )

    def get_token_indices(self, tokens: List[str], namespace: str = "tokens") -> List[int]:
        """The ids of many tokens at once (unknown ones get the OOV id in padded namespaces)."""
        mapping = self._token_to_index.get(namespace, {})
        if self.is_padded(namespace) and OOV_TOKEN in mapping:
            oov = mapping[OOV_TOKEN]
            return [mapping.get(token, oov) for token in tokens]
        return [self.get_token_index(token, namespace) for token in tokens]

    def get_token_from_index(self, index: int, namespace: str = "tokens") -> str:
        return self._index_to_token[namespace][index]

    def get_vocab_size(self, namespace: str = "tokens") -> int:
        return len(self._index_to_token.get(namespace, []))

    def get_index_to_token_vocabulary(self, namespace: str = "tokens") -> Dict[int, str]:
        return dict(enumerate(self._index_to_token.get(namespace, [])))

    def get_token_to_index_vocabulary(self, namespace: str = "tokens") -> Dict[str, int]:
        return dict(self._token_to_index.get(namespace, {}))

    def get_namespaces(self) -> List[str]:
        return list(self._index_to_token)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._index_to_token == other._index_to_token

    def __repr__(self) -> str:
        sizes = ", ".join(f"{ns}: {len(t)}" for ns, t in self._index_to_token.items())
        return f"Vocabulary({sizes})"


Vocabulary.register("from_instances", constructor="from_instances")(Vocabulary)
Vocabulary.register("from_files", constructor="from_files")(Vocabulary)


# Line breaks inside tokens are written as a backslash + n / r: a raw "\r" would be read back as "\n".
_ESCAPES = {"n": "\n", "r": "\r"}


def _escape(token: str) -> str:
    return token.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _unescape(line: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(1)), line)
