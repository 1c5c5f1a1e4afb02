"""Fuzzing: mutation operators (``mutate``), targets that feed mutants to auditrules (``targets``)
and a timed runner (``python -m tests.fuzz --minutes N``). The property tests in
``tests/test_properties.py`` use the same operators through hypothesis."""
