"""auditrules: audit customer-service routing configs and ticket histories against fairness rules.

The package is a row of rooms, one per stage; imports run one way, from the pipeline down to the
vocabularies (README.md, "Architecture", draws it):

* ``units``, ``channels``, ``columns`` — the vocabularies (figures and durations, channel names,
  canonical ticket columns); they import nothing from the package.
* ``errors`` (the one error type and its code table), ``findings`` (statuses, verdicts,
  locations), ``evidence`` (one typed evidence kind per finding shape, with its JSON form),
  ``documents`` (YAML/JSON with source positions and limits), ``resources`` (bundled packs,
  schemas, templates).
* ``lang`` — the rule language; ``routing`` — routing exports → one model → findings;
  ``tickets`` — ticket files → SQL → group statistics → findings; ``report`` — report data →
  text, JSON, Markdown, HTML, SARIF, JUnit.
* ``waivers``, ``baseline`` — accepted exceptions; ``api`` — the pipeline the CLI calls; ``cli``.

Each sub-package's docstring says what it holds and, on a ``May import:`` line, which rooms it
may import; ``tests/test_architecture.py`` holds every module to that line.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
