"""A config's "type" builds a component, nothing else: a dotted path must name a subclass of the base, and
while loading an archive (`only_registered`) nothing is imported at all."""

from __future__ import annotations

import sys

import pytest
from crafted import python_module

from swapnlp.common import plugins
from swapnlp.common.errors import ConfigurationError
from swapnlp.common.registry import only_registered
from swapnlp.data import DatasetReader


@pytest.mark.parametrize("dotted, kind", [
    ("subprocess.Popen", "class"),
    ("subprocess.run", "function"),
    ("os.system", "builtin_function_or_method"),
    ("builtins.eval", "builtin_function_or_method"),
    ("pathlib.Path", "class"),
    ("swapnlp.models.Model", "class"),  # a component, but of another registry
    ("swapnlp.common.atomic.atomic_write_text", "function"),
])
def test_a_dotted_type_that_is_not_a_subclass_of_the_base_is_refused(tmp_path, dotted, kind):
    marker = tmp_path / "marker"
    with pytest.raises(ConfigurationError) as error:
        DatasetReader.from_params({"type": dotted, "args": ["touch", str(marker)], "path": str(marker),
                                   "text": str(marker)})
    message = str(error.value)
    assert message.startswith(f'type: "{dotted}" is a {kind} that is not a subclass of DatasetReader')
    assert "\n" not in message
    assert not marker.exists()


def test_only_registered_imports_nothing(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    python_module(tmp_path, "swapnlp_never_imported", f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with only_registered(), pytest.raises(ConfigurationError) as error:
        DatasetReader.from_params({"type": "swapnlp_never_imported.Reader"})
    assert str(error.value) == (
        'type: "swapnlp_never_imported.Reader" is not a registered DatasetReader, and a model archive may not '
        "import modules (importing runs code). If you trust it, load that module first: --include-package "
        "swapnlp_never_imported.")
    assert not marker.exists() and "swapnlp_never_imported" not in sys.modules


def test_only_registered_does_not_trigger_a_module_getattr(tmp_path, monkeypatch):
    marker = tmp_path / "lazy"
    python_module(tmp_path, "swapnlp_lazy_module", f"""
import pathlib
def __getattr__(name):
    pathlib.Path({str(marker)!r}).touch()  # a lazy module imports on attribute access
    raise AttributeError(name)
""")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "IMPORTED", [])  # distributed workers of later tests must not import it
    plugins.import_plugins(["swapnlp_lazy_module"])
    try:
        with only_registered(), pytest.raises(ConfigurationError, match="has no class Reader"):
            DatasetReader.resolve("swapnlp_lazy_module.Reader")
        assert not marker.exists()
    finally:
        sys.modules.pop("swapnlp_lazy_module", None)


def test_a_module_loaded_with_include_package_resolves_inside_only_registered(tmp_path, monkeypatch):
    python_module(tmp_path, "swapnlp_own_reader", """
from swapnlp.data.dataset_readers.classification_tsv import ClassificationTsvReader
class OwnReader(ClassificationTsvReader):
    pass
""")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "IMPORTED", [])
    plugins.import_plugins(["swapnlp_own_reader"])  # what --include-package does
    try:
        with only_registered():
            reader = DatasetReader.from_params({"type": "swapnlp_own_reader.OwnReader"})
        assert type(reader).__name__ == "OwnReader"
    finally:
        sys.modules.pop("swapnlp_own_reader", None)


def test_only_registered_ends_with_its_block_even_after_an_error():
    with pytest.raises(ConfigurationError):
        with only_registered():
            DatasetReader.resolve("swapnlp_not_there_either.Reader")
    with pytest.raises(ConfigurationError, match="nor an importable class"):  # outside: importing is tried
        DatasetReader.resolve("swapnlp_not_there_either.Reader")
