"""Data: tokens -> fields -> instances -> vocabulary -> padded batches.

Importing this package registers every built-in tokenizer, indexer, reader and data loader.
"""

from swapnlp.data.batch import TensorDict, batch_instances
from swapnlp.data.data_loaders import DataLoader, SimpleDataLoader
from swapnlp.data.dataset_readers import ClassificationTsvReader, DatasetReader
from swapnlp.data.fields import Field, LabelField, TextField, TextFieldTensors
from swapnlp.data.instance import Instance
from swapnlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from swapnlp.data.tokenizers import Token, Tokenizer, WhitespaceTokenizer
from swapnlp.data.vocabulary import Vocabulary

__all__ = [
    "TensorDict", "batch_instances", "DataLoader", "SimpleDataLoader", "ClassificationTsvReader",
    "DatasetReader", "Field", "LabelField", "TextField", "TextFieldTensors", "Instance",
    "SingleIdTokenIndexer", "TokenIndexer", "Token", "Tokenizer", "WhitespaceTokenizer", "Vocabulary",
]
