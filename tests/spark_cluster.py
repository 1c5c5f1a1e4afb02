"""A Spark standalone cluster on loopback for tests and benchmarks: ``spark-class`` starts a master
and one worker (the pip package has no ``sbin/`` scripts); both are stopped on exit."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def spark_class() -> Path | None:
    """pyspark's ``bin/spark-class``, or None when pyspark is not installed."""
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


def _wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise RuntimeError(f"{text!r} not seen in {log}:\n{log.read_text(errors='replace')[-2000:]}")


@contextlib.contextmanager
def standalone_cluster(logs: Path, cores: int = 2, memory: str = "1g") -> Iterator[str]:
    """Start a master and a worker with ``cores`` cores; yield the master URL ``spark://127.0.0.1:PORT``."""
    launcher = spark_class()
    if launcher is None:
        raise RuntimeError("pyspark is not installed")
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_HOME": str(launcher.parent.parent),
        "SPARK_WORKER_DIR": str(logs / "work"),
    }
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []

    def start(log: Path, *args: str) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            procs.append(subprocess.Popen([str(launcher), *args], stdout=out, stderr=subprocess.STDOUT, env=env))
        return procs[-1]

    try:
        master_log = logs / "master.log"
        master = start(
            master_log,
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(_free_port()),
        )
        _wait_for(master_log, "I have been elected leader", master)
        worker = start(
            logs / "worker.log",
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            "127.0.0.1",
            "--webui-port",
            str(_free_port()),
            "--cores",
            str(cores),
            "--memory",
            memory,
            url,
        )
        _wait_for(master_log, "Registering worker", worker)
        yield url
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
