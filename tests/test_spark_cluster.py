"""The Spark engine on a real standalone cluster: a master and a worker on loopback, started here
with ``spark-class`` (the pip package has no ``sbin/`` scripts), and the CLI pointed at it with
``--spark-master``. The findings must equal DuckDB's to 1e-9, and Spark must stay quiet on stderr.

Skipped, with the reason, when Java or pyspark is absent. Starting the JVMs takes ~20 s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.spark_cluster import spark_class, standalone_cluster
from tests.test_spark_engine import _assert_close

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "acme" / "tickets.parquet"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: a standalone Spark cluster needs a JVM")
    if spark_class() is None:
        pytest.skip("pyspark is not installed (pip install 'auditrules[spark]')")
    with standalone_cluster(tmp_path_factory.mktemp("spark-cluster")) as url:
        yield url


def _check(*args: str) -> tuple[dict[str, Any], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "auditrules", "check", "-q", "--tickets", str(DEMO), "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.stderr


def _comparable(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings without the SQL text (dialects differ) and without the engine name."""
    out = []
    for f in report["findings"]:
        ev = {k: v for k, v in (f.get("evidence") or {}).items() if k != "sql"}
        out.append({"rule": f["rule_id"], "status": f["status"], "message": f["message"], "evidence": ev})
    return out


def test_standalone_cluster_gives_duckdbs_findings_quietly(cluster: str) -> None:
    duck, _ = _check()
    spark, stderr = _check("--engine", "spark", "--spark-master", cluster)
    assert spark["exit_code"] == duck["exit_code"]
    assert len(spark["findings"]) == len(duck["findings"]) > 0
    _assert_close(_comparable(duck), _comparable(spark))
    # Without -v, no log4j warnings and no stage progress bars reach the user.
    assert "WARN" not in stderr and "[Stage" not in stderr, stderr


def test_unreachable_master_is_ar305() -> None:
    if shutil.which("java") is None or spark_class() is None:
        pytest.skip("Java or pyspark is not installed")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditrules",
            "check",
            "-q",
            "--tickets",
            str(DEMO),
            "--engine",
            "spark",
            "--spark-master",
            "nonsense://nowhere",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stderr
    assert "error[AR305]" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr
