#!/usr/bin/env python3
"""Captures the spans real instrumentations send for one host running three
Flask services: shop calls pricing and orders over HTTP with the requests
instrumentation; each service has its own tracer provider (as its own
process would) and the calls go over real sockets, so each server span's
parent arrives in the traceparent header. No peer.service anywhere.

    python capture_flask_spans.py OUT.json

writes one OTLP-JSON export request per service and line (hex ids, as
OTLP/JSON has them), callees first. Run it once with the default semantic
conventions and once with OTEL_SEMCONV_STABILITY_OPT_IN=http. Needs the
packages of tests/requirements.txt.
"""
import json
import sys
import threading
import urllib.request

from flask import Flask, jsonify
from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from werkzeug.serving import make_server


def service(name):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = Flask(name)
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider)
    return app, provider, exporter


def listen(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def hex_ids(value):
    """MessageToDict writes bytes in base64; OTLP/JSON wants hex ids."""
    import base64

    if isinstance(value, dict):
        return {
            k: base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") else hex_ids(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [hex_ids(v) for v in value]
    return value


def main(out):
    import requests

    pricing, _, pricing_spans = service("pricing")
    orders, _, orders_spans = service("orders")
    shop, shop_provider, shop_spans = service("shop")

    @pricing.get("/price/<int:item>")
    def price(item):
        if item == 0:
            raise ValueError("no price for item 0")
        return jsonify({"price": item * 10})

    @orders.get("/orders/<int:item>")
    def order(item):
        return jsonify({"item": item})

    servers = [listen(pricing), listen(orders)]
    (_, pricing_url), (_, orders_url) = servers
    # The requests instrumentation is process-wide: only shop's provider
    # traces outgoing calls, as only shop calls out.
    RequestsInstrumentor().instrument(tracer_provider=shop_provider)

    @shop.get("/buy/<int:item>")
    def buy(item):
        price = requests.get(f"{pricing_url}/price/{item}", timeout=5)
        requests.get(f"{orders_url}/orders/{item}", timeout=5)
        return jsonify({"price": price.status_code}), 200 if price.ok else 502

    shop_server, shop_url = listen(shop)
    for item in (1, 0):
        try:
            urllib.request.urlopen(f"{shop_url}/buy/{item}").read()
        except urllib.error.HTTPError:
            pass
    with open(out, "w") as f:
        for spans in (pricing_spans, orders_spans, shop_spans):
            request = encode_spans(spans.get_finished_spans())
            f.write(json.dumps(hex_ids(MessageToDict(request, use_integers_for_enums=True)), sort_keys=True) + "\n")
    for server, _ in servers + [(shop_server, shop_url)]:
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
