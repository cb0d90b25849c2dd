"""Every app's tests are collected: an app missing from pytest's testpaths ran none of its tests
(corrections and rollout did not, for a while)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_folder_with_tests_is_in_testpaths() -> None:
    paths = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
            "testpaths"
        ]
    )
    with_tests = {
        folder.name
        for folder in ROOT.iterdir()
        if folder.is_dir() and not folder.name.startswith(".") and (folder / "tests").is_dir()
    }
    assert with_tests - {"tests"} <= paths, sorted(with_tests - paths)
