"""widgets.py: the notebook wizard driven as a learner would -- dropdowns, text inputs, the write button --
in the kernel (no browser); the written config trains on the tiny data set."""

from __future__ import annotations

import json

import pytest

from swapnlp.common.params import Params
from swapnlp.configure.widgets import ConfigWizard
from swapnlp.run.train import train_model_from_file


def find(widget, css_class):
    """Every widget under `widget` that carries `css_class`."""
    found = [widget] if css_class in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css_class)
    return found


def one(where, css_class):
    """The one widget with `css_class` under `where` (a wizard or a widget)."""
    found = find(getattr(where, "widget", where), css_class)
    assert len(found) == 1, (css_class, len(found))
    return found[0]


def parameter_names(wizard, path):
    prefix = f"swapnlp-param-{path.replace('.', '-').replace('_', '-')}-"
    return sorted(c[len(prefix):] for w in find(one(wizard, f"swapnlp-step-{path.replace('.', '-')}"), "swapnlp-param")
                  for c in w._dom_classes if c.startswith(prefix))


def type_in(wizard, path, text):
    """Type into a parameter's text box (what pressing Enter in the browser does)."""
    row = one(wizard, f"swapnlp-param-{path.replace('.', '-').replace('_', '-')}")
    row.children[1].value = text
    return row


@pytest.fixture
def wizard(tiny_dataset, tmp_path):
    return ConfigWizard(output=tmp_path / "wizard.jsonnet", data_dir=str(tiny_dataset.folder))


def test_every_step_is_shown_and_builds(wizard):
    steps = [c for w in find(wizard.widget, "swapnlp-step") for c in w._dom_classes if c.startswith("swapnlp-step-")]
    for expected in ("data", "dataset-reader", "dataset-reader-tokenizer", "dataset-reader-token-indexers-tokens",
                     "model", "model-embedder", "model-embedder-token-embedders-tokens", "model-encoder",
                     "trainer", "trainer-optimizer"):
        assert f"swapnlp-step-{expected}" in steps
    assert wizard.status.value.startswith("✅ every component builds")
    assert all(v.value.endswith("✅ builds</div>") for v in find(wizard.widget, "swapnlp-verdict"))


def test_choosing_an_encoder_changes_its_parameter_inputs(wizard):
    assert parameter_names(wizard, "model.encoder") == ["averaged", "embedding-dim"]
    choice = one(wizard, "swapnlp-choice-model-encoder")
    assert {"bag_of_embeddings", "cnn", "lstm"} <= set(choice.options[i][1] for i in range(len(choice.options)))
    choice.value = "cnn"
    assert parameter_names(wizard, "model.encoder") == ["conv-layer-activation", "embedding-dim",
                                                        "ngram-filter-sizes", "num-filters", "output-dim"]
    assert wizard.to_config()["model"]["encoder"]["type"] == "cnn"


def test_a_wrong_value_is_shown_inline_and_changes_nothing(wizard):
    row = type_in(wizard, "trainer.num_epochs", "many")
    assert "trainer.num_epochs: expected int" in row.children[2].value
    assert wizard.to_config()["trainer"]["num_epochs"] == 20


def test_a_config_that_does_not_build_shows_the_from_params_message(wizard):
    type_in(wizard, "model.encoder.embedding_dim", "10")
    verdict = one(one(wizard, "swapnlp-step-model"), "swapnlp-verdict")
    assert "model.embedder gives 64-dim vectors but model.encoder expects 10-dim inputs" in verdict.value
    wizard.write_button.click()
    assert "fix these first" in wizard.status.value and wizard.written is None


def test_the_written_config_trains(wizard, tiny_dataset, tmp_path, monkeypatch):
    one(wizard, "swapnlp-choice-model-encoder").value = "cnn"
    type_in(wizard, "model.encoder.num_filters", "8")
    type_in(wizard, "model.encoder.ngram_filter_sizes", "[1, 2]")
    type_in(wizard, "model.embedder.token_embedders.tokens.embedding_dim", "16")
    type_in(wizard, "trainer.optimizer.lr", "0.02")
    type_in(wizard, "trainer.num_epochs", "4")
    one(wizard, "swapnlp-param-trainer-enable-progress-bar").children[1].value = False  # a dropdown
    wizard.write_button.click()
    path = tmp_path / "wizard.jsonnet"
    assert wizard.written == path and "✅ wrote" in wizard.status.value
    assert "swapnlp train" in wizard.preview.value
    config = Params.from_file(path).as_dict()
    assert config["model"]["encoder"] == {"type": "cnn", "embedding_dim": 16, "num_filters": 8,
                                          "ngram_filter_sizes": [1, 2]}
    train_model_from_file(path, tmp_path / "run")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["best_validation_accuracy"] >= 0.75


def test_the_code_api_drives_the_same_view(wizard):
    wizard.choose("model.encoder", "lstm")
    assert one(wizard, "swapnlp-choice-model-encoder").value == "lstm"
    wizard.set("model.encoder.hidden_size", 12)
    assert one(wizard, "swapnlp-param-model-encoder-hidden-size").children[1].value == "12"


def test_a_components_group_can_grow(wizard):
    wizard.add_entry("model.embedder.token_embedders", "extra")
    wizard.add_entry("dataset_reader.token_indexers", "extra")
    assert one(wizard, "swapnlp-step-model-embedder-token-embedders-extra")
    assert wizard.problems() == {}


def test_a_plugin_component_is_offered(plugin, tmp_path):
    wizard = ConfigWizard(output=tmp_path / "w.jsonnet", include_packages=[plugin])
    choice = one(wizard, "swapnlp-choice-model-encoder")
    assert "max_pool_wizard" in [value for _, value in choice.options]
    choice.value = "max_pool_wizard"
    assert parameter_names(wizard, "model.encoder") == ["embedding-dim", "floor"]
    assert "the elementwise maximum" in one(wizard, "swapnlp-step-model-encoder").children[2].value.lower()
    wizard.write()
    assert f"--include-package {plugin}" in (tmp_path / "w.jsonnet").read_text()


def test_without_widgets_it_shows_one_stable_line(wizard):
    assert wizard._repr_mimebundle_()["text/plain"].startswith("ConfigWizard:")


def test_the_devices_dropdown_shows_the_current_devices(wizard):
    assert wizard.widget  # drawn when first shown
    assert wizard.devices.value == "-1" and wizard.devices.index == 0 and wizard.devices.label == "CPU"
    wizard.set_devices([0])  # a GPU this CPU-only machine may lack: still shown, and the trainer says so
    assert wizard.devices.value == "0" and wizard.to_config()["trainer"]["cuda_device"] == 0
    wizard.devices.value = "-1"
    assert "cuda_device" not in wizard.to_config()["trainer"]
