"""The wheel works outside the checkout: build it, install it into a fresh virtual environment, and run
the demo, a user's column mapping, `explain`, an HTML report and a configuration file from a directory
that is not the checkout. Skipped, saying why, only when a tool it needs is missing."""

from __future__ import annotations

import importlib.util
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(
    args: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in ok, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if importlib.util.find_spec("ensurepip") is None:
        pytest.skip("ensurepip is missing, so no virtual environment with pip can be made (install python3-venv)")
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # pip builds the wheel with the backend pyproject.toml declares (in an isolated build environment)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(ROOT)], tmp, env)
    wheel = next((tmp / "dist").glob("auditrules-*.whl"))
    # the dependencies come from this interpreter's site-packages (no download: a .pth line adds them
    # after the venv's own, and .pth files found there are not run, so an editable install of the
    # checkout stays invisible); auditrules itself comes from the wheel
    venv.EnvBuilder(with_pip=True).create(tmp / "venv")
    bindir = tmp / "venv" / ("Scripts" if os.name == "nt" else "bin")
    purelib = _run(
        [str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, env
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(purelib.stdout.strip(), "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    _run([str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], tmp, env)
    env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
    return bindir, env


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory far from the checkout, holding copies of the demo data."""
    work = tmp_path / "client"
    work.mkdir()
    shutil.copy(ROOT / "examples" / "acme" / "routing.yaml", work / "routing.yaml")
    shutil.copy(ROOT / "examples" / "acme" / "tickets.parquet", work / "tickets.parquet")
    shutil.copy(ROOT / "tests" / "fixtures" / "tickets" / "twitter_support.csv", work / "t.csv")
    shutil.copy(ROOT / "auditrules" / "data" / "mappings" / "twitter-support.yaml", work / "my-mapping.yaml")
    return work


def test_auditrules_comes_from_the_wheel(installed: tuple[Path, dict[str, str]], outside: Path) -> None:
    bindir, env = installed
    where = _run([str(bindir / "python"), "-c", "import auditrules; print(auditrules.__file__)"], outside, env)
    assert Path(where.stdout.strip()).is_relative_to(bindir.parent), where.stdout
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)


def test_demo_mapping_explain_html_outside_the_checkout(installed: tuple[Path, dict[str, str]], outside: Path) -> None:
    bindir, env = installed
    exe = str(bindir / "auditrules")
    demo = _run(
        [exe, "check", "--routing", "routing.yaml", "--tickets", "tickets.parquet", "-q"], outside, env, ok=(1,)
    )
    assert "FAIL  FAIR-001" in demo.stdout and "FAIL  FAIR-005" in demo.stdout
    mapped = _run(
        [exe, "check", "--tickets", "t.csv", "--mapping", "my-mapping.yaml", "--format", "json", "-q"],
        outside,
        env,
        ok=(0, 1),
    )
    assert '"tickets-csv"' in mapped.stdout or "tickets" in mapped.stdout
    builtin = _run([exe, "check", "--tickets", "t.csv", "--mapping", "twitter-support", "-q"], outside, env, ok=(0, 1))
    assert "internal error" not in builtin.stderr
    explained = _run([exe, "explain", "FAIR-003"], outside, env)
    assert explained.stdout.startswith("# FAIR-003: Every channel meets the same first-response time")
    _run([exe, "check", "--routing", "routing.yaml", "--format", "html", "-o", "report.html"], outside, env, ok=(1,))
    html = (outside / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html or "FAIR-001" in html
    _run([exe, "check", "routing.yaml", "--format", "sarif", "-o", "r.sarif"], outside, env, ok=(1,))
    assert '"help"' in (outside / "r.sarif").read_text(encoding="utf-8")


def test_config_init_and_rule_tests_outside_the_checkout(installed: tuple[Path, dict[str, str]], outside: Path) -> None:
    bindir, env = installed
    exe = str(bindir / "auditrules")
    (outside / "tickets.parquet").unlink()
    (outside / "t.csv").unlink()
    _run([exe, "init"], outside, env)
    checked = _run([exe, "check"], outside, env, ok=(1,))  # the config names routing.yaml; Acme fails
    assert "TEAM-001" in checked.stdout
    tested = _run([exe, "test", "rules/"], outside, env)
    assert "2 of 2 example(s) hold" in tested.stdout
    (outside / ".auditrules.yaml").write_text("fail-on: sometimes\n", encoding="utf-8")
    bad = _run([exe, "check"], outside, env, ok=(2,))
    assert "error[AR411]" in bad.stderr and "internal error" not in bad.stderr
