"""The pure rules under lib/ compiled to C by mypyc (scripts/compile.sh), when built from these
very sources.

Parsing, cleaning and matching a city's rows is most of an import's Python CPU; compiled, the
same code takes about a fifth less (docs/architecture.md). The build, in var/compiled, holds the
hot modules compiled, in lib/'s layout. Its directories go first in lib's packages' search paths
only if its recorded digest is the digest of lib/'s sources now, so a module edited since the
build runs as written, never as it was built. Without a C compiler, without the build, or with
PARTYORG_COMPILED=0, everything runs as pure Python: the same results, a little slower.
"""

import hashlib
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "var" / "compiled"
STAMP = "SOURCES"


def sources_digest(root: Path = ROOT) -> str:
    """sha256 over every source file of lib/ (its path and contents)."""
    digest = hashlib.sha256()
    for path in sorted((root / "lib").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def use_compiled(build: Path = BUILD, root: Path = ROOT) -> bool:
    """Look for lib/'s modules in the compiled build first, if it is current; says whether.

    The build holds only the compiled modules, in lib/'s layout. Each package of lib/ is
    imported from the sources and the build's directory put first in its search path: a
    compiled module is taken from the build, every other (and the tests) from the sources.
    """
    if os.environ.get("PARTYORG_COMPILED", "1") == "0" or "lib" in sys.modules:
        return False
    try:
        built = (build / STAMP).read_text().strip()
    except OSError:
        return False
    if built != sources_digest(root):
        return False
    # mypyc's runtime, shared by the compiled modules, is a top-level module of the build.
    if str(build) not in sys.path:
        sys.path.append(str(build))
    for directory in sorted(d for d in (build / "lib").rglob("*") if d.is_dir()):
        if not (root / directory.relative_to(build) / "__init__.py").exists():
            return False
    packages = [build / "lib", *sorted(d for d in (build / "lib").rglob("*") if d.is_dir())]
    for directory in packages:
        name = ".".join(directory.relative_to(build).parts)
        package = importlib.import_module(name)
        if Path(package.__file__ or "").parent != root / directory.relative_to(build):
            return False
        package.__path__.insert(0, str(directory))
    return True


def in_use() -> bool:
    """Whether the cleaning rules now imported are the compiled ones."""
    import lib.cleaning.rules

    return not str(lib.cleaning.rules.__file__).endswith(".py")
