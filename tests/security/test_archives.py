"""Hostile and broken model archives: each is refused with one clear ConfigurationError line (or, where the
damage cannot matter, loads the very same model). No archive runs code, imports a module, or unpacks a
member larger than the caps."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
import torch
from crafted import (DROP, KEEP, claimed_size_archive, flip_byte, python_module, read_members, rewrite,
                     single_error_line, with_config, write_members)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swapnlp.archive import load_archive
from swapnlp.common.checked_tar import MANIFEST_NAME, MAX_BYTES_ENV
from swapnlp.common.errors import ConfigurationError


def one_line_error(archive, **kwargs) -> str:
    with pytest.raises(ConfigurationError) as error:
        load_archive(archive, **kwargs)
    message = str(error.value)
    assert "\n" not in message and str(archive) in message, message
    return message


def assert_same_model(archive, reference):
    loaded = load_archive(archive)
    assert loaded.model.vocab == reference.model.vocab
    state = loaded.model.state_dict()
    for name, tensor in reference.model.state_dict().items():
        assert torch.equal(tensor, state[name]), name


@pytest.fixture
def reference(trained_run):
    return load_archive(trained_run.archive)


# -- configs that would run code -----------------------------------------------------------------------
@pytest.mark.parametrize("section", ["dataset_reader", "validation_dataset_reader"])
@pytest.mark.parametrize("dotted", ["subprocess.Popen", "os.system", "subprocess.run"])
def test_a_dotted_callable_in_the_config_is_never_called(trained_run, tmp_path, section, dotted):
    marker = tmp_path / "marker"
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz", lambda config: config.update(
        {section: {"type": dotted, "args": ["touch", str(marker)]}}))
    message = one_line_error(archive)
    assert f'{section}.type: "{dotted}"' in message and "not a subclass of DatasetReader" in message
    assert not marker.exists()


def test_a_dotted_type_inside_the_model_is_refused_too(trained_run, tmp_path):
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz",
                          lambda config: config["model"]["encoder"].update({"type": "subprocess.Popen"}))
    assert 'model.encoder.type: "subprocess.Popen"' in one_line_error(archive)


def test_an_archive_never_imports_a_module(trained_run, tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    python_module(tmp_path, "swapnlp_planted_reader", f"""
import pathlib
pathlib.Path({str(marker)!r}).touch()  # importing this module runs code
from swapnlp.data import DatasetReader
class Reader(DatasetReader):
    pass
""")
    monkeypatch.syspath_prepend(str(tmp_path))
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz", lambda config: config.update(
        {"dataset_reader": {"type": "swapnlp_planted_reader.Reader"}}))
    message = one_line_error(archive)
    assert "may not import modules" in message and "--include-package swapnlp_planted_reader" in message
    assert not marker.exists() and "swapnlp_planted_reader" not in sys.modules


def test_a_dotted_path_to_a_loaded_component_still_works(trained_run, tmp_path, reference):
    """Classes already imported (built-ins, --include-package modules) resolve by dotted path without importing."""
    path = "swapnlp.data.dataset_readers.classification_tsv.ClassificationTsvReader"
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz",
                          lambda config: config["dataset_reader"].update({"type": path}))
    assert type(load_archive(archive).dataset_reader).__name__ == "ClassificationTsvReader"


# -- corruption ----------------------------------------------------------------------------------------
def corruption_offsets(size: int):
    """The gzip header byte by byte, 32 offsets spread over the compressed body, the gzip trailer."""
    body = [10 + (size - 18) * step // 32 for step in range(32)]
    return sorted(set(range(10)) | set(body) | set(range(size - 8, size)))


def test_one_changed_byte_anywhere_loads_the_same_model_or_is_one_clear_error(trained_run, tmp_path, reference):
    data = trained_run.archive.read_bytes()
    outcomes = {"same": [], "refused": []}
    for offset in corruption_offsets(len(data)):
        archive = tmp_path / f"flip_{offset}.tar.gz"
        archive.write_bytes(flip_byte(data, offset))
        try:
            assert_same_model(archive, reference)  # e.g. the gzip header's mtime: harmless
            outcomes["same"].append(offset)
        except ConfigurationError as error:
            assert "\n" not in str(error)
            outcomes["refused"].append(offset)
        archive.unlink()
    assert set(outcomes["same"]) <= {4, 5, 6, 7, 8, 9}  # mtime, extra flags, OS: nothing that is read back
    assert len(outcomes["refused"]) >= len(corruption_offsets(len(data))) - 6


@pytest.mark.parametrize("keep", [1, 10, 100, 0.5, -8, -1])
def test_a_truncated_archive_is_one_clear_line(trained_run, tmp_path, keep):
    data = trained_run.archive.read_bytes()
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(data[:int(len(data) * keep)] if isinstance(keep, float) else data[:keep])
    message = one_line_error(archive)
    assert "not a readable model archive" in message


def test_junk_after_the_gzip_stream_is_refused(trained_run, tmp_path):
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(trained_run.archive.read_bytes() + b"#!/bin/sh\nrm -rf ~\n")
    assert "not a readable model archive" in one_line_error(archive)


def test_an_uncompressed_tar_is_not_a_model_archive(trained_run, tmp_path):
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(gzip.decompress(trained_run.archive.read_bytes()))
    assert "not a gzip file" in one_line_error(archive)


# -- a member changed after archiving -----------------------------------------------------------------
def test_a_member_changed_without_its_manifest_entry_is_refused(trained_run, tmp_path):
    weights = dict(read_members(trained_run.archive))["weights.safetensors"]
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz",
                      {"weights.safetensors": flip_byte(weights, len(weights) - 3)}, manifest=KEEP)
    message = one_line_error(archive)
    assert "weights.safetensors does not match manifest.json" in message


def test_an_unlisted_member_is_refused(trained_run, tmp_path):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", {"extra.py": b"print('hi')"}, manifest=KEEP)
    assert "extra.py is not listed in manifest.json" in one_line_error(archive)


def test_a_member_listed_but_missing_is_refused(trained_run, tmp_path):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", remove=("vocabulary/tokens.txt",),
                      manifest=KEEP)
    assert "vocabulary/tokens.txt is listed in manifest.json but missing" in one_line_error(archive)


def test_a_member_twice_is_refused(trained_run, tmp_path):
    members = read_members(trained_run.archive)
    archive = write_members(tmp_path / "model.tar.gz", members + [("config.json", b"{}")])
    assert "lists 'config.json' twice" in one_line_error(archive)


@pytest.mark.parametrize("manifest", [b"{not json", b"[1, 2]", b'{"members": [{"path": 1}]}'])
def test_a_broken_manifest_is_one_clear_line(trained_run, tmp_path, manifest):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", manifest=DROP)
    members = read_members(archive) + [(MANIFEST_NAME, manifest)]
    write_members(archive, members)
    assert "manifest.json is" in one_line_error(archive)


def test_an_archive_from_before_manifests_loads_with_a_notice(trained_run, tmp_path, reference, capsys):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", manifest=DROP)
    assert_same_model(archive, reference)
    notice = capsys.readouterr().err
    assert "has no manifest" in notice and len(notice.strip().splitlines()) == 1


# -- missing or unreadable parts -----------------------------------------------------------------------
@pytest.mark.parametrize("member, expected", [
    ("config.json", "config.json is missing"),
    ("weights.safetensors", "weights.safetensors is missing"),
    ("vocabulary/non_padded_namespaces.txt", "vocabulary/ is not a saved vocabulary"),
])
def test_a_missing_part_is_named(trained_run, tmp_path, member, expected):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", remove=(member,))
    assert expected in one_line_error(archive)


def test_a_missing_vocabulary_folder_is_named(trained_run, tmp_path):
    names = [name for name, _ in read_members(trained_run.archive) if name.startswith("vocabulary")]
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", remove=tuple(names))
    assert "vocabulary/ is missing" in one_line_error(archive)


@pytest.mark.parametrize("member", ["config.json", "meta.json"])
@pytest.mark.parametrize("content, expected", [(b'{"model": ', "is not valid JSON"),
                                               (b"[1, 2]", "must hold a JSON object"),
                                               (b"\xff\xfe{}", "is not UTF-8 text")])
def test_bad_json_is_named(trained_run, tmp_path, member, content, expected):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", {member: content})
    assert f"{member} {expected}" in one_line_error(archive)


@pytest.mark.parametrize("content", [b"not safetensors at all", b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage"])
def test_weights_that_are_not_safetensors(trained_run, tmp_path, content):
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", {"weights.safetensors": content})
    assert "weights.safetensors is not a readable safetensors file" in one_line_error(archive)


def test_pickled_weights_are_not_unpickled(trained_run, tmp_path):
    from crafted import RunsCommand

    marker = tmp_path / "marker"
    buffer = io.BytesIO()
    torch.save({"x": RunsCommand(marker)}, buffer)
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", {"weights.safetensors": buffer.getvalue()})
    assert "not a readable safetensors file" in one_line_error(archive)
    assert not marker.exists()


def test_weights_of_another_shape_do_not_fit(trained_run, tmp_path):
    from safetensors.torch import save

    state = {name: torch.zeros(3, 3) for name in load_archive(trained_run.archive).model.state_dict()}
    archive = rewrite(trained_run.archive, tmp_path / "model.tar.gz", {"weights.safetensors": save(state)})
    assert "the weights do not fit the model" in one_line_error(archive)


def test_a_config_without_a_model_is_named(trained_run, tmp_path):
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz", lambda config: config.pop("model"))
    assert 'config.json: missing required key "model"' in one_line_error(archive)


# -- size caps -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["weights.safetensors", "vocabulary/tokens.txt"])
def test_a_member_claiming_gigabytes_is_refused_before_anything_is_written(tmp_path, monkeypatch, name):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    archive = claimed_size_archive(tmp_path / "model.tar.gz", name, claimed=3 << 30)
    assert archive.stat().st_size < 1000
    message = one_line_error(archive)
    assert f"member {name} is 3.0 GiB, over the" in message and MAX_BYTES_ENV in message
    assert list(scratch.iterdir()) == []  # the scratch folder it would have been unpacked into is gone


def test_a_small_member_over_its_cap_is_refused(tmp_path):
    archive = claimed_size_archive(tmp_path / "model.tar.gz", "meta.json", claimed=65 << 20)
    assert "member meta.json is 65.0 MiB, over the 64.0 MiB limit" in one_line_error(archive)


def test_the_total_cap_can_be_set_by_parameter_and_environment(trained_run, monkeypatch):
    assert "over the 1,000 bytes limit" in one_line_error(trained_run.archive, max_bytes=1000)
    monkeypatch.setenv(MAX_BYTES_ENV, "2000")
    assert "more than 2,000 bytes" in one_line_error(trained_run.archive) or \
        "over the 2,000 bytes limit" in one_line_error(trained_run.archive)
    monkeypatch.setenv(MAX_BYTES_ENV, "lots")
    with pytest.raises(ConfigurationError, match=f"{MAX_BYTES_ENV}='lots': expected a whole number of bytes"):
        load_archive(trained_run.archive)


def test_a_gzip_bomb_stops_at_the_cap(tmp_path):
    """Tar data nobody owns (after the end-of-archive blocks) still counts: reading stops at the cap."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("config.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(gzip.compress(raw.getvalue() + b"\0" * (64 << 20), compresslevel=9))
    assert archive.stat().st_size < 200_000
    assert "unpacks to more than" in one_line_error(archive, max_bytes=1 << 20)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0, 1, exclude_max=True), change=st.integers(1, 255))
def test_any_changed_byte_never_gives_different_weights(trained_run, reference, position, change):
    data = bytearray(trained_run.archive.read_bytes())
    offset = int(position * len(data))
    data[offset] ^= change
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "model.tar.gz"
        archive.write_bytes(bytes(data))
        try:
            assert_same_model(archive, reference)
            assert 4 <= offset <= 9  # only the gzip header's mtime, extra flags and OS byte may change
        except ConfigurationError as error:
            assert "\n" not in str(error)


# -- through the command line: one "error: ..." line, exit status 2 -----------------------------------
def test_evaluate_predict_and_serve_print_one_line(trained_run, tmp_path, capsys):
    from swapnlp.commands.main import main

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(trained_run.archive.read_bytes()[:-100])
    no_config = rewrite(trained_run.archive, tmp_path / "no_config.tar.gz", remove=("config.json",))
    bad_json = rewrite(trained_run.archive, tmp_path / "bad_json.tar.gz", {"meta.json": b"{"})
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"sentence": "a good film"}\n')
    for argv, expected in [
        (["evaluate", str(truncated), str(trained_run.dataset.test)], "ends too early"),
        (["predict", str(no_config), str(inputs)], "config.json is missing"),
        (["serve", "--archive-path", str(bad_json), "--port", "0"], "meta.json is not valid JSON"),
    ]:
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert expected in single_error_line(captured.err), argv
        assert captured.out == ""


def test_the_evaluate_command_does_not_run_a_planted_command(trained_run, tmp_path):
    marker = tmp_path / "marker"
    archive = with_config(trained_run.archive, tmp_path / "model.tar.gz", lambda config: config.update(
        {"validation_dataset_reader": {"type": "subprocess.Popen", "args": ["touch", str(marker)]}}))
    result = subprocess.run([sys.executable, "-m", "swapnlp", "evaluate", str(archive),
                             str(trained_run.dataset.test)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    line = single_error_line(result.stderr)
    assert 'validation_dataset_reader.type: "subprocess.Popen" is a class that is not a subclass of ' \
           "DatasetReader" in line
    assert not marker.exists()
