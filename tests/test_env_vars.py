"""Every environment variable the code reads is documented in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""(?:environ\.get|getenv|environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_is_documented() -> None:
    used = {m for path in (ROOT / "auditrules").rglob("*.py") for m in READ.findall(path.read_text(encoding="utf-8"))}
    used |= {
        m
        for path in (ROOT / "tests").glob("*.py")
        for m in READ.findall(path.read_text(encoding="utf-8"))
        if m.startswith("AUDITRULES_")
    }
    assert "AUDITRULES_MEMORY_LIMIT" in used
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    missing = sorted(v for v in used if f"`{v}`" not in table)
    assert missing == [], f"README's Environment variables table does not document {missing}"
