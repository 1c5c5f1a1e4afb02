"""The routing check stays near its import floor: a whole `auditrules check` of a Zendesk export,
rendered as text, imports neither the data stack nor jsonschema, Jinja2 or PyYAML (the report it
renders was built by the same process, so its evidence is not validated a second time)."""

from __future__ import annotations

import ast
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


#: What a routing check rendered as plain text must not import: the data stack, the validators and
#: templates of other outputs, rich's console (plain text is joined without it), pickle (the
#: remembered policy is JSON data), the other commands of the CLI, the ticket statements' AST nodes
#: and ticket columns (no ticket data given), evidence kinds the check does not meet (no allow-list
#: in the standard pack, no opaque decision in a Zendesk export) and the reading stages of adapters
#: whose detection alone runs (each module's dataclasses cost a Zendesk check time at every start).
NOT_ON_THE_ROUTING_PATH = (
    "duckdb",
    "sqlglot",
    "pyarrow",
    "pandas",
    "pyspark",
    "jsonschema",
    "jinja2",
    "rich.console",
    "pickle",
    "auditrules.routing.taskrouter.loader",
    "auditrules.commands",
    "auditrules.lang.ticket_ast",
    "auditrules.columns",
    "auditrules.allowed_evidence",
    "auditrules.opaque_evidence",
    "auditrules.routing.exports",
    "auditrules.routing.freshdesk.files",
    "auditrules.routing.genesys.pages",
)


def test_routing_check_to_a_pipe_imports_only_what_it_uses(tmp_path: Path) -> None:
    """The routing path as the benchmark runs it (`--routing DIR`, text to a pipe), twice: the second
    run reads the remembered policy, as a pre-deploy hook's runs after the first do."""
    code = (
        "import sys\nfrom auditrules.cli import main\nsys.argv = ['auditrules', 'check', '--quiet', '--routing', "
        f"{str(ROOT / 'examples' / 'zendesk-twotier')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {NOT_ON_THE_ROUTING_PATH!r} if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    # the first run parses the rules with Lark (whose tables are a pickle) and checks them whole; later
    # runs read the remembered policy without its ticket rules' statements
    for allowed in ({"pickle", "auditrules.lang.ticket_ast", "auditrules.columns"}, set()):
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
        imported = set(ast.literal_eval(proc.stderr.strip().splitlines()[-1]))
        assert imported <= allowed, proc.stderr
        assert "FAIR-001" in proc.stdout


def test_console_script_pauses_the_collector_only_for_itself(tmp_path: Path) -> None:
    """`main()` (a process that ends with its command) runs a routing check without cyclic garbage
    collection and freezes what the run left alive; the same command run in-process (CliRunner)
    leaves the collector alone. Both give the same report, byte for byte."""
    import gc

    from click.testing import CliRunner

    from auditrules.cli import cli

    export = str(ROOT / "examples" / "zendesk-twotier")
    args = ["check", "--quiet", "--format", "json", "--routing", export]
    code = (
        "import gc, sys\nfrom auditrules.cli import main\n"
        f"sys.argv = ['auditrules', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_freeze_count() > 0, gc.isenabled(), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.stderr.strip().splitlines()[-1] == "True True", proc.stderr

    frozen_before = gc.get_freeze_count()
    result = CliRunner().invoke(cli, args)
    assert gc.get_freeze_count() == frozen_before and gc.isenabled()
    assert result.output == proc.stdout


def test_every_lazily_registered_command_loads_under_its_name() -> None:
    """The commands besides ``check`` are imported when named; each resolves, under its own name,
    and ``--help`` lists them all."""
    import click
    from click.testing import CliRunner

    from auditrules.cli import LAZY_COMMANDS, cli

    with click.Context(cli) as ctx:
        assert sorted(cli.list_commands(ctx)) == sorted(["check", *LAZY_COMMANDS])
        for name in LAZY_COMMANDS:
            command = cli.get_command(ctx, name)
            assert command is not None and command.name == name
    listed = CliRunner().invoke(cli, ["--help"]).output.split("Commands:")[1]
    assert [line.split()[0] for line in listed.strip().splitlines()] == sorted(["check", *LAZY_COMMANDS])
