from swapnlp.predictors.predictor import JsonDict, Predictor
from swapnlp.predictors.sentence_classifier import SentenceClassifierPredictor

__all__ = ["JsonDict", "Predictor", "SentenceClassifierPredictor"]
