"""Peer side of `cargo xtask bench-spans`: DuckDB over the spans Parquet
files hannun wrote, answering what hannun's APM pages answer from its rollups:

* red_by_service: requests, errors, p50/p95/p99 of entry spans per service
  and environment over the range (what /api/v1/apm/services shows);
* endpoints_of_service: the same per endpoint of one service (the service
  page);
* service_map_hour, service_map_week: calls per (caller, peer, callee),
  pairing client/producer spans with their server/consumer children by a
  join on parent span ids, over the last hour and the whole range (what
  /api/v1/apm/service-map shows; hannun reads rollups and pairs made at
  ingest);
* trace_fetch: every span of one trace by id, no time range.

One untimed warm-up, then --runs timed runs; prints one JSON object of
medians in ms on stdout. Usage:

    python apm_peer.py --glob 'DATA/data/spans/*/*.parquet' --from-ns N \
        --to-ns N --hour-from-ns N --service items-api --trace-ids a,b,c --runs 5
"""

import argparse
import json
import statistics
import time

import duckdb


def timed(con, sql, runs):
    con.execute(sql).fetchall()
    times = []
    rows = 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(con.execute(sql).fetchall())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--glob", required=True)
    p.add_argument("--from-ns", type=int, required=True)
    p.add_argument("--to-ns", type=int, required=True)
    p.add_argument("--hour-from-ns", type=int, required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--trace-ids", required=True)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    con = duckdb.connect()
    src = f"read_parquet('{a.glob}')"
    rng = (
        f"\"timestamp\" >= make_timestamp_ns({a.from_ns}) AT TIME ZONE 'UTC' "
        f"AND \"timestamp\" < make_timestamp_ns({a.to_ns}) AT TIME ZONE 'UTC'"
    )
    red = (
        "count(*), sum(CASE WHEN status_code = 'error' THEN 1 ELSE 0 END), "
        "approx_quantile(duration_ns, 0.5), approx_quantile(duration_ns, 0.95), "
        "approx_quantile(duration_ns, 0.99)"
    )
    out = {}
    out["red_by_service"] = timed(
        con,
        f"SELECT service, env, {red} FROM {src} WHERE {rng} "
        "AND kind IN ('server', 'consumer') GROUP BY 1, 2",
        a.runs,
    )
    out["endpoints_of_service"] = timed(
        con,
        f"SELECT endpoint, kind, {red} FROM {src} WHERE {rng} AND service = '{a.service}' "
        "AND kind IN ('server', 'consumer') GROUP BY 1, 2",
        a.runs,
    )
    def in_range(from_ns):
        return (
            f"\"timestamp\" >= make_timestamp_ns({from_ns}) AT TIME ZONE 'UTC' "
            f"AND \"timestamp\" < make_timestamp_ns({a.to_ns}) AT TIME ZONE 'UTC'"
        )

    def service_map(from_ns):
        r = in_range(from_ns)
        return (
            "SELECT c.service, c.peer, c.peer_kind, s.service AS callee, count(*), "
            "sum(CASE WHEN c.status_code = 'error' THEN 1 ELSE 0 END), "
            "approx_quantile(c.duration_ns, 0.5), approx_quantile(c.duration_ns, 0.95) "
            f"FROM (SELECT service, peer, peer_kind, trace_id, span_id, status_code, duration_ns "
            f"FROM {src} WHERE {r} AND kind IN ('client', 'producer')) c "
            f"LEFT JOIN (SELECT service, trace_id, parent_span_id FROM {src} "
            f"WHERE {r} AND kind IN ('server', 'consumer') AND parent_span_id IS NOT NULL) s "
            "ON s.trace_id = c.trace_id AND s.parent_span_id = c.span_id GROUP BY 1, 2, 3, 4"
        )

    out["service_map_hour"] = timed(con, service_map(a.hour_from_ns), a.runs)
    out["service_map_week"] = timed(con, service_map(a.from_ns), a.runs)
    ids = a.trace_ids.split(",")
    times = []
    for i in range(max(a.runs, len(ids))):
        sql = f"SELECT * FROM {src} WHERE trace_id = '{ids[i % len(ids)]}'"
        if i == 0:
            con.execute(sql).fetchall()
        started = time.perf_counter()
        con.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    out["trace_fetch"] = (statistics.median(times), 0)
    print(json.dumps({k: {"ms": v[0], "rows": v[1]} for k, v in out.items()}))


if __name__ == "__main__":
    main()
