"""``python -m auditrules`` runs the command-line interface."""

from auditrules.cli import main

main(end_process=True)
