"""Engines: ticket files and sqlglot queries → small result rows (per-group aggregates only).

:class:`DuckDBEngine` (embedded, the default) reads the files with DuckDB's own readers and runs
the rendered queries; :class:`SparkEngine` does the same through a SparkSession when ``pyspark``
is installed (``pip install 'auditrules[spark]'``). Both render the same expression trees through
:func:`auditrules.tickets.plan.render` with their entry of the dialect table; neither ever hands
ticket rows to Python. Engine errors become ``AR304`` with a one-line message.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlglot import exp

from auditrules.errors import AuditError, fail
from auditrules.tickets.engine_spec import ENGINES, EngineSpec
from auditrules.tickets.plan import RAW, lit, render, table_ref
from auditrules.tickets.sources import (
    DELIMITERS,
    ENVELOPES,
    SourceFile,
    empty_sources_message,
    short_row_error,
)


class Engine(Protocol):
    """What the evaluator needs from an engine."""

    dialect: str

    def register(self, files: Sequence[SourceFile], name: str = RAW) -> dict[str, str]:
        """Expose the files as the relation ``name`` (``ar_raw``); return its columns → type names."""
        ...

    def view(self, name: str, select: exp.Select) -> dict[str, str]:
        """Create ``name`` as a (lazy) view of ``select``; return its columns → type names."""
        ...

    def define(self, name: str, select: exp.Select) -> None:
        """Create ``name`` as a materialised (temporary) table: the clean view is parsed in one scan."""
        ...

    def query(self, select: exp.Select) -> list[dict[str, Any]]:
        """Run a query whose result is small (aggregates) and return its rows."""
        ...

    def close(self) -> None: ...


def condense(exc: BaseException, limit: int = 300) -> str:
    """A database error as one line: first meaningful line, no 'Error:' prefixes, bounded length."""
    text = str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else type(exc).__name__
    extra = next((ln for ln in lines[1:] if not ln.startswith(("LINE", "^", "*", "Possible", "HINT"))), "")
    msg = first if not extra or len(first) > 80 else f"{first} ({extra})"
    msg = re.sub(r"^(\w+ )*Error:\s*", "", msg)
    msg = re.sub(r"\s+", " ", msg)
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


def make_engine(spec: str | EngineSpec) -> Engine:
    """The engine ``spec`` names; AR305 when unknown or not installed."""
    if isinstance(spec, str):
        spec = EngineSpec(spec)
    if spec.name == "duckdb":
        return DuckDBEngine()
    if spec.name == "spark":
        if importlib.util.find_spec("pyspark") is None:
            raise fail("AR305", "engine 'spark' needs the spark extra: pip install 'auditrules[spark]'")
        return SparkEngine(spec.master, verbose=spec.verbose)
    raise fail("AR305", f"unknown engine {spec.name!r} (expected one of: {', '.join(ENGINES)})")


def _table_function(name: str, files: Sequence[str], **options: Any) -> exp.Table:
    paths: exp.Expr = exp.Array(expressions=[lit(f) for f in files]) if len(files) > 1 else lit(files[0])
    args: list[exp.Expr] = [paths]
    args += [exp.PropertyEQ(this=exp.to_identifier(k), expression=lit(v)) for k, v in sorted(options.items())]
    return exp.Table(this=exp.Anonymous(this=name, expressions=args))


def _unpacked(reader: exp.Table, envelope: str | None) -> exp.Select:
    """``SELECT *`` from a reader, or the records of a JSON envelope's list (one row per element)."""
    if envelope is None:
        return exp.select(exp.Star()).from_(reader)
    unnest = exp.Anonymous(
        this="UNNEST",
        expressions=[
            exp.column(envelope, quoted=True),
            exp.Kwarg(this=exp.to_identifier("max_depth"), expression=exp.Literal.number(2)),
        ],
    )
    return exp.select(unnest).from_(reader)


def duckdb_source(files: Sequence[SourceFile], envelopes: Mapping[str, str] | None = None) -> exp.Expr:
    """``ar_raw`` for DuckDB: one reader per CSV file (each sniffed on its own: delimiters differ),
    one ``read_parquet`` and one ``read_json`` per format, combined with ``UNION ALL BY NAME``.
    A JSON file listed in ``envelopes`` (path → key) is read on its own and its list unpacked."""
    envelopes = envelopes or {}
    parts: list[exp.Select] = []
    for f in files:
        if f.format == "csv":
            parts.append(_unpacked(_table_function("read_csv", [f.path], **f.csv.duckdb()), None))
    parquet = [f.path for f in files if f.format == "parquet"]
    if parquet:
        parts.append(exp.select(exp.Star()).from_(_table_function("read_parquet", parquet, union_by_name=True)))
    for f in files:
        if f.format == "json" and f.path in envelopes:
            reader = _table_function("read_json", [f.path], format="auto")
            parts.append(_unpacked(reader, envelopes[f.path]))
    for fmt, mode in (("jsonl", "newline_delimited"), ("json", "auto")):
        paths = [f.path for f in files if f.format == fmt and f.path not in envelopes]
        if paths:
            parts.append(
                exp.select(exp.Star()).from_(_table_function("read_json", paths, format=mode, union_by_name=True))
            )
    out: exp.Expr = parts[0]
    for p in parts[1:]:
        out = exp.Union(this=out, expression=p, distinct=False, by_name=True)
    return out


def envelope_key(schema: Mapping[str, str]) -> str | None:
    """The envelope key of a JSON document's columns (a list of records under a known key), if any."""
    for key in ENVELOPES:
        typ = schema.get(key, "")
        if typ.upper().endswith("[]") or typ.upper().startswith("ARRAY<STRUCT"):
            return key
    return None


def single_column_csv(schema: Mapping[str, str]) -> bool:
    """True when a CSV read as one column whose name holds a delimiter (the reader's sniff failed)."""
    return len(schema) == 1 and any(d in next(iter(schema)) for d in DELIMITERS)


class DuckDBEngine:
    """DuckDB on a scratch database file in a private temporary directory (removed on close); UTC
    session time zone; spills there too when needed.

    The clean view is materialised once (:meth:`define`) as a table of that file-backed database,
    so DuckDB stores it compressed (dictionary, bit-packing, FSST): at 10M tickets about 0.2 GB
    instead of 1.2 GB in an in-memory table, and its scans read less. A CSV is parsed once, straight
    into that table (at 2M rows 2.7 s, against 3.3 s through a temporary Parquet file). The file
    is scratch space, not a cache: nothing survives the run.
    """

    dialect = "duckdb"

    #: Session settings: timestamps are UTC; insertion order is not needed for aggregates.
    SETTINGS: tuple[tuple[str, Any], ...] = (
        ("TimeZone", "UTC"),
        ("preserve_insertion_order", False),
    )

    def __init__(self) -> None:
        import duckdb

        self._duckdb = duckdb
        self._tmp = tempfile.TemporaryDirectory(prefix="auditrules-duckdb-")
        self.con = duckdb.connect(os.path.join(self._tmp.name, "scratch.duckdb"))
        for key, value in self.SETTINGS:
            self.con.execute(f"SET {key} = {render(lit(value))}")
        self.con.execute(f"SET temp_directory = {render(lit(self._tmp.name))}")
        limit = os.environ.get("AUDITRULES_MEMORY_LIMIT")
        if limit:
            self.con.execute(f"SET memory_limit = {render(lit(limit))}")

    def _run(self, sql: str) -> Any:
        try:
            return self.con.execute(sql)
        except self._duckdb.Error as exc:
            raise fail("AR304", f"cannot read the ticket source: {condense(exc)}") from None

    def _describe(self, select: exp.Expr) -> dict[str, str]:
        rows = self._run(f"DESCRIBE {render(select)}").fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def _check_csv(self, f: SourceFile) -> None:
        """AR311 when the reader cannot split a CSV into columns because a row is uneven."""
        reader = exp.select(exp.Star()).from_(_table_function("read_csv", [f.path], **f.csv.duckdb()))
        try:
            uneven = single_column_csv(self._describe(reader))
        except AuditError:  # the sniffer gave up: say why when a row is uneven
            err = short_row_error(f.path, f.csv)
            if err is not None:
                raise err from None
            raise
        err = short_row_error(f.path, f.csv) if uneven else None
        if err is not None:
            raise err

    def register(self, files: Sequence[SourceFile], name: str = RAW) -> dict[str, str]:
        """Expose the files as ``name`` (``ar_raw``): CSV files checked for uneven rows, JSON envelopes unpacked.

        AR311 when a CSV cannot be split into columns, AR310 when the sources hold no rows.
        """
        envelopes: dict[str, str] = {}
        for f in files:
            if f.format == "csv" and not f.csv.null_padding:
                self._check_csv(f)
            elif f.format == "json":
                key = envelope_key(self._describe(exp.select(exp.Star()).from_(_table_function("read_json", [f.path]))))
                if key is not None:
                    envelopes[f.path] = key
        schema = self.view(name, duckdb_source(files, envelopes))
        if not self._run(f"SELECT 1 FROM {render(table_ref(name))} LIMIT 1").fetchall():
            raise empty_sources_message(files)
        return schema

    def view(self, name: str, select: exp.Expr) -> dict[str, str]:
        self._run(render(exp.Create(this=table_ref(name), kind="VIEW", expression=select, replace=True)))
        return self._describe(exp.select(exp.Star()).from_(table_ref(name)))

    def define(self, name: str, select: exp.Select) -> None:
        node = exp.Create(this=table_ref(name), kind="TABLE", expression=select, replace=True)
        self._run(render(node))

    def query(self, select: exp.Select) -> list[dict[str, Any]]:
        cur = self._run(render(select))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._tmp.cleanup()


#: log4j2 configuration that keeps the Spark JVM quiet (errors only), shipped beside this module.
QUIET_LOG4J = Path(__file__).with_name("log4j2-quiet.properties")


@contextlib.contextmanager
def _jvm_stderr_to(path: str | None) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` while the Spark JVM is launched (it inherits the
    descriptor for its lifetime: JVM warnings and progress bars go to the file); None: unchanged."""
    if path is None:
        yield
        return
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


class SparkEngine:
    """A SparkSession (UTC, non-ANSI casts so bad values become NULL as in DuckDB).

    An existing session is reused (``getOrCreate``), so in a notebook on a cluster the caller's
    configuration wins. Otherwise a session is started on ``master`` (a standalone cluster's
    ``spark://host:7077``, ``local[*]`` by default); a local session binds to the loopback interface
    and has no web UI. Unless ``verbose``, the JVM logs errors only, shows no progress bars, and its
    own start-up chatter goes to a log file in a private temporary directory. A session that cannot
    start (no Java, an unreachable master) is AR305 with the reason, not a traceback.
    """

    dialect = "spark"

    CONF: tuple[tuple[str, str], ...] = (
        ("spark.sql.session.timeZone", "UTC"),
        ("spark.sql.ansi.enabled", "false"),
        ("spark.sql.legacy.timeParserPolicy", "CORRECTED"),
    )
    #: Used only when this engine starts the session on a local master.
    LOCAL: tuple[tuple[str, str], ...] = (
        ("spark.ui.enabled", "false"),
        ("spark.driver.bindAddress", "127.0.0.1"),
        ("spark.driver.host", "127.0.0.1"),
        ("spark.sql.shuffle.partitions", "8"),
    )
    #: Used only when this engine starts the session and ``verbose`` is off.
    QUIET: tuple[tuple[str, str], ...] = (
        ("spark.ui.showConsoleProgress", "false"),
        ("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={QUIET_LOG4J.as_uri()}"),
    )

    def __init__(self, master: str | None = None, verbose: bool = False) -> None:
        from pyspark.sql import SparkSession

        self._tmp = tempfile.TemporaryDirectory(prefix="auditrules-spark-")
        try:
            active = SparkSession.getActiveSession()
            builder = SparkSession.builder.appName("auditrules")
            log: str | None = None
            if active is None:
                url = master or os.environ.get("AUDITRULES_SPARK_MASTER") or "local[*]"
                builder = builder.master(url)
                settings = list(self.LOCAL) if url.startswith("local") else []
                if url.startswith("local"):
                    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
                if not verbose:
                    settings += self.QUIET
                    log = os.path.join(self._tmp.name, "spark.log")
                for key, value in settings:
                    builder = builder.config(key, value)
            for key, value in self.CONF:
                builder = builder.config(key, value)
            with _jvm_stderr_to(log):
                self.spark = builder.getOrCreate()
            self.spark.sparkContext.setLogLevel("INFO" if verbose else "ERROR")
        except Exception as exc:  # noqa: BLE001 - Java missing, gateway failure, unreachable master: all AR305
            self._tmp.cleanup()
            raise fail("AR305", f"engine 'spark' could not start a Spark session: {condense(exc)}") from None

    def _wrap(self, fn: Any) -> Any:
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - Spark raises many unrelated types; all become AR304
            raise fail("AR304", f"cannot read the ticket source: {condense(exc)}") from None

    def register(self, files: Sequence[SourceFile], name: str = RAW) -> dict[str, str]:
        def load() -> dict[str, str]:
            frames = [self._frame(f) for f in files]
            df = frames[0]
            for other in frames[1:]:
                df = df.unionByName(other, allowMissingColumns=True)
            df.createOrReplaceTempView(name)
            return {field.name: field.dataType.simpleString().upper() for field in df.schema.fields}

        for f in files:
            if f.format == "csv" and not f.csv.null_padding:
                err = short_row_error(f.path, f.csv) if self._failed_csv(f) else None
                if err is not None:
                    raise err
        result: dict[str, str] = self._wrap(load)
        if self._wrap(lambda: not self.spark.table(name).head(1)):
            raise empty_sources_message(files)
        return result

    def _failed_csv(self, f: SourceFile) -> bool:
        """True when Spark reads the CSV's header as one column holding a delimiter (a failed sniff).

        A short row further down is refused by the FAILFAST reader when the data is read (AR304).
        """
        try:
            columns = self.spark.read.options(**f.csv.spark()).csv(f.path).columns
        except Exception:  # noqa: BLE001 - Spark raises many unrelated types; the read below reports it
            return False
        return single_column_csv({c: "STRING" for c in columns})

    def _frame(self, f: SourceFile) -> Any:
        from pyspark.sql import functions

        reader = self.spark.read
        if f.format == "csv":
            return reader.options(**f.csv.spark()).csv(f.path)
        if f.format == "parquet":
            return reader.parquet(f.path)
        if f.format == "jsonl":
            return reader.json(f.path)
        df = reader.option("multiLine", "true").json(f.path)
        key = envelope_key({fd.name: fd.dataType.simpleString().upper() for fd in df.schema.fields})
        if key is None:
            return df
        return df.select(functions.explode(functions.col(key)).alias("_record")).select("_record.*")

    def view(self, name: str, select: exp.Expr) -> dict[str, str]:
        def run() -> dict[str, str]:
            df = self.spark.sql(render(select, "spark"))
            df.createOrReplaceTempView(name)
            return {field.name: field.dataType.simpleString().upper() for field in df.schema.fields}

        result: dict[str, str] = self._wrap(run)
        return result

    def define(self, name: str, select: exp.Select) -> None:
        def run() -> None:
            df = self.spark.sql(render(select, "spark")).cache()
            df.createOrReplaceTempView(name)

        self._wrap(run)

    def query(self, select: exp.Select) -> list[dict[str, Any]]:
        rows = self._wrap(lambda: self.spark.sql(render(select, "spark")).collect())
        return [r.asDict() for r in rows]

    def close(self) -> None:
        self._tmp.cleanup()


__all__ = ["ENGINES", "AuditError", "DuckDBEngine", "Engine", "EngineSpec", "SparkEngine", "condense", "make_engine"]
