"""The layers contract: every import in lib/swapnlp points down, and registry <-> from_params is the only cycle.

Read from the source (the AST), so an import inside a function or under `if TYPE_CHECKING:` counts as much as
one at the top of a module. Layers, lowest first; packages in one layer are independent of each other.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"
LAYERS: List[Tuple[str, ...]] = [
    ("swapnlp.common",),
    ("swapnlp.nn",),
    ("swapnlp.pretrained", "swapnlp.datasets"),
    ("swapnlp.data",),
    ("swapnlp.metrics",),
    ("swapnlp.modules",),
    ("swapnlp.models",),
    ("swapnlp.training",),
    ("swapnlp.archive",),
    ("swapnlp.predictors",),
    ("swapnlp.run",),
    ("swapnlp.serving", "swapnlp.tuning", "swapnlp.configure"),
    ("swapnlp.commands",),
    ("swapnlp.__main__",),
]
ALLOWED_CYCLES = [{"swapnlp.common.from_params", "swapnlp.common.registry"}]  # as in AllenNLP


def modules_of(lib: Path) -> Dict[str, Path]:
    """{dotted module name: file} for every module of the swapnlp package under `lib`."""
    found = {}
    for path in sorted((lib / "swapnlp").rglob("*.py")):
        parts = path.relative_to(lib).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(lib: Path) -> Dict[str, Set[str]]:
    """{module: the swapnlp modules it imports}, wherever in the file the import is."""
    modules = modules_of(lib)

    def resolve(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                               for alias in node.names)
        graph[name] = {resolve(t) for t in targets if t.startswith("swapnlp")} - {name, "swapnlp", ""}
    return graph


def layer_of(module: str) -> Tuple[int, str]:
    """(layer index, the layer's package that holds `module`)."""
    for index, layer in enumerate(LAYERS):
        for package in layer:
            if module == package or module.startswith(package + "."):
                return index, package
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS in {Path(__file__).name}")


def violations(lib: Path) -> List[str]:
    """Every import of a higher layer, or of an independent package of the same layer."""
    found = []
    for module, targets in sorted(import_graph(lib).items()):
        if module == "swapnlp":
            continue
        level, package = layer_of(module)
        for target in sorted(targets):
            target_level, target_package = layer_of(target)
            if target_level > level or (target_level == level and target_package != package):
                found.append(f"{module} imports {target} ({target_package} is not below {package})")
    return found


def cycles(lib: Path) -> List[Set[str]]:
    """The import cycles between modules (strongly connected components of more than one module)."""
    graph = import_graph(lib)
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    components: List[Set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_every_import_points_down():
    assert violations(LIB) == []


def test_registry_and_from_params_are_the_only_cycle():
    assert [c for c in cycles(LIB) if c not in ALLOWED_CYCLES] == []


def _copy_of_lib(tmp_path: Path) -> Path:
    for path in (LIB / "swapnlp").rglob("*.py"):
        target = tmp_path / path.relative_to(LIB)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("module, source, expected", [
    ("swapnlp/models/leak.py", "def f():\n    from swapnlp.training.trainer import Trainer\n",
     "swapnlp.models.leak imports swapnlp.training.trainer"),
    ("swapnlp/common/leak.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import swapnlp.run\n",
     "swapnlp.common.leak imports swapnlp.run"),
    ("swapnlp/serving/leak.py", "from ..tuning import tuner\n",
     "swapnlp.serving.leak imports swapnlp.tuning.tuner (swapnlp.tuning is not below swapnlp.serving)"),
])
def test_an_upward_import_anywhere_in_a_module_fails_the_contract(tmp_path, module, source, expected):
    lib = _copy_of_lib(tmp_path)
    (lib / module).write_text(source, encoding="utf-8")
    assert any(line.startswith(expected) for line in violations(lib))


def test_a_new_cycle_fails_the_contract(tmp_path):
    lib = _copy_of_lib(tmp_path)
    (lib / "swapnlp/data/a.py").write_text("from swapnlp.data import b\n", encoding="utf-8")
    (lib / "swapnlp/data/b.py").write_text("def f():\n    import swapnlp.data.a\n", encoding="utf-8")
    assert {"swapnlp.data.a", "swapnlp.data.b"} in cycles(lib)
