"""``python -m auditrules`` and the ``auditrules`` command: the command-line interface
(:mod:`auditrules.cli`), started with the code of generated dataclass methods remembered between
runs (:mod:`auditrules.method_code`) — installed before the rest of the package is imported."""

from __future__ import annotations


def run() -> None:
    """Console-script entry point."""
    from auditrules import method_code

    method_code.remember()
    from auditrules.cli import main

    main(end_process=True)


if __name__ == "__main__":
    run()
