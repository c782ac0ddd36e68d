"""Peer side of `cargo xtask bench`: the same log file in DuckDB and in chDB.

hannun's benchmark compares itself with two well-known embedded engines. This
script loads the benchmark's NDJSON file into

* DuckDB: a file database sorted by (service, timestamp), exported to a
  ZSTD Parquet file, then queried twice: straight off that Parquet file
  ("duckdb_parquet") and from an in-memory table ("duckdb_memory");
* chDB (the ClickHouse engine in-process): a MergeTree table ordered by
  (service, timestamp) with a bloom filter on trace_id and a token bloom
  filter on message ("chdb");

and times six standard queries on each (one untimed warm-up, then --runs timed
runs, median reported). It prints exactly one JSON object on stdout; progress
and warnings go to stderr. Usage (as the Rust side runs it):

    python peers.py --ndjson FILE --workdir DIR --from-ns N --to-ns N \
        --needle TRACE_ID --word WORD --runs 5

Needs the PyPI packages `duckdb` and `chdb`. The engines read the file
themselves: at 10 million lines (~3.5 GB) nothing may pass through Python.

Each engine runs in its own child process (this same file with --engine), so
that its peak RSS and CPU time are its own and not the other engine's.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

QUERIES = (
    "q1_count_by_service",
    "q2_error_rate_5m",
    "q3_top_hosts_by_errors",
    "q4_needle_trace_id",
    "q5_latest_100_word",
    "q6_p95_by_endpoint",
)


def log(msg):
    print(f"[peers] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    print(f"peers.py: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


class Phase:
    """Wall time, CPU time and peak RSS of a block of work.

    CPU comes from getrusage(RUSAGE_SELF), which sums every thread of the
    process, exited ones too: both engines do their work on pools of worker
    threads, not on the calling thread.
    """

    def __enter__(self):
        self._wall = time.perf_counter()
        self._cpu = _cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._wall
        self.cpu_seconds = _cpu_seconds() - self._cpu
        self.peak_rss_kib = _peak_rss_kib()
        return False


def _cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _peak_rss_kib():
    # ru_maxrss is KiB on Linux; it is a high-water mark for the whole process.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def ns_literal(ns):
    """'YYYY-MM-DD HH:MM:SS.fffffffff' (UTC): one spelling both engines parse."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.datetime.fromtimestamp(secs, tz=datetime.timezone.utc)
    return f"{base:%Y-%m-%d %H:%M:%S}.{frac:09d}"


def is_whole_token(word):
    # ClickHouse splits tokens on every ASCII byte that is not a letter or a
    # digit (so '_' and '-' separate); non-ASCII bytes belong to tokens.
    return bool(word) and all(c.isalnum() if c.isascii() else True for c in word)


def timed_runs(run_once, runs):
    """Warm-up once (untimed), then `runs` timed runs; median ms and the last result."""
    result = run_once()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = run_once()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples), result


# ---------------------------------------------------------------- DuckDB


def duckdb_str(s):
    return "'" + s.replace("'", "''") + "'"


def duckdb_queries(a):
    lo = f"TIMESTAMP_NS {duckdb_str(ns_literal(a.from_ns))}"
    hi = f"TIMESTAMP_NS {duckdb_str(ns_literal(a.to_ns))}"
    rng = f"timestamp >= {lo} AND timestamp < {hi}"
    return {
        "q1_count_by_service": f"SELECT service, count(*) AS n FROM logs WHERE {rng} "
        "GROUP BY service ORDER BY service",
        "q2_error_rate_5m": "SELECT time_bucket(INTERVAL 5 MINUTE, timestamp) AS bucket, "
        "count_if(level = 'error') / count(*) AS error_rate "
        f"FROM logs WHERE {rng} GROUP BY bucket ORDER BY bucket",
        "q3_top_hosts_by_errors": "SELECT host, count(*) AS errors FROM logs "
        f"WHERE {rng} AND level = 'error' GROUP BY host ORDER BY errors DESC, host LIMIT 10",
        "q4_needle_trace_id": f"SELECT * FROM logs WHERE trace_id = {duckdb_str(a.needle)}",
        "q5_latest_100_word": "SELECT timestamp, service, message FROM logs "
        f"WHERE {rng} AND contains(message, {duckdb_str(a.word)}) "
        "ORDER BY timestamp DESC LIMIT 100",
        "q6_p95_by_endpoint": "SELECT http_route, approx_quantile(duration_ms, 0.95) AS p95 "
        f"FROM logs WHERE {rng} GROUP BY http_route ORDER BY http_route",
    }


def run_duckdb(a):
    import duckdb

    db_path = os.path.join(a.workdir, "peer.duckdb")
    parquet_path = os.path.join(a.workdir, "peer.parquet")
    for p in (db_path, db_path + ".wal", parquet_path):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(db_path + ".tmp", ignore_errors=True)

    # An explicit schema so read_json neither samples nor guesses. The
    # timestamp stays VARCHAR here and is cast below: TIMESTAMP_NS keeps the
    # nanoseconds (TIMESTAMPTZ would truncate to microseconds) and every input
    # is UTC ('Z'), so nothing is lost by its having no time zone.
    columns = {
        "timestamp": "VARCHAR",
        "service": "VARCHAR",
        "env": "VARCHAR",
        "host": "VARCHAR",
        "level": "VARCHAR",
        "message": "VARCHAR",
        "trace_id": "VARCHAR",
        "span_id": "VARCHAR",
        "attributes": 'STRUCT("http.method" VARCHAR, "http.route" VARCHAR, '
        '"http.status_code" INTEGER, "duration_ms" DOUBLE, "cloud.region" VARCHAR)',
    }
    columns_sql = "{" + ", ".join(f"{duckdb_str(k)}: {duckdb_str(v)}" for k, v in columns.items()) + "}"
    load_sql = f"""
        CREATE TABLE logs AS
        SELECT timestamp::TIMESTAMP_NS AS timestamp, service, env, host, level, message,
               trace_id, span_id,
               attributes."http.method" AS http_method,
               attributes."http.route" AS http_route,
               attributes."http.status_code"::INT AS status_code,
               attributes."duration_ms"::DOUBLE AS duration_ms,
               attributes."cloud.region" AS region
        FROM read_json({duckdb_str(a.ndjson)}, format = 'newline_delimited',
                       columns = {columns_sql})
        ORDER BY service, timestamp
    """
    copy_sql = (
        f"COPY (SELECT * FROM logs ORDER BY service, timestamp) TO {duckdb_str(parquet_path)} "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)"
    )

    log(f"duckdb {duckdb.__version__}: loading {a.ndjson}")
    try:
        with Phase() as load:
            con = duckdb.connect(db_path)
            con.execute("SET TimeZone = 'UTC'")
            t0 = time.perf_counter()
            con.execute(load_sql)
            # Counted in the load: the table is only durable once checkpointed.
            con.execute("CHECKPOINT")
            t1 = time.perf_counter()
            con.execute(copy_sql)
            t2 = time.perf_counter()
            n_rows = con.execute("SELECT count(*) FROM logs").fetchone()[0]
            con.close()
    except Exception as e:  # noqa: BLE001
        fail(f"duckdb load failed: {e}")
    log(
        f"duckdb load: {n_rows} rows, table {t1 - t0:.2f}s + parquet {t2 - t1:.2f}s = "
        f"{load.seconds:.2f}s wall, {load.cpu_seconds:.2f}s cpu, peak rss {load.peak_rss_kib} KiB, "
        f"{os.path.getsize(db_path)} db bytes, {os.path.getsize(parquet_path)} parquet bytes"
    )

    sqls = duckdb_queries(a)
    queries = {}
    digests = {}

    def run_set(name, con):
        con.execute("SET TimeZone = 'UTC'")
        res, dig = {}, {}
        for q in QUERIES:
            try:
                ms, rows = timed_runs(lambda: con.execute(sqls[q]).fetchall(), a.runs)
            except Exception as e:  # noqa: BLE001 - any engine error ends the benchmark
                fail(f"{name} {q} failed: {e}\nSQL: {sqls[q]}")
            res[q] = {"ms": round(ms, 3), "rows": len(rows)}
            dig[q] = digest(q, rows)
            log(f"{name} {q}: {ms:.2f} ms, {len(rows)} rows")
        queries[name] = res
        digests[name] = dig

    parquet_con = duckdb.connect(":memory:")
    parquet_con.execute(f"CREATE VIEW logs AS SELECT * FROM read_parquet({duckdb_str(parquet_path)})")
    run_set("duckdb_parquet", parquet_con)
    parquet_con.close()

    memory_con = duckdb.connect(":memory:")
    t0 = time.perf_counter()
    memory_con.execute(f"CREATE TABLE logs AS SELECT * FROM read_parquet({duckdb_str(parquet_path)})")
    log(f"duckdb_memory: table loaded from parquet in {time.perf_counter() - t0:.2f}s (untimed)")
    run_set("duckdb_memory", memory_con)
    memory_con.close()

    return {
        "engine": {
            "load_seconds": round(load.seconds, 3),
            "load_cpu_seconds": round(load.cpu_seconds, 3),
            "parquet_bytes": os.path.getsize(parquet_path),
            "peak_rss_kib": load.peak_rss_kib,
            "query_peak_rss_kib": _peak_rss_kib(),
        },
        "queries": queries,
        "digests": digests,
        "version": duckdb.__version__,
    }


# ---------------------------------------------------------------- chDB


def ch_str(s):
    # ClickHouse string literals treat backslash as an escape character.
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ch_like(word):
    pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"message LIKE {ch_str('%' + pattern + '%')}"


def ch_queries(a, use_token):
    lo = f"toDateTime64({ch_str(ns_literal(a.from_ns))}, 9, 'UTC')"
    hi = f"toDateTime64({ch_str(ns_literal(a.to_ns))}, 9, 'UTC')"
    rng = f"timestamp >= {lo} AND timestamp < {hi}"
    # hasToken is what the tokenbf_v1 index can answer; LIKE '%w%' cannot use
    # it, since w might sit inside a longer token.
    word_cond = f"hasToken(message, {ch_str(a.word)})" if use_token else ch_like(a.word)
    return {
        "q1_count_by_service": f"SELECT service, count() AS n FROM logs WHERE {rng} "
        "GROUP BY service ORDER BY service",
        "q2_error_rate_5m": "SELECT toStartOfInterval(timestamp, INTERVAL 5 MINUTE) AS bucket, "
        "countIf(level = 'error') / count() AS error_rate "
        f"FROM logs WHERE {rng} GROUP BY bucket ORDER BY bucket",
        "q3_top_hosts_by_errors": "SELECT host, count() AS errors FROM logs "
        f"WHERE {rng} AND level = 'error' GROUP BY host ORDER BY errors DESC, host LIMIT 10",
        "q4_needle_trace_id": f"SELECT * FROM logs WHERE trace_id = {ch_str(a.needle)}",
        "q5_latest_100_word": "SELECT timestamp, service, message FROM logs "
        f"WHERE {rng} AND {word_cond} ORDER BY timestamp DESC LIMIT 100",
        "q6_p95_by_endpoint": "SELECT http_route, quantile(0.95)(duration_ms) AS p95 "
        f"FROM logs WHERE {rng} GROUP BY http_route ORDER BY http_route",
    }


CH_TABLE = """
CREATE TABLE logs (
    timestamp DateTime64(9, 'UTC'),
    service LowCardinality(String),
    env LowCardinality(String),
    host LowCardinality(String),
    level LowCardinality(String),
    message String,
    trace_id String,
    span_id String,
    http_method LowCardinality(String),
    http_route LowCardinality(String),
    status_code UInt16,
    duration_ms Float64,
    region LowCardinality(String),
    INDEX idx_trace trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_msg message TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1
) ENGINE = MergeTree ORDER BY (service, timestamp)
"""

# The input's own layout, given in full so that nothing is inferred. The
# attributes object is read as a named Tuple whose element names are the
# dotted keys themselves (backquoted), matched by name, not position.
CH_STRUCTURE = (
    "timestamp DateTime64(9, 'UTC'), service String, env String, host String, "
    "level String, message String, trace_id String, span_id String, "
    "attributes Tuple(`http.method` String, `http.route` String, "
    "`http.status_code` UInt16, `duration_ms` Float64, `cloud.region` String)"
)


def run_chdb(a):
    import chdb
    from chdb import session

    ch_dir = os.path.join(a.workdir, "peer-chdb")
    shutil.rmtree(ch_dir, ignore_errors=True)
    # A Session with a path keeps MergeTree parts on disk, like a server would.
    sess = session.Session(ch_dir)

    def q(sql, fmt="JSONCompact"):
        return sess.query(sql, fmt)

    engine_version = json.loads(q("SELECT version() AS v").bytes())["data"][0][0]
    insert_sql = (
        "INSERT INTO logs SELECT timestamp, service, env, host, level, message, trace_id, span_id, "
        "attributes.`http.method`, attributes.`http.route`, attributes.`http.status_code`, "
        "attributes.`duration_ms`, attributes.`cloud.region` "
        f"FROM file({ch_str(a.ndjson)}, 'JSONEachRow', {ch_str(CH_STRUCTURE)}) "
        # best_effort reads RFC3339 with 'Z' whatever the build's default is.
        # Two insert threads (chDB's default here, ClickHouse's is 1) so the
        # load, like DuckDB's, may use both cores whatever the build says.
        "SETTINGS date_time_input_format = 'best_effort', max_insert_threads = 2"
    )

    log(f"chdb {chdb.__version__} (ClickHouse {engine_version}): loading {a.ndjson}")
    try:
        with Phase() as load:
            q(CH_TABLE)
            t0 = time.perf_counter()
            q(insert_sql)
            t1 = time.perf_counter()
            # One part, as after a quiet night on a server: fair to compare
            # with DuckDB's single sorted file.
            q("OPTIMIZE TABLE logs FINAL")
            t2 = time.perf_counter()
    except Exception as e:  # noqa: BLE001
        fail(f"chdb load failed: {e}")
    parts = json.loads(
        q(
            "SELECT sum(bytes_on_disk), sum(rows), count() FROM system.parts "
            "WHERE database = currentDatabase() AND table = 'logs' AND active"
        ).bytes()
    )["data"][0]
    bytes_on_disk, n_rows, n_parts = int(parts[0]), int(parts[1]), int(parts[2])
    log(
        f"chdb load: {n_rows} rows in {n_parts} part(s), insert {t1 - t0:.2f}s + optimize "
        f"{t2 - t1:.2f}s = {load.seconds:.2f}s wall, {load.cpu_seconds:.2f}s cpu, "
        f"peak rss {load.peak_rss_kib} KiB, {bytes_on_disk} bytes on disk"
    )

    # q5 means "message contains the word" on every engine. hasToken only
    # matches it as a whole token, so it stands in for LIKE only when that
    # changes nothing on this data (hasToken's rows are a subset of LIKE's,
    # so equal counts mean equal rows); one untimed scan settles it.
    use_token = False
    if is_whole_token(a.word):
        counts = json.loads(
            q(
                f"SELECT countIf({ch_like(a.word)}), countIf(hasToken(message, {ch_str(a.word)})) "
                "FROM logs"
            ).bytes()
        )["data"][0]
        like_n, token_n = int(counts[0]), int(counts[1])
        use_token = like_n == token_n
        log(
            f"chdb q5: {a.word!r} in {like_n} messages, as a whole token in {token_n}: "
            + ("hasToken (token index)" if use_token else "LIKE (same semantics as the others)")
        )
    else:
        log(f"chdb q5: {a.word!r} is not a single token: LIKE")
    sqls = ch_queries(a, use_token)
    res, dig = {}, {}
    for name in QUERIES:
        try:
            ms, out = timed_runs(lambda: q(sqls[name]), a.runs)
        except Exception as e:  # noqa: BLE001
            fail(f"chdb {name} failed: {e}\nSQL: {sqls[name]}")
        rows = json.loads(out.bytes())["data"]
        res[name] = {"ms": round(ms, 3), "rows": len(rows)}
        dig[name] = digest(name, rows)
        log(f"chdb {name}: {ms:.2f} ms, {len(rows)} rows")
    sess.close()

    return {
        "engine": {
            "load_seconds": round(load.seconds, 3),
            "load_cpu_seconds": round(load.cpu_seconds, 3),
            "bytes_on_disk": bytes_on_disk,
            "peak_rss_kib": load.peak_rss_kib,
            "query_peak_rss_kib": _peak_rss_kib(),
        },
        "queries": {"chdb": res},
        "digests": {"chdb": dig},
        "version": chdb.__version__,
        "engine_version": engine_version,
    }


# ---------------------------------------------------------------- agreement


def _ts_micros(v):
    """A result timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' (DuckDB's Python
    client hands TIMESTAMP_NS back as a datetime, so microseconds are the
    common precision)."""
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    s = str(v).replace("T", " ")
    head, _, frac = s.partition(".")
    return f"{head}.{(frac + '000000')[:6]}"


def digest(name, rows):
    """The parts of a result that must match across engines."""
    if name == "q1_count_by_service":
        return [[str(r[0]), int(r[1])] for r in rows]
    if name == "q3_top_hosts_by_errors":
        # Hosts tied on count may be cut differently at the 10th row.
        return [int(r[1]) for r in rows]
    if name == "q4_needle_trace_id":
        return sorted(f"{r[6]}/{r[7]}" for r in rows)  # trace_id/span_id
    if name == "q5_latest_100_word":
        return [len(rows), _ts_micros(rows[0][0]) if rows else None]
    return len(rows)


def check_agreement(digests):
    names = list(digests)
    ref = names[0]
    ok = True
    for q in QUERIES:
        for other in names[1:]:
            if digests[ref][q] != digests[other][q]:
                ok = False
                log(f"WARNING: {q} differs: {ref}={digests[ref][q]!r} {other}={digests[other][q]!r}")
    if ok:
        log(f"results agree across {', '.join(names)}")


# ---------------------------------------------------------------- main


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ndjson", required=True, help="the NDJSON log file")
    p.add_argument("--workdir", required=True, help="where the engines keep their data")
    p.add_argument("--from-ns", type=int, required=True, help="range start, Unix ns, inclusive")
    p.add_argument("--to-ns", type=int, required=True, help="range end, Unix ns, exclusive")
    p.add_argument("--needle", required=True, help="trace_id for q4")
    p.add_argument("--word", required=True, help="word for q5")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    p.add_argument("--engine", choices=("duckdb", "chdb"), help=argparse.SUPPRESS)
    a = p.parse_args()
    a.ndjson = os.path.abspath(a.ndjson)
    a.workdir = os.path.abspath(a.workdir)
    if a.runs < 1:
        p.error("--runs must be at least 1")
    if a.to_ns <= a.from_ns:
        p.error("--to-ns must be greater than --from-ns")
    return a


def main():
    a = parse_args()
    if a.engine:
        out = run_duckdb(a) if a.engine == "duckdb" else run_chdb(a)
        json.dump(out, sys.stdout)
        return

    if not os.path.isfile(a.ndjson):
        fail(f"no such file: {a.ndjson}")
    os.makedirs(a.workdir, exist_ok=True)
    parts = {}
    for engine in ("duckdb", "chdb"):
        cmd = [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--engine", engine]
        child = subprocess.run(cmd, stdout=subprocess.PIPE, check=False)
        if child.returncode != 0:
            fail(f"the {engine} run exited with status {child.returncode}")
        try:
            parts[engine] = json.loads(child.stdout)
        except ValueError as e:
            fail(f"the {engine} run printed no valid JSON: {e}")

    d, c = parts["duckdb"], parts["chdb"]
    check_agreement({**d["digests"], **c["digests"]})
    result = {
        "duckdb": d["engine"],
        "chdb": c["engine"],
        "queries": {**d["queries"], **c["queries"]},
        "versions": {"duckdb": d["version"], "chdb": c["version"], "clickhouse": c["engine_version"]},
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
