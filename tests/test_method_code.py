"""The code of generated dataclass methods, remembered between runs (auditrules/method_code.py):
a remembered method is the very code compiling its text gives, a damaged or foreign file is
ignored, the file stays bounded, nothing is kept where the cache is not private, and only the
command line (not a library import) gives ``dataclasses`` the remembering ``exec``."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest

from auditrules import method_code

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "examples" / "zendesk-twotier"

#: Prints every generated method of every dataclass the package defines on the routing path and
#: beyond (its code's parts), then how many texts this run compiled through the remembering exec.
_DUMP = """
import dataclasses, importlib, sys
if sys.argv[1] == "remember":
    from auditrules import method_code
    method_code.remember()
modules = ["auditrules.cli", "auditrules.api", "auditrules.pipeline", "auditrules.evidence",
           "auditrules.ticket_evidence", "auditrules.allowed_evidence", "auditrules.opaque_evidence",
           "auditrules.routing.analysis", "auditrules.routing.parity", "auditrules.routing.zendesk",
           "auditrules.lang.ast", "auditrules.lang.ticket_ast", "auditrules.waived"]
out = []
for name in modules:
    module = importlib.import_module(name)
    for cls in vars(module).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name:
            for meth in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
                fn = cls.__dict__.get(meth)
                code = getattr(fn, "__code__", None)
                if code is not None and code.co_filename == "<string>":
                    out.append((cls.__qualname__, meth, code.co_code.hex(), repr(code.co_consts), code.co_names,
                                code.co_varnames, code.co_freevars, code.co_flags, code.co_firstlineno,
                                code.co_linetable.hex(), code.co_qualname))
print(len(out))
print(hash(repr(sorted(out))))
exec_ = getattr(dataclasses, "exec", None)
print(len(exec_.__self__.compiled) if exec_ is not None else "-")
"""


def _run(args: list[str], cache: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache), "PYTHONHASHSEED": "0", **extra}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)


def test_remembered_methods_are_the_code_compiling_gives(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = _run(["-c", _DUMP, "plain"], cache)
    cold = _run(["-c", _DUMP, "remember"], cache)
    warm = _run(["-c", _DUMP, "remember"], cache)
    for proc in (plain, cold, warm):
        assert proc.returncode == 0, proc.stderr
    count, digest, compiled = plain.stdout.split()
    assert int(count) > 100 and compiled == "-"  # a library import leaves dataclasses alone
    assert cold.stdout.split()[:2] == [count, digest] and int(cold.stdout.split()[2]) > 100
    assert warm.stdout.split() == [count, digest, "0"]  # every method remembered, none compiled


def test_the_command_line_remembers_and_answers_the_same(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ["-m", "auditrules", "check", "--quiet", "--format", "json", "--routing", str(EXPORT)]
    first = _run(args, cache, SOURCE_DATE_EPOCH="0")
    files = list((cache / "auditrules").glob("dataclass-methods.*.marshal"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    second = _run(args, cache, SOURCE_DATE_EPOCH="0")
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout) and first.returncode == 1
    assert files[0].stat().st_mtime_ns == stamp  # nothing new compiled: the file is not written again
    uncached = _run(args, tmp_path / "elsewhere", SOURCE_DATE_EPOCH="0")
    assert (uncached.returncode, uncached.stdout) == (first.returncode, first.stdout)


def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "methods.marshal"
    code = compile("x = 1", "<string>", "exec")
    cases = {
        b"": {},
        b"garbage": {},
        MAGIC_NUMBER + b"\xff\x00 not marshal": {},
        b"\x00\x00\r\n" + marshal.dumps({"x = 1": code}): {},  # another interpreter's bytecode
        MAGIC_NUMBER + marshal.dumps(["x = 1"]): {},
        MAGIC_NUMBER + marshal.dumps({"x = 1": "not code", 1: code, "y = 2": code}): {"y = 2": code},
        MAGIC_NUMBER + marshal.dumps({"x = 1": code}): {"x = 1": code},
    }
    for data, expected in cases.items():
        path.write_bytes(data)
        assert method_code.load(str(path)) == expected, data[:20]
    assert method_code.load(str(tmp_path / "absent")) == {} and method_code.load(None) == {}


def test_the_file_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(method_code, "MAX_ENTRIES", 3)
    path = str(tmp_path / "methods.marshal")
    known = {f"v{i} = {i}": compile(f"v{i} = {i}", "<string>", "exec") for i in range(3)}
    methods = method_code._Methods(dict(known), path)
    namespace: dict[str, object] = {}
    methods.exec("v0 = 0", namespace)  # remembered
    methods.exec("w = 5", namespace)  # compiled now: four texts would pass the bound
    assert namespace["v0"] == 0 and namespace["w"] == 5 and list(methods.compiled) == ["w = 5"]
    methods.save()
    assert sorted(method_code.load(path)) == ["v0 = 0", "w = 5"]  # only what this run used
    again = method_code._Methods(method_code.load(path), path)
    again.exec("v0 = 0", namespace)
    assert again.compiled == {}
    again.save()  # nothing new: the file is left as it is
    assert sorted(method_code.load(path)) == ["v0 = 0", "w = 5"]


def test_nothing_is_kept_where_the_cache_is_not_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "auditrules").mkdir(parents=True)
    os.chmod(shared / "auditrules", 0o777)  # others may write: never a place for code
    proc = _run(["-m", "auditrules", "check", "--quiet", "--routing", str(EXPORT)], shared)
    assert proc.returncode == 1 and "FAIR-001" in proc.stdout, proc.stderr
    assert not list((shared / "auditrules").iterdir())
