"""Routing evidence: adapters turn vendor exports into one RoutingModel that the analysis reads.

:mod:`~auditrules.routing.model` is the one seam: every adapter (canonical YAML, Zendesk,
TaskRouter, …) produces a :class:`~auditrules.routing.model.RoutingModel` with exact file:line
locations, :mod:`~auditrules.routing.detect` picks the adapter, and
:mod:`~auditrules.routing.analysis` evaluates routing statements on the model (taint through
derived tags and fields, allow-lists, SLA coverage and parity) into findings with typed
evidence. The routing path must start fast: no data stack (duckdb, sqlglot, pyarrow, pandas,
pyspark) is imported here. Third-party: lark (TaskRouter expressions), jsonschema.

May import: errors, findings, evidence, allowed_evidence, opaque_evidence, channels, units, documents, resources, lang
"""
