#!/usr/bin/env python3
"""Three small Flask services, instrumented with the OpenTelemetry Flask,
requests and sqlite3 instrumentations, call each other and a SQLite
database; their traces go to hannun over OTLP/HTTP. Nothing sets
peer.service: the calls name only a host and port, as real ones do.

    python apm_flask.py drive OTLP_HTTP_URL
        starts both services, sends traffic, flushes, stops them, and prints
        a JSON summary of what it sent.
    python apm_flask.py serve NAME OTLP_HTTP_URL DB_PATH [BACKEND_URL PRICING_URL]
        runs one service (used by drive); prints "PORT <n>" when listening.

shop-web (GET /shop/orders/<id>) calls orders-api (GET /orders/<id>), which
reads the order from SQLite and raises OrderNotFound for unknown ids.
shop-web (GET /shop/prices/<id>) also calls pricing (GET /prices/<id>),
on the same host as orders-api, which raises PriceUnavailable for odd ids;
shop-web then answers without a price.
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

ENV = "flask-e2e"


class OrderNotFound(Exception):
    pass


class PriceUnavailable(Exception):
    pass


def provider_for(name, otlp):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": name,
                "service.version": "1.0.0",
                "deployment.environment.name": ENV,
            }
        )
    )
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp.rstrip("/") + "/v1/traces"))
    )
    return provider


def serve(name, otlp, db_path, backend, pricing):
    from flask import Flask, jsonify
    from opentelemetry import trace
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor
    from werkzeug.serving import make_server

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    provider = provider_for(name, otlp)
    trace.set_tracer_provider(provider)
    app = Flask(name)
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider)

    if name == "pricing":

        @app.get("/prices/<int:item_id>")
        def get_price(item_id):
            if item_id % 2 == 1:
                raise PriceUnavailable(f"no price for item {item_id}")
            return jsonify({"id": item_id, "price": item_id * 100})

    elif backend is None:
        SQLite3Instrumentor().instrument(tracer_provider=provider)

        @app.get("/orders/<int:order_id>")
        def get_order(order_id):
            # Through a cursor: the DB-API instrumentation traces cursors.
            connection = sqlite3.connect(db_path)
            try:
                cursor = connection.cursor()
                cursor.execute("SELECT id, item FROM orders WHERE id = ?", (order_id,))
                row = cursor.fetchone()
            finally:
                connection.close()
            if row is None:
                raise OrderNotFound(f"order {order_id} does not exist")
            return jsonify({"id": row[0], "item": row[1]})

    else:
        import requests

        RequestsInstrumentor().instrument(tracer_provider=provider)

        @app.get("/shop/orders/<int:order_id>")
        def shop_order(order_id):
            reply = requests.get(f"{backend}/orders/{order_id}", timeout=10)
            if reply.status_code != 200:
                return jsonify({"error": "order service failed"}), 502
            return jsonify(reply.json())

        @app.get("/shop/prices/<int:item_id>")
        def shop_price(item_id):
            reply = requests.get(f"{pricing}/prices/{item_id}", timeout=10)
            price = reply.json()["price"] if reply.status_code == 200 else None
            return jsonify({"id": item_id, "price": price})

    @app.get("/flush")
    def flush():
        provider.force_flush()
        return "flushed"

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


def start(args):
    process = subprocess.Popen(
        [sys.executable, __file__, "serve", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    if not line.startswith("PORT "):
        process.kill()
        raise SystemExit(f"service {args[0]} did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}"


def drive(otlp):
    import requests

    workdir = tempfile.mkdtemp(prefix="hannun-flask-")
    db_path = os.path.join(workdir, "orders.db")
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
    db.executemany(
        "INSERT INTO orders VALUES (?, ?)", [(1, "pen"), (2, "notebook"), (3, "stapler")]
    )
    db.commit()
    db.close()

    backend, backend_url = start(["orders-api", otlp, db_path])
    pricing, pricing_url = start(["pricing", otlp, db_path])
    frontend, frontend_url = start(["shop-web", otlp, db_path, backend_url, pricing_url])
    sent = {"ok": 0, "failed": 0, "priced": 0, "unpriced": 0}
    try:
        ids = [1, 2, 3] * 4 + [0, 404, 77]
        for order_id in ids:
            reply = requests.get(f"{frontend_url}/shop/orders/{order_id}", timeout=10)
            if reply.status_code == 200:
                sent["ok"] += 1
            else:
                assert reply.status_code == 502, reply.status_code
                sent["failed"] += 1
        for item_id in range(1, 9):
            reply = requests.get(f"{frontend_url}/shop/prices/{item_id}", timeout=10)
            assert reply.status_code == 200, reply.status_code
            sent["priced" if reply.json()["price"] is not None else "unpriced"] += 1
        # Each service exports its own spans, in its own requests: the
        # caller's first here, so its client spans wait for their callees'.
        for url in (frontend_url, pricing_url, backend_url):
            requests.get(f"{url}/flush", timeout=30).raise_for_status()
    finally:
        for process in (frontend, pricing, backend):
            process.terminate()
            process.wait(timeout=10)
    print(json.dumps(sent))


if __name__ == "__main__":
    if sys.argv[1] == "drive":
        drive(sys.argv[2])
    elif sys.argv[1] == "serve":
        backend, pricing = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else (None, None)
        serve(sys.argv[2], sys.argv[3], sys.argv[4], backend, pricing)
    else:
        raise SystemExit(__doc__)
