"""model.tar.gz: what it holds, that it predicts like the in-memory model, and that extraction is safe."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
import torch

from swapnlp.archive import archive_model, load_archive, safe_extract
from swapnlp.common.errors import ConfigurationError
from swapnlp.data import ClassificationTsvReader, SimpleDataLoader
from swapnlp.data.batch import batch_instances


def probs_on(model, reader, path):
    instances = reader.read(path)
    for instance in instances:
        instance.index_fields(model.vocab)
    with torch.no_grad():
        return model(**batch_instances(instances))["probs"]


def test_archive_contents(trained_run):
    with tarfile.open(trained_run.archive) as tar:
        names = set(tar.getnames())
        meta = json.loads(tar.extractfile("meta.json").read())
        config = json.loads(tar.extractfile("config.json").read())
    assert {"config.json", "weights.safetensors", "meta.json", "vocabulary",
            "vocabulary/tokens.txt", "vocabulary/labels.txt", "vocabulary/non_padded_namespaces.txt"} <= names
    assert config == trained_run.config
    assert meta["torch_version"] == torch.__version__
    vocab = trained_run.model.vocab
    assert meta["labels"] == [vocab.get_token_from_index(i, "labels") for i in range(vocab.get_vocab_size("labels"))]
    assert sorted(meta["labels"]) == ["neg", "pos"]
    import swapnlp

    assert meta["swapnlp_version"] == swapnlp.__version__


def test_archive_has_a_manifest_of_every_file(trained_run):
    import hashlib

    with tarfile.open(trained_run.archive) as tar:
        files = {info.name: tar.extractfile(info).read() for info in tar.getmembers() if info.isfile()}
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["format"] == "swapnlp-archive-manifest/1"
    assert {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["members"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()}


def test_archive_model_leaves_out_temporaries_a_killed_writer_left(trained_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(trained_run.serialization_dir, run)
    (run / "vocabulary" / ".tokens.txt.k2j_9xq1.tmp").write_text("half a vocabulary")
    with tarfile.open(archive_model(run)) as tar:
        assert not [name for name in tar.getnames() if name.endswith(".tmp")]
    load_archive(run / "model.tar.gz")


def test_archive_round_trip_predicts_exactly_like_the_in_memory_model(trained_run):
    archive = load_archive(trained_run.archive)
    assert not archive.model.training  # loaded in eval mode
    assert archive.model.vocab == trained_run.model.vocab
    for name, tensor in trained_run.model.state_dict().items():
        assert torch.equal(tensor, archive.model.state_dict()[name]), name
    in_memory = probs_on(trained_run.model, ClassificationTsvReader(), trained_run.dataset.test)
    loaded = probs_on(archive.model, archive.dataset_reader, trained_run.dataset.test)
    assert torch.equal(in_memory, loaded)
    assert archive.meta["labels"] and archive.config["model"]["type"] == "simple_classifier"


def test_load_archive_with_overrides(trained_run):
    archive = load_archive(trained_run.archive, overrides='{"dataset_reader.max_tokens": 2}')
    assert archive.dataset_reader.max_tokens == 2
    assert len(archive.dataset_reader.text_to_instance("a b c d")["text"]) == 2


def test_archive_model_writes_atomically_and_checks_its_inputs(trained_run, tmp_path):
    target = archive_model(trained_run.serialization_dir, archive_path=tmp_path / "copy.tar.gz")
    assert target == tmp_path / "copy.tar.gz" and tarfile.is_tarfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["copy.tar.gz"]  # no temporary files left
    (tmp_path / "empty_run").mkdir()
    with pytest.raises(ConfigurationError, match="is missing"):
        archive_model(tmp_path / "empty_run")


def test_missing_archive_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigurationError, match="archive not found") as error:
        load_archive(tmp_path / "model.tar.gz")
    assert "swapnlp train" in str(error.value)


def test_a_file_that_is_not_an_archive(tmp_path):
    bogus = tmp_path / "model.tar.gz"
    bogus.write_bytes(b"this is not a tar file at all")
    with pytest.raises(ConfigurationError, match="not a readable model archive"):
        load_archive(bogus)


# -- safe extraction -----------------------------------------------------------------------------------
def add_file(tar, name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_tar(path, build):
    with tarfile.open(path, "w:gz") as tar:
        add_file(tar, "config.json", b"{}")  # a harmless member first: nothing may be written before refusing
        build(tar, path.parent)
    return path


def add_symlink(tar, name="vocabulary", target="/etc"):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    tar.addfile(info)


def add_hardlink(tar):
    info = tarfile.TarInfo("weights.safetensors")
    info.type = tarfile.LNKTYPE
    info.linkname = "../../outside"
    tar.addfile(info)


EVIL_TARS = {  # kind -> build(tar, folder of the archive)
    "dotdot": lambda tar, folder: add_file(tar, "../evil", b"escaped"),
    "nested_dotdot": lambda tar, folder: add_file(tar, "vocabulary/../../evil", b"escaped"),
    "absolute": lambda tar, folder: add_file(tar, str(folder / "evil"), b"escaped"),
    "symlink": lambda tar, folder: add_symlink(tar),
    "hardlink": lambda tar, folder: add_hardlink(tar),
}


@pytest.mark.parametrize("kind", sorted(EVIL_TARS))
def test_safe_extract_refuses_unsafe_members_and_writes_nothing(tmp_path, kind):
    archive = make_tar(tmp_path / "evil.tar.gz", EVIL_TARS[kind])
    target = tmp_path / "sandbox" / "target"
    target.mkdir(parents=True)
    with pytest.raises(ConfigurationError, match="unsafe member") as error:
        safe_extract(archive, target)
    assert "refusing to extract" in str(error.value)
    assert list(target.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "sandbox").iterdir()) == ["target"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tar.gz", "sandbox"]


@pytest.mark.parametrize("kind", ["dotdot", "symlink"])
def test_load_archive_refuses_unsafe_archives(tmp_path, kind):
    archive = make_tar(tmp_path / "model.tar.gz", EVIL_TARS[kind])
    with pytest.raises(ConfigurationError, match="unsafe member"):
        load_archive(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tar.gz"]


def test_safe_extract_extracts_a_normal_archive(tmp_path):
    def build(tar, folder):
        info = tarfile.TarInfo("vocabulary")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        add_file(tar, "vocabulary/tokens.txt", b"@@PADDING@@\n")

    archive = make_tar(tmp_path / "ok.tar.gz", build)
    safe_extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / "vocabulary" / "tokens.txt").read_bytes() == b"@@PADDING@@\n"
    assert (tmp_path / "out" / "config.json").read_bytes() == b"{}"


def test_evaluating_an_archived_model(trained_run):
    from swapnlp.training.evaluation import evaluate

    archive = load_archive(trained_run.archive)
    loader = SimpleDataLoader(archive.validation_dataset_reader.read(trained_run.dataset.test), batch_size=5)
    metrics = evaluate(archive.model, loader, enable_progress_bar=False)
    assert set(metrics) == {"accuracy", "loss"}
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["loss"] > 0
    probs = probs_on(archive.model, archive.dataset_reader, trained_run.dataset.test)
    gold = [archive.model.vocab.get_token_index(i["label"].label, "labels")
            for i in ClassificationTsvReader().read(trained_run.dataset.test)]
    expected_accuracy = (probs.argmax(-1) == torch.tensor(gold)).float().mean().item()
    assert metrics["accuracy"] == pytest.approx(expected_accuracy)
