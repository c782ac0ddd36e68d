"""Peer side of `cargo xtask bench-flows`: DuckDB over the `flows` Parquet
files hannun wrote, answering the talk's two tables through NAT gateways
(bytes by client task and gateway, by client task and destination), each
connection counted once as hannun counts it: rows a gateway or a server
saw, and client rows whose connection no gateway saw.

One untimed warm-up, then --runs timed runs; prints one JSON object of
medians in ms and total bytes on stdout. Usage:

    python flows_peer.py --glob 'DATA/data/flows/*/*.parquet' --from-ms N --to-ms N --runs 5
"""

import argparse
import json
import statistics
import time

import duckdb


def timed(con, sql, runs):
    con.execute(sql).fetchall()
    times = []
    rows = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--glob", required=True)
    p.add_argument("--from-ms", type=int, required=True)
    p.add_argument("--to-ms", type=int, required=True)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    con = duckdb.connect()
    scope = (
        f"FROM read_parquet('{a.glob}') WHERE \"timestamp\" >= make_timestamp_ms({a.from_ms}) AT TIME ZONE 'UTC' "
        f"AND \"timestamp\" < make_timestamp_ms({a.to_ms}) AT TIME ZONE 'UTC' AND gateway_type = 'nat'"
    )
    out = {}
    for name, second in [("by_gateway", "gateway"), ("by_destination", "destination")]:
        sql = f"""
        WITH seen AS (SELECT DISTINCT conn {scope} AND counted = 'gateway' AND conn IS NOT NULL),
        rows AS (
          SELECT client_task, {second}, bytes_sent, bytes_received {scope} AND counted IN ('gateway', 'server')
          UNION ALL
          SELECT client_task, {second}, bytes_sent, bytes_received {scope} AND counted = 'client'
            AND (conn IS NULL OR conn NOT IN (SELECT conn FROM seen))
        )
        SELECT client_task, {second}, sum(bytes_sent) + sum(bytes_received) AS bytes
        FROM rows GROUP BY 1, 2 ORDER BY 3 DESC
        """
        ms, rows = timed(con, sql, a.runs)
        out[name] = {"ms": ms, "rows": len(rows), "bytes": int(sum(r[2] for r in rows))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
