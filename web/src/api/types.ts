// Wire types of the hannun HTTP API (/api/v1). Times in responses are epoch
// nanoseconds unless the name says otherwise; requests send from_ms/to_ms.

export interface Health {
  status: string;
  version: string;
}

export interface DatasetStats {
  name: string;
  kind: string;
  file_rows?: number;
  buffered_rows?: number;
  files?: number;
  file_bytes?: number;
  min_time?: number | null;
  max_time?: number | null;
  [k: string]: unknown;
}

export interface Column {
  name: string;
  type: string;
}

export interface DatasetInfo {
  name: string;
  columns: Column[];
  stats?: DatasetStats | null;
}

export type Event = Record<string, unknown>;

export interface FacetValue {
  value: unknown;
  count: number;
}

export interface Facet {
  field: string;
  values: FacetValue[];
}

export interface SearchRequest {
  dataset: string;
  query: string;
  from_ms: number;
  to_ms: number;
  limit?: number;
  facets?: string[];
  buckets?: number;
}

export interface SearchResponse {
  events: Event[];
  total: number;
  bucket_seconds: number;
  histogram: { start: number; count: number }[];
  facets: Facet[];
  unknown_fields: string[];
  sql_where: string;
  elapsed_ms: number;
}

export interface SqlRequest {
  sql: string;
  from_ms?: number;
  to_ms?: number;
}

export interface SqlResponse {
  columns: Column[];
  /** Rows as objects (nulls omitted) or arrays in column order. */
  rows: (Record<string, unknown> | unknown[])[];
  row_count?: number;
  elapsed_ms: number;
}

export type MeasureOp =
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99';

export const MEASURE_OPS: MeasureOp[] = [
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'p50',
  'p90',
  'p95',
  'p99',
];

export interface Measure {
  op: MeasureOp;
  field?: string;
}

export interface AggregateRequest {
  dataset: string;
  query: string;
  from_ms: number;
  to_ms: number;
  measure: Measure;
  group_by?: string[];
  limit?: number;
  order?: 'desc' | 'asc';
}

export interface AggregateResponse {
  rows: { group: unknown; value: number | null }[];
  sql?: string;
  unknown_fields?: string[];
  elapsed_ms?: number;
}

export interface TimeseriesRequest {
  dataset: string;
  query: string;
  from_ms: number;
  to_ms: number;
  measure: Measure;
  group_by?: string[];
  limit?: number;
  buckets?: number;
}

export interface Series {
  group: unknown;
  points: [number, number | null][];
}

export interface TimeseriesResponse {
  bucket_seconds: number;
  series: Series[];
  sql?: string;
  unknown_fields?: string[];
  elapsed_ms?: number;
}

export interface ValuesResponse {
  field: string;
  values: FacetValue[];
}

export interface SavedView {
  id: string;
  name: string;
  dataset: string;
  query: string;
  columns?: string[];
  created_at?: unknown;
  [k: string]: unknown;
}

/** One span of a trace, in waterfall (depth-first) order. */
export interface TraceSpan {
  span_id: string;
  parent_span_id?: string | null;
  service: string;
  name: string;
  /** Epoch ns; may be imprecise past 2^53, use offset_ns for layout. */
  start_ns: number;
  duration_ns: number;
  /** Start relative to the trace start (exact). */
  offset_ns: number;
  depth: number;
  /** Indexes into `spans`. */
  children: number[];
  self_ns: number;
  error: boolean;
  on_critical_path: boolean;
  parent_missing: boolean;
  outside_parent: boolean;
  fields: Record<string, unknown>;
}

export interface TraceResponse {
  trace_id: string;
  start_ns: number;
  duration_ns: number;
  services: string[];
  errors: number;
  duplicate_spans: number;
  missing_parents: number;
  roots: number[];
  total_spans: number;
  truncated: boolean;
  logs_truncated: boolean;
  spans: TraceSpan[];
  logs: Event[];
}
