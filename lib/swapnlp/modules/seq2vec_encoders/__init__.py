"""Seq2Vec encoders: a sequence of token vectors -> one vector. Importing registers the built-ins."""

from swapnlp.modules.seq2vec_encoders.seq2vec_encoder import Seq2VecEncoder
from swapnlp.modules.seq2vec_encoders.bag_of_embeddings import BagOfEmbeddingsEncoder
from swapnlp.modules.seq2vec_encoders.cnn import CnnEncoder
from swapnlp.modules.seq2vec_encoders.rnn import GruSeq2VecEncoder, LstmSeq2VecEncoder
from swapnlp.modules.seq2vec_encoders.transformer import TransformerSeq2VecEncoder
from swapnlp.modules.seq2vec_encoders.bert_pooler import BertPooler
from swapnlp.modules.seq2vec_encoders.cls_pooler import ClsPooler
from swapnlp.modules.seq2vec_encoders.mean_pooler import MeanPooler

__all__ = [
    "Seq2VecEncoder", "BagOfEmbeddingsEncoder", "CnnEncoder", "LstmSeq2VecEncoder", "GruSeq2VecEncoder",
    "TransformerSeq2VecEncoder", "BertPooler", "ClsPooler", "MeanPooler",
]
