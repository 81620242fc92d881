"""The configs in configs/: each evaluates and builds; bert.jsonnet is the bag-of-embeddings config with only
the guide's four changes; an AllenNLP guide-style BERT config runs with only its model name and data paths
changed; and changing only model_name swaps the architecture."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from swapnlp.common.params import Params

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted(p.name for p in (ROOT / "configs").glob("*.jsonnet")  # (tunable ones need their variables:
                  if "std.extVar" not in p.read_text())                   #  tests/tuning covers them)
FOUR_CHANGES = {  # what the guide swaps to go from a bag of embeddings to BERT
    "dataset_reader.tokenizer", "dataset_reader.token_indexers",             # 1 and 2: the reader's parts
    "model.embedder", "model.encoder",                                       # 3: the model's parts
    "trainer.optimizer", "trainer.learning_rate_scheduler", "trainer.num_epochs",  # 4: the optimizer, its schedule
}


def resolved(name: str) -> Dict[str, Any]:
    return Params.from_file(ROOT / "configs" / name).as_dict()


def leaves(tree: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    if isinstance(tree, dict) and tree:
        for key, value in tree.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, tree


def differing_paths(a: Dict[str, Any], b: Dict[str, Any]) -> set:
    left, right = dict(leaves(a)), dict(leaves(b))
    return {path for path in left.keys() | right.keys() if left.get(path, "<missing>") != right.get(path, "<missing>")}


def under(path: str, prefixes: set) -> bool:
    return any(path == prefix or path.startswith(prefix + ".") for prefix in prefixes)


def test_bert_config_is_the_bag_of_embeddings_config_with_four_changes():
    boe, bert = resolved("bag_of_embeddings.jsonnet"), resolved("bert.jsonnet")
    differences = differing_paths(boe, bert)
    assert differences, "the two configs should differ"
    outside = sorted(path for path in differences if not under(path, FOUR_CHANGES))
    assert outside == [], f"bert.jsonnet changes more than the four parts: {outside}"
    changed_parts = {prefix for prefix in FOUR_CHANGES if any(under(p, {prefix}) for p in differences)}
    assert {"dataset_reader.tokenizer", "dataset_reader.token_indexers", "model.embedder", "model.encoder",
            "trainer.optimizer"} <= changed_parts


def test_the_diff_check_can_fail():
    boe = resolved("bag_of_embeddings.jsonnet")
    changed = copy.deepcopy(boe)
    changed["data_loader"]["batch_size"] = 8
    assert [p for p in differing_paths(boe, changed) if not under(p, FOUR_CHANGES)] == ["data_loader.batch_size"]


@pytest.mark.parametrize("name", CONFIGS)
def test_every_config_builds_its_model(name, tiny_dataset, tiny_bert):
    from swapnlp.data import DatasetReader, Vocabulary
    from swapnlp.models import Model
    from swapnlp.models.simple_classifier import SimpleClassifier

    text = (ROOT / "configs" / name).read_text()
    config = json.loads(json.dumps(resolved(name)).replace("sentence-transformers/all-MiniLM-L6-v2", tiny_bert))
    reader = DatasetReader.from_params(Params(config["dataset_reader"], "dataset_reader."))
    instances = list(reader.read(tiny_dataset.train))
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(Params(config["model"], "model."), vocab=vocab)
    assert isinstance(model, SimpleClassifier), name  # every swap keeps the same model class
    assert "//" in text  # each config explains itself


@pytest.mark.parametrize("architecture", ["bert", "roberta", "distilbert"])
def test_bert_config_takes_another_architecture_by_its_model_name_alone(architecture, tiny_transformers):
    """configs/bert.jsonnet with only model_name changed builds, and classifies a review, on each architecture."""
    from swapnlp.data import DatasetReader, SimpleDataLoader, Vocabulary
    from swapnlp.models import Model

    folder = str(tiny_transformers[architecture])
    config = json.loads(json.dumps(resolved("bert.jsonnet")).replace("sentence-transformers/all-MiniLM-L6-v2", folder))
    reader = DatasetReader.from_params(Params(config["dataset_reader"], "dataset_reader."))
    instances = [reader.text_to_instance("the film was good", "pos"), reader.text_to_instance("dull", "neg")]
    vocab = Vocabulary.from_instances(instances)
    model = Model.from_params(Params(config["model"], "model."), vocab=vocab).eval()
    assert model.embedder.token_embedders["bert"].transformer.config.model_type == architecture
    loader = SimpleDataLoader(instances, batch_size=2)
    loader.index_with(vocab)
    output = model(**next(iter(loader)))
    assert output["probs"].shape == (2, 2)


def guide_config(model_folder: str, data_dir: Path, monkeypatch) -> Params:
    monkeypatch.setenv("BERT_MODEL", model_folder)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    return Params.from_file(ROOT / "tests" / "configs" / "guide_bert.jsonnet")


def test_a_guide_style_bert_config_trains_with_only_its_model_name_and_paths_changed(tiny_dataset, tiny_bert,
                                                                                     tmp_path, monkeypatch, capsys):
    from swapnlp.archive import load_archive
    from swapnlp.run.train import train_model

    params = guide_config(tiny_bert, tiny_dataset.folder, monkeypatch)
    params["trainer"]["enable_progress_bar"] = False
    model = train_model(params, tmp_path / "run")
    assert "iterator" in capsys.readouterr().out  # the one-line notice about the older key
    archive = load_archive(tmp_path / "run" / "model.tar.gz")
    assert type(archive.model.embedder.token_embedders["bert"]).__name__ == "PretrainedTransformerEmbedder"
    assert model.vocab.get_vocab_size("labels") == 2


@pytest.mark.parametrize("architecture", ["bert", "roberta", "distilbert"])
def test_changing_only_model_name_switches_the_architecture(architecture, tiny_transformers, tiny_dataset, tmp_path,
                                                            monkeypatch):
    """The same config, only the model name differs: each architecture trains, archives and predicts."""
    from swapnlp.archive import load_archive
    from swapnlp.predictors import Predictor
    from swapnlp.run.train import train_model

    folder = str(tiny_transformers[architecture])
    params = guide_config(folder, tiny_dataset.folder, monkeypatch)
    params["trainer"]["enable_progress_bar"] = False
    model = train_model(params, tmp_path / "run")
    transformer = model.embedder.token_embedders["bert"].transformer
    assert transformer.config.model_type == architecture
    predictor = Predictor.from_archive(load_archive(tmp_path / "run" / "model.tar.gz"))
    result = predictor.predict_json({"sentence": "the film was good"})
    assert result["label"] in ("pos", "neg") and abs(sum(result["probs"].values()) - 1) < 1e-5


@pytest.mark.parametrize("name", CONFIGS)
def test_no_config_forces_bf16(name):
    """bf16 is emulated (~16x slower) on CPUs without bf16 units: configs leave the choice to "auto"."""
    assert resolved(name).get("trainer", {}).get("autocast", "auto") == "auto"
