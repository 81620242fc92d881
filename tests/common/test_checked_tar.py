"""checked_tar: a tar.gz written with a manifest of sha256s, read back with every check before any write."""

from __future__ import annotations

import json
import tarfile

import pytest

from swapnlp.common.checked_tar import MANIFEST_NAME, Limits, extract_checked, scan, write_checked_tar
from swapnlp.common.errors import ConfigurationError


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_text('{"a": 1}')
    (folder / "sub" / "b.txt").write_bytes(b"\x00\x01" * 1000)
    return folder


def write(source, path):
    write_checked_tar(path, [(source / "a.json", "a.json"), (source / "sub", "sub"),
                             (source / "sub" / "b.txt", "sub/b.txt")])
    return path


def test_round_trip_with_a_manifest(source, tmp_path):
    archive = write(source, tmp_path / "x.tar.gz")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["a.json", "sub", "sub/b.txt", MANIFEST_NAME]
        manifest = json.loads(tar.extractfile(MANIFEST_NAME).read())
    assert [entry["path"] for entry in manifest["members"]] == ["a.json", "sub/b.txt"]
    assert manifest["members"][1]["size"] == 2000
    assert extract_checked(archive, tmp_path / "out", Limits()) is True
    assert (tmp_path / "out" / "sub" / "b.txt").read_bytes() == (source / "sub" / "b.txt").read_bytes()


def test_the_gzip_header_names_no_file(source, tmp_path):
    data = write(source, tmp_path / "x.tar.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b" and data[3] & 0x08 == 0  # FNAME flag unset: no temporary name recorded


def test_an_archive_without_manifest_extracts_and_says_so(tmp_path, source):
    archive = tmp_path / "old.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "a.json", arcname="a.json")
    assert extract_checked(archive, tmp_path / "out", Limits()) is False
    assert (tmp_path / "out" / "a.json").exists()


def test_limits_are_checked_on_the_headers(source, tmp_path):
    archive = write(source, tmp_path / "x.tar.gz")
    members, manifest = scan(archive, Limits())
    assert [m.name for m in members] == ["a.json", "sub", "sub/b.txt", MANIFEST_NAME] and manifest
    with pytest.raises(ConfigurationError, match="member sub/b.txt is 2,000 bytes, over the 1,000 bytes limit"):
        scan(archive, Limits(max_small_member_bytes=1000))
    with pytest.raises(ConfigurationError, match="add up to more than 2,005 bytes"):
        scan(archive, Limits(max_bytes=2005, large_members=frozenset({"sub/b.txt"})))
    with pytest.raises(ConfigurationError, match="more than 2 members"):
        scan(archive, Limits(max_members=2))
    assert not (tmp_path / "out").exists()
