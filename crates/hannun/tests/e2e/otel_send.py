"""Sends one checkout trace, three logs and two metrics through the real
OpenTelemetry Python SDK, once over OTLP/gRPC and once over OTLP/HTTP.

Usage: otel_send.py GRPC_ENDPOINT HTTP_ENDPOINT
"""
import logging
import sys

from opentelemetry._logs import set_logger_provider
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode


def exporters(transport, endpoint):
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        return (OTLPSpanExporter(endpoint=endpoint, insecure=True),
                OTLPLogExporter(endpoint=endpoint, insecure=True),
                OTLPMetricExporter(endpoint=endpoint, insecure=True))
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    return (OTLPSpanExporter(endpoint=endpoint + "/v1/traces"),
            OTLPLogExporter(endpoint=endpoint + "/v1/logs"),
            OTLPMetricExporter(endpoint=endpoint + "/v1/metrics"))


def send(transport, endpoint):
    resource = Resource.create({"service.name": f"otel-e2e-{transport}", "deployment.environment": "e2e", "host.name": "test-host"})
    span_exporter, log_exporter, metric_exporter = exporters(transport, endpoint)

    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    tracer = tracer_provider.get_tracer("e2e")

    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    set_logger_provider(logger_provider)
    logger = logging.getLogger(f"e2e.{transport}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = LoggingHandler(level=logging.INFO, logger_provider=logger_provider)
    logger.addHandler(handler)

    reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=3_600_000)
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    meter = meter_provider.get_meter("e2e")
    orders = meter.create_counter("orders.placed")
    duration = meter.create_histogram("checkout.duration", unit="ms")

    with tracer.start_as_current_span("POST /checkout", kind=SpanKind.SERVER,
                                      attributes={"http.route": "/checkout", "app.order_id": 4711}):
        logger.info("checkout started")
        with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT,
                                          attributes={"db.system": "postgresql"}):
            pass
        with tracer.start_as_current_span("charge card") as span:
            span.record_exception(ValueError("card declined"))
            span.set_status(Status(StatusCode.ERROR, "card declined"))
            logger.error("card declined", extra={"app.attempt": 2})
        logger.info("checkout finished")
    orders.add(2)
    orders.add(3)
    for ms in (10, 20, 30):
        duration.record(ms)

    tracer_provider.shutdown()
    logger.removeHandler(handler)
    logger_provider.shutdown()
    meter_provider.shutdown()


if __name__ == "__main__":
    send("grpc", sys.argv[1])
    send("http", sys.argv[2])
    print("sent")
