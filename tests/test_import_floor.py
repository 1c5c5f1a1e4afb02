"""The routing check stays near its import floor: a whole `auditrules check` of a Zendesk export,
rendered as text, imports neither the data stack nor jsonschema, Jinja2 or PyYAML (the report it
renders was built by the same process, so its evidence is not validated a second time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("duckdb", "sqlglot", "pyarrow", "pandas", "pyspark", "jsonschema", "jinja2", "yaml")


def test_zendesk_routing_check_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom auditrules.cli import main\nsys.argv = ['auditrules', 'check', '-q', "
        f"{str(ROOT / 'examples' / 'zendesk-twotier')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
    assert "FAIR-001" in proc.stdout
