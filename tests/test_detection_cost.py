"""Detection stays cheap: checking a Zendesk export asks every registered adapter whether it knows
each file, but loads no other adapter's model-building stage (``auditrules.routing.<vendor>.build``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_zendesk_check_builds_with_zendesk_only(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom auditrules.cli import main\nsys.argv = ['auditrules', 'check', '-q', '--routing', "
        f"{str(ROOT / 'examples' / 'zendesk-twotier')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import json\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('auditrules.routing.'))), "
        "file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    assert "auditrules.routing.zendesk" in loaded, proc.stderr
    assert [m for m in loaded if m.endswith(".build")] == []
    assert "FAIR-001" in proc.stdout
