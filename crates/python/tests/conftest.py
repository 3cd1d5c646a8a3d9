"""Fixtures: the CLI binary to compare with, a local Spark session, the test
corpus. Set WHENCE_BIN to the binary (scripts/test does); without Java or
pyspark the Spark tests skip, unless WHENCE_REQUIRE_SPARK=1 (scripts/test sets
it: there they must run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import whence

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace["whence"] = whence


@pytest.fixture(scope="session")
def whence_bin() -> Path:
    given = os.environ.get("WHENCE_BIN")
    candidates = [Path(given)] if given else [ROOT / "target/release/whence", ROOT / "target/debug/whence"]
    for c in candidates:
        if c.is_file():
            return c
    pytest.skip(f"no whence binary (looked at {', '.join(map(str, candidates))}; set WHENCE_BIN)")


def run_cli(binary: Path, *args: object) -> subprocess.CompletedProcess:
    quiet = [] if args and args[0] == "compare" else ["--quiet"]  # compare has no --quiet
    r = subprocess.run([str(binary), *map(str, args), *quiet], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="session")
def spark():
    required = os.environ.get("WHENCE_REQUIRE_SPARK") == "1"
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if required:
            raise
        pytest.skip("pyspark is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if required:
            pytest.fail("no Java: scripts/python-env installs openjdk-17-jre-headless")
        pytest.skip("no Java")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("whence-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory) -> list:
    import corpus

    return corpus.write(tmp_path_factory.mktemp("corpus"))
