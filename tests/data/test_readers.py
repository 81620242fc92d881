"""classification-tsv: reading, truncation, limits, and errors that say file:line and what was expected."""

from __future__ import annotations

import pytest

from swapnlp.common.errors import ConfigurationError
from swapnlp.data import ClassificationTsvReader, DatasetReader, LabelField, TextField
from swapnlp.data.token_indexers import SingleIdTokenIndexer


def write(tmp_path, text, name="data.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_text_and_label_fields(tmp_path):
    path = write(tmp_path, "a good film\tpos\nawful  plot\tneg\n")
    instances = ClassificationTsvReader().read(path)
    assert len(instances) == 2
    first = instances[0]
    assert set(first.fields) == {"text", "label"}
    assert isinstance(first["text"], TextField) and isinstance(first["label"], LabelField)
    assert [t.text for t in first["text"].tokens] == ["a", "good", "film"]
    assert first["label"].label == "pos"
    assert [t.text for t in instances[1]["text"].tokens] == ["awful", "plot"]
    assert instances[1]["label"].label == "neg"


def test_reads_the_tiny_dataset(tiny_dataset):
    lines = tiny_dataset.train.read_text().splitlines()
    instances = ClassificationTsvReader().read(tiny_dataset.train)
    assert len(instances) == len(lines)
    assert [i["label"].label for i in instances] == [line.split("\t")[1] for line in lines]


def test_built_from_config_with_its_parts():
    reader = DatasetReader.from_params({"type": "classification-tsv", "tokenizer": "whitespace",
                                        "token_indexers": {"words": {"type": "single_id", "lowercase_tokens": True}},
                                        "max_tokens": 3})
    assert isinstance(reader, ClassificationTsvReader)
    assert isinstance(reader.token_indexers["words"], SingleIdTokenIndexer)
    assert reader.token_indexers["words"].lowercase_tokens and reader.max_tokens == 3


def test_blank_lines_and_windows_line_ends_are_fine(tmp_path):
    path = write(tmp_path, "good film\tpos\r\n\n   \nbad film\tneg\r\n")
    instances = ClassificationTsvReader().read(path)
    assert [i["label"].label for i in instances] == ["pos", "neg"]


def test_label_whitespace_is_stripped(tmp_path):
    path = write(tmp_path, "good film\t pos \n")
    assert ClassificationTsvReader().read(path)[0]["label"].label == "pos"


def test_max_tokens_keeps_the_first_tokens(tmp_path):
    path = write(tmp_path, "one two three four five\tpos\nshort\tneg\n")
    instances = ClassificationTsvReader(max_tokens=3).read(path)
    assert [t.text for t in instances[0]["text"].tokens] == ["one", "two", "three"]
    assert [t.text for t in instances[1]["text"].tokens] == ["short"]


@pytest.mark.parametrize("truncation, max_tokens, kept", [
    ("head", 4, "1 2 3 4"),
    ("tail", 4, "7 8 9 10"),
    ("head+tail", 4, "1 2 9 10"),
    ("head+tail", 5, "1 2 8 9 10"),
    ("tail", 20, "1 2 3 4 5 6 7 8 9 10"),
])
def test_truncation_keeps_head_tail_or_both(truncation, max_tokens, kept):
    reader = DatasetReader.from_params({"type": "classification-tsv", "max_tokens": max_tokens,
                                        "truncation": truncation})
    instance = reader.text_to_instance("1 2 3 4 5 6 7 8 9 10", "pos")
    assert " ".join(instance["text"].human_readable_repr()) == kept


def test_unknown_truncation_is_a_config_error():
    with pytest.raises(ConfigurationError, match='Did you mean "tail"'):
        DatasetReader.from_params({"type": "classification-tsv", "truncation": "tial"})


def test_max_instances_limits_how_many_are_read(tiny_dataset):
    instances = ClassificationTsvReader(max_instances=5).read(tiny_dataset.train)
    assert len(instances) == 5
    everything = ClassificationTsvReader().read(tiny_dataset.train)
    assert [i["text"].human_readable_repr() for i in instances] == \
           [i["text"].human_readable_repr() for i in everything[:5]]


def test_text_to_instance_without_label_is_for_prediction():
    instance = ClassificationTsvReader(max_tokens=2).text_to_instance("a b c")
    assert set(instance.fields) == {"text"}
    assert len(instance["text"]) == 2


@pytest.mark.parametrize("line, problem", [
    ("a good film pos", "found 1 tab-separated columns"),
    ("a good\tfilm\tpos", "found 3 tab-separated columns"),
    ("a good film\t", "the label is empty"),
    ("a good film\t   ", "the label is empty"),
    ("\tpos", "the text is empty"),
    ("   \tpos", "the text is empty"),
])
def test_malformed_line_names_file_line_and_what_was_expected(tmp_path, line, problem):
    path = write(tmp_path, f"fine film\tpos\nbad film\tneg\n{line}\nlast\tpos\n")
    with pytest.raises(ConfigurationError) as error:
        ClassificationTsvReader().read(path)
    message = str(error.value)
    assert f"{path}:3:" in message
    assert "expected `text<TAB>label`" in message
    assert problem in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigurationError, match="data file not found") as error:
        ClassificationTsvReader().read(tmp_path / "nope.tsv")
    assert "nope.tsv" in str(error.value)


def test_missing_file_under_a_data_folder_says_how_to_fetch(tmp_path):
    with pytest.raises(ConfigurationError, match="swapnlp data fetch"):
        ClassificationTsvReader().read(tmp_path / "data" / "movie_review" / "train.tsv")


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(ConfigurationError, match="holds no instances"):
        ClassificationTsvReader().read(write(tmp_path, "\n\n"))


def test_max_tokens_keeps_a_transformer_tokenizers_special_tokens(tmp_path, tiny_bert):
    from swapnlp.data.tokenizers import PretrainedTransformerTokenizer

    path = tmp_path / "data.tsv"
    path.write_text("the film was good but the plot was dull\tpos\n")
    for truncation, kept in (("head", ["the", "film"]), ("tail", ["was", "dull"]), ("head+tail", ["the", "dull"])):
        reader = ClassificationTsvReader(tokenizer=PretrainedTransformerTokenizer(tiny_bert), max_tokens=4,
                                         truncation=truncation)
        tokens = [t.text for t in next(iter(reader.read(path)))["text"].tokens]
        assert tokens == ["[CLS]", *kept, "[SEP]"], truncation


# -- hostile and careless data files: one clear line each, naming file:line and the fix ----------------------
def write_bytes(tmp_path, data, name="data.tsv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_latin1_byte_names_file_line_column_and_utf8(tmp_path):
    path = write_bytes(tmp_path, b"good film\tpos\nun caf\xe9 froid\tneg\n")
    with pytest.raises(ConfigurationError) as error:
        ClassificationTsvReader().read(path)
    message = str(error.value)
    assert f"{path}:2: byte 0xe9 at column 7 is not UTF-8" in message
    assert "must be UTF-8" in message and "iconv" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_named_as_such(tmp_path, encoding):
    path = write_bytes(tmp_path, "good film\tpos\nbad film\tneg\n".encode(encoding))
    with pytest.raises(ConfigurationError) as error:
        ClassificationTsvReader().read(path)
    message = str(error.value)
    assert f"{path}:1:" in message and "UTF-16" in message and "UTF-8" in message


def test_a_utf8_bom_is_stripped(tmp_path):
    path = write_bytes(tmp_path, "\ufeffgood film\tpos\nbad film\tneg\n".encode("utf-8"))
    instances = ClassificationTsvReader().read(path)
    assert [t.text for t in instances[0]["text"].tokens] == ["good", "film"]


@pytest.mark.parametrize("header", ["text\tlabel", "Text\tLabel", "sentence\tlabel", "\ufefftext\tlabel"])
def test_a_header_line_is_skipped_with_a_notice(tmp_path, capsys, header):
    path = write(tmp_path, f"{header}\ngood film\tpos\nbad film\tneg\n")
    instances = ClassificationTsvReader().read(path)
    assert [i["label"].label for i in instances] == ["pos", "neg"]
    out = capsys.readouterr().out
    assert f"notice: {path}:1: skipped the header line" in out and len(out.splitlines()) == 1


def test_only_the_first_line_can_be_a_header(tmp_path, capsys):
    path = write(tmp_path, "good film\tpos\ntext\tlabel\n")
    assert [i["label"].label for i in ClassificationTsvReader().read(path)] == ["pos", "label"]
    assert "notice" not in capsys.readouterr().out


def test_a_folder_instead_of_a_file(tmp_path):
    with pytest.raises(ConfigurationError, match="is a folder: give the data file inside it"):
        ClassificationTsvReader().read(tmp_path)


def test_an_unreadable_file_is_one_line(tmp_path, monkeypatch):
    import os

    path = write(tmp_path, "good film\tpos\n")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: pretend the permission check failed as it would for a user
        monkeypatch.setattr("swapnlp.data.dataset_readers.dataset_reader.os.access", lambda *args: False)
    try:
        with pytest.raises(ConfigurationError, match=f"cannot read {path}: permission denied") as error:
            ClassificationTsvReader().read(path)
        assert "chmod u+r" in str(error.value)
    finally:
        path.chmod(0o644)


def test_a_folder_that_cannot_be_entered_is_not_called_missing(tmp_path, monkeypatch):
    from pathlib import Path

    path = write(tmp_path, "good film\tpos\n")
    original = Path.stat

    def stat(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(ConfigurationError, match="permission denied"):
        ClassificationTsvReader().read(path)


def test_a_readers_own_text_mode_decode_error_is_one_line(tmp_path):
    class LatinTrap(ClassificationTsvReader):
        def _read(self, file_path):
            with open(file_path, encoding="utf-8") as lines:
                for line in lines:
                    yield self.text_to_instance(*line.rstrip("\n").split("\t"))

    path = write_bytes(tmp_path, b"caf\xe9\tpos\n")
    with pytest.raises(ConfigurationError, match=r"byte b'\\xe9' at offset 3 is not utf-8"):
        LatinTrap().read(path)


@pytest.mark.parametrize("key, value, words", [
    ("max_tokens", 0, "dataset_reader.max_tokens must be at least 1, got 0."),
    ("max_instances", -5, "dataset_reader.max_instances must be at least 1, got -5."),
])
def test_reader_sizes_are_checked_with_their_key_path(key, value, words):
    from swapnlp.common.params import Params

    with pytest.raises(ConfigurationError) as error:
        DatasetReader.from_params(Params({"type": "classification-tsv", key: value}, "dataset_reader."))
    assert str(error.value) == words
