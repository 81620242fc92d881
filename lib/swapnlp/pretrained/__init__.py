"""Pretrained transformers, offline: which folder a model name means, loading it, tiny test models.

    catalog.py   model names -> local folders (packaged models, the HF cache); `resolve_model_path`
    loading.py   tokenizers (cached per process), configs and models from those folders
    tiny.py      tiny random models of several architectures, written like real ones (tests, quick examples)

Importing this package is cheap: transformers loads only when a tokenizer or model does.
"""

from swapnlp.pretrained.catalog import (CATALOG, PackagedModel, assemble_mpnet, packaged_models,
                                        resolve_model_path)

__all__ = ["CATALOG", "PackagedModel", "assemble_mpnet", "packaged_models", "resolve_model_path"]
