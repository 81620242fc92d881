from swapnlp.data.dataset_readers.dataset_reader import DatasetReader
from swapnlp.data.dataset_readers.classification_tsv import ClassificationTsvReader

__all__ = ["DatasetReader", "ClassificationTsvReader"]
