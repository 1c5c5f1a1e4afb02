"""Reports: a :class:`~auditrules.api.Report` (or its JSON form) → text, JSON, Markdown, HTML, SARIF, JUnit."""
