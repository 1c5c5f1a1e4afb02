"""Reports: a :class:`~auditrules.api.Report`'s JSON form → text, JSON, Markdown, HTML, SARIF, JUnit.

Each format has its own module; :mod:`~auditrules.report.render` dispatches. Renderers read
findings' evidence only through :mod:`auditrules.evidence` types, status words from
:mod:`~auditrules.report.statuses` and figures from :mod:`auditrules.units`; they never run an
analysis. Third-party: rich (text), Jinja2 with autoescape and markupsafe (HTML), jsonschema.

May import: errors, findings, evidence, ticket_evidence, allowed_evidence, units, documents, resources, fingerprints
"""
