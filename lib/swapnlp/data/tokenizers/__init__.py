from swapnlp.data.tokenizers.token import Token
from swapnlp.data.tokenizers.tokenizer import Tokenizer
from swapnlp.data.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from swapnlp.data.tokenizers.pretrained_transformer_tokenizer import PretrainedTransformerTokenizer

__all__ = ["Token", "Tokenizer", "WhitespaceTokenizer", "PretrainedTransformerTokenizer"]
