"""The Spark engine on a real standalone cluster: a master and a worker on loopback, started here
with ``spark-class`` (the pip package has no ``sbin/`` scripts), and the CLI pointed at it with
``--spark-master``. The findings must equal DuckDB's to 1e-9, and Spark must stay quiet on stderr.

Skipped, with the reason, when Java or pyspark is absent. Starting the JVMs takes ~20 s.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_spark_engine import _assert_close

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "acme" / "tickets.parquet"


def _spark_class() -> Path | None:
    try:
        import pyspark
    except ImportError:
        return None
    path = Path(pyspark.__file__).parent / "bin" / "spark-class"
    return path if path.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not seen in {log}:\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    spark_class = _spark_class()
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: a standalone Spark cluster needs a JVM")
    if spark_class is None:
        pytest.skip("pyspark is not installed (pip install 'auditrules[spark]')")
    logs = tmp_path_factory.mktemp("spark-cluster")
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_HOME": str(spark_class.parent.parent),
        "SPARK_WORKER_DIR": str(logs / "work"),
    }
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        master_log = logs / "master.log"
        with master_log.open("wb") as out:
            procs.append(
                subprocess.Popen(
                    [
                        str(spark_class),
                        "org.apache.spark.deploy.master.Master",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--webui-port",
                        str(_free_port()),
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
        _wait_for(master_log, "I have been elected leader", procs[0])
        worker_log = logs / "worker.log"
        with worker_log.open("wb") as out:
            procs.append(
                subprocess.Popen(
                    [
                        str(spark_class),
                        "org.apache.spark.deploy.worker.Worker",
                        "--host",
                        "127.0.0.1",
                        "--webui-port",
                        str(_free_port()),
                        "--cores",
                        "2",
                        "--memory",
                        "1g",
                        url,
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
        _wait_for(master_log, "Registering worker", procs[1])
        yield url
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


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
    if shutil.which("java") is None or _spark_class() is None:
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
