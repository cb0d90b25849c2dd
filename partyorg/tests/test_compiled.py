"""The compiled build of lib/ is used only when it was built from lib/'s sources as they are."""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from partyorg import compiled


def _tree(root: Path, text: str) -> None:
    (root / "lib" / "vn").mkdir(parents=True)
    (root / "lib" / "__init__.py").write_text("")
    (root / "lib" / "vn" / "__init__.py").write_text("")
    (root / "lib" / "vn" / "text.py").write_text(text)
    (root / "lib" / "vn" / "other.py").write_text("B = 1\n")


def _build(build: Path, text: str) -> None:
    """A build's layout: the compiled modules alone (a module here stands for one)."""
    (build / "lib" / "vn").mkdir(parents=True)
    (build / "lib" / "vn" / "text.py").write_text(text)


@pytest.fixture
def clean_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("PARTYORG_COMPILED", raising=False)
    # As when a process starts: lib/ not yet imported (and as it was after the test).
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "lib"}
    for name in saved:
        del sys.modules[name]
    yield
    for name in [n for n in sys.modules if n.split(".")[0] == "lib"]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_a_build_from_these_sources_is_where_lib_comes_from(tmp_path: Path, clean_path) -> None:
    src, build = tmp_path / "src", tmp_path / "build"
    _tree(src, "A = 'source'\n")
    _build(build, "A = 'built'\n")
    (build / compiled.STAMP).write_text(compiled.sources_digest(src) + "\n")
    sys.path.insert(0, str(src))
    assert compiled.use_compiled(build, src)
    # The project's root first on the path, as pytest puts it, changes nothing.
    sys.path.insert(0, str(src))
    text, other = importlib.import_module("lib.vn.text"), importlib.import_module("lib.vn.other")
    assert text.A == "built"  # the build's module
    assert other.B == 1  # what the build does not hold comes from the sources
    assert Path(sys.modules["lib"].__file__ or "").parent == src / "lib"


def test_a_build_from_other_sources_is_left_alone(tmp_path: Path, clean_path) -> None:
    _tree(tmp_path / "src", "A = 1\n")
    build = tmp_path / "build"
    _build(build, "A = 'built'\n")
    (build / compiled.STAMP).write_text(compiled.sources_digest(tmp_path / "src"))
    (tmp_path / "src" / "lib" / "vn" / "text.py").write_text("A = 2\n")  # edited since
    assert not compiled.use_compiled(build, tmp_path / "src")
    assert str(build) not in sys.path


def test_no_build_or_turned_off_means_pure_python(
    tmp_path: Path, clean_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path / "src", "A = 1\n")
    assert not compiled.use_compiled(tmp_path / "missing", tmp_path / "src")
    build = tmp_path / "build"
    build.mkdir()
    (build / compiled.STAMP).write_text(compiled.sources_digest(tmp_path / "src"))
    monkeypatch.setenv("PARTYORG_COMPILED", "0")
    assert not compiled.use_compiled(build, tmp_path / "src")


def test_the_build_is_not_swapped_in_once_lib_is_imported(tmp_path: Path) -> None:
    import lib  # noqa: F401 - imported already, as in any process that has started

    _tree(tmp_path / "src", "A = 1\n")
    build = tmp_path / "build"
    build.mkdir()
    (build / compiled.STAMP).write_text(compiled.sources_digest(tmp_path / "src"))
    assert not compiled.use_compiled(build, tmp_path / "src")
