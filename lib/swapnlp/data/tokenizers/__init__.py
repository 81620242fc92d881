from swapnlp.data.tokenizers.token import Token
from swapnlp.data.tokenizers.tokenizer import Tokenizer
from swapnlp.data.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

__all__ = ["Token", "Tokenizer", "WhitespaceTokenizer"]
