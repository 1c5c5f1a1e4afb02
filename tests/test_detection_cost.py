"""Detection stays cheap: checking a Zendesk export asks every registered adapter whether it knows
each file, but loads no other adapter's model-building stage (``auditrules.routing.<vendor>.build``)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


#: Each adapter's head pattern and the words every match of it holds (detection refuses a head
#: holding none of the words without running the pattern).
PEEKS = {
    "freshdesk": ("auditrules.routing.freshdesk.detect", "PEEK", "PEEK_WORDS"),
    "genesys": ("auditrules.routing.genesys.detect", "PEEK", "PEEK_WORDS"),
    "taskrouter": ("auditrules.routing.taskrouter.files", "WORKFLOW_PEEK", "WORKFLOW_WORDS"),
}


@pytest.mark.parametrize("adapter", sorted(PEEKS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_of_a_head_pattern_holds_one_of_its_words(adapter: str, data: st.DataObject) -> None:
    """The quick refusal is exact: no text the pattern matches lacks all of the words."""
    module, pattern_name, words_name = PEEKS[adapter]
    mod = importlib.import_module(module)
    pattern, words = getattr(mod, pattern_name), getattr(mod, words_name)
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    assert any(w in text for w in words), (adapter, text)


def test_detection_reads_each_file_once_and_gives_the_formats_each_adapter_gives(tmp_path: Path) -> None:
    """formats_of hands every adapter the same head; each adapter alone (reading the file itself)
    answers the same for every file of the examples and for heads that hold a word but no match."""
    from auditrules.routing import detect
    from auditrules.routing.freshdesk import is_freshdesk
    from auditrules.routing.genesys import is_genesys
    from auditrules.routing.taskrouter import is_taskrouter
    from auditrules.routing.zendesk import is_zendesk

    decoys = {
        "words-only.json": '{"note": "sla_target mediaSettings task_routing workflows configuration"}',
        "late.json": '{"pad": "' + "x" * 70_000 + '", "sla_target": 1}',  # past the head: not Freshdesk
        "quoted.json": '[{"sla_target" : {}}]',
    }
    for name, text in decoys.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = [*sorted(tmp_path.iterdir()), *sorted((ROOT / "examples").glob("*/*.json"))]
    tests = {"zendesk": is_zendesk, "taskrouter": is_taskrouter, "freshdesk": is_freshdesk, "genesys": is_genesys}
    for f in files:
        alone = tuple(name for name, test in tests.items() if test(f))
        assert detect.formats_of(f) == alone or (not alone and detect.formats_of(f) in ((), ("connect",))), f
    assert detect.formats_of(tmp_path / "quoted.json") == ("freshdesk",)
    assert detect.formats_of(tmp_path / "late.json") == ()
