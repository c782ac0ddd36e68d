// The dashboard JSON schema (version 1). This is the format the server stores
// (POST/PUT /api/v1/dashboards), export/import files use and web/templates/*.json
// are written in. The server treats it as opaque JSON beyond `title` and
// `widgets`; this module is its definition and validator.
//
// {
//   "schema_version": 1,
//   "title": "Service overview",            // required, non-empty
//   "description": "…",                      // optional
//   "variables": [                            // template variables, optional
//     { "name": "service",                    // referenced as $service
//       "label": "Service",                   // optional display label
//       "dataset": "logs", "field": "service",// where the dropdown's values come from
//       "default": "*" }                      // "*" means all: the term using it is dropped
//   ],
//   "widgets": [
//     { "id": "w1",                           // unique within the dashboard
//       "type": "timeseries",                 // timeseries | toplist | table | value | note
//       "title": "Logs by level",
//       "layout": { "x": 0, "y": 0, "w": 6, "h": 4 },  // 12-column grid, h in rows (80 px)
//       "unit": "ms",                         // optional, appended to numbers
//       // one of three query forms (not for notes):
//       "query": { "dataset": "logs", "filter": "service:$service level:error",
//                  "measure": { "op": "count" },          // count|count_distinct|sum|avg|min|max|p50|p90|p95|p99
//                  "group_by": ["level"], "limit": 10, "order": "desc" }   // builder (aggregate)
//       // "query": { "dataset": "logs", "filter": "level:error",
//       //            "columns": ["timestamp", "service", "body"], "limit": 50 } // events (table only)
//       // "query": { "sql": "SELECT … WHERE $__timeFilter …" }                // SQL (power users)
//     },
//     { "id": "n1", "type": "note", "title": "Read me", "layout": {…},
//       "markdown": "**Markdown** subset: headings, lists, `code`, links, bold, italic" }
//   ]
// }
//
// Semantics:
// - builder queries run through POST /api/v1/aggregate (toplist, table, value)
//   or POST /api/v1/timeseries (timeseries). A toplist needs one group_by
//   field; a value widget has none; measure.field is required for every op but
//   `count`.
// - `filter` is search syntax. `$name` references a variable: the value is
//   substituted (quoted when needed); when the variable is `*` (or empty) the
//   whole term using it (`service:$service`, `-env:$env`) is removed.
// - In SQL, `$name` is replaced by the value with single quotes doubled, so
//   write `'$service'`; `$__timeFilter` and `$__interval` are the server's.
//   A SQL timeseries has the time in its first column and one numeric
//   series per other column.
// - Fields the server adds (`id`, `created_at`, `updated_at`) are kept as is.

import { MEASURE_OPS, type Measure, type MeasureOp } from '../api/types';

export const SCHEMA_VERSION = 1;
export const GRID_COLUMNS = 12;
export const ROW_HEIGHT_PX = 80;

export const WIDGET_TYPES = ['timeseries', 'toplist', 'table', 'value', 'note'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

export interface Layout {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Variable {
  name: string;
  label?: string;
  dataset: string;
  field: string;
  default: string;
}

export interface BuilderQuery {
  dataset: string;
  filter: string;
  measure: Measure;
  group_by: string[];
  limit?: number;
  order?: 'desc' | 'asc';
}

export interface EventsQuery {
  dataset: string;
  filter: string;
  columns: string[];
  limit?: number;
}

export interface SqlQuery {
  sql: string;
}

export type WidgetQuery = BuilderQuery | EventsQuery | SqlQuery;

export interface Widget {
  id: string;
  type: WidgetType;
  title: string;
  layout: Layout;
  query?: WidgetQuery;
  markdown?: string;
  unit?: string;
}

export interface Dashboard {
  schema_version: number;
  title: string;
  description?: string;
  variables: Variable[];
  widgets: Widget[];
  id?: string;
  created_at?: unknown;
  updated_at?: unknown;
  [extra: string]: unknown;
}

export function isSqlQuery(q: WidgetQuery | undefined): q is SqlQuery {
  return !!q && typeof (q as SqlQuery).sql === 'string';
}

export function isEventsQuery(q: WidgetQuery | undefined): q is EventsQuery {
  return !!q && !isSqlQuery(q) && Array.isArray((q as EventsQuery).columns) && !(q as BuilderQuery).measure;
}

export function isBuilderQuery(q: WidgetQuery | undefined): q is BuilderQuery {
  return !!q && !isSqlQuery(q) && !!(q as BuilderQuery).measure;
}

export type ValidationResult = { ok: true; dashboard: Dashboard } | { ok: false; errors: string[] };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates and normalizes a dashboard (defaults filled in); lists every problem. */
export function validateDashboard(input: unknown): ValidationResult {
  const errors: string[] = [];
  if (!isObj(input)) return { ok: false, errors: ['dashboard: expected a JSON object'] };
  const version = input.schema_version ?? SCHEMA_VERSION;
  if (!isInt(version) || version < 1) errors.push('schema_version: expected a positive integer');
  else if (version > SCHEMA_VERSION) errors.push(`schema_version: ${version} is newer than this UI understands (${SCHEMA_VERSION})`);
  if (typeof input.title !== 'string' || input.title.trim() === '') errors.push('title: expected a non-empty string');
  if (input.description !== undefined && typeof input.description !== 'string') errors.push('description: expected a string');

  const variables: Variable[] = [];
  if (input.variables !== undefined && !Array.isArray(input.variables)) errors.push('variables: expected an array');
  const names = new Set<string>();
  (Array.isArray(input.variables) ? input.variables : []).forEach((v, i) => {
    const p = `variables[${i}]`;
    if (!isObj(v)) return errors.push(`${p}: expected an object`);
    if (typeof v.name !== 'string' || !VAR_NAME.test(v.name)) errors.push(`${p}.name: expected a name like "service"`);
    else if (v.name.startsWith('__')) errors.push(`${p}.name: names starting with "__" are reserved`);
    else if (names.has(v.name)) errors.push(`${p}.name: "${v.name}" is defined twice`);
    else names.add(v.name);
    if (typeof v.dataset !== 'string' || !v.dataset) errors.push(`${p}.dataset: expected a dataset name`);
    if (typeof v.field !== 'string' || !v.field) errors.push(`${p}.field: expected a field name`);
    if (v.default !== undefined && typeof v.default !== 'string') errors.push(`${p}.default: expected a string`);
    if (v.label !== undefined && typeof v.label !== 'string') errors.push(`${p}.label: expected a string`);
    variables.push({
      name: String(v.name),
      ...(typeof v.label === 'string' ? { label: v.label } : {}),
      dataset: String(v.dataset ?? ''),
      field: String(v.field ?? ''),
      default: typeof v.default === 'string' ? v.default : '*',
    });
  });

  const widgets: Widget[] = [];
  if (!Array.isArray(input.widgets)) errors.push('widgets: expected an array');
  const ids = new Set<string>();
  (Array.isArray(input.widgets) ? input.widgets : []).forEach((w, i) => {
    const p = `widgets[${i}]`;
    if (!isObj(w)) return errors.push(`${p}: expected an object`);
    let id = typeof w.id === 'string' && w.id ? w.id : `w${i + 1}`;
    if (ids.has(id)) {
      if (typeof w.id === 'string') errors.push(`${p}.id: "${id}" is used twice`);
      id = `${id}-${i + 1}`;
    }
    ids.add(id);
    const type = w.type as WidgetType;
    if (!WIDGET_TYPES.includes(type)) {
      errors.push(`${p}.type: expected one of ${WIDGET_TYPES.join(', ')}`);
      return;
    }
    if (w.title !== undefined && typeof w.title !== 'string') errors.push(`${p}.title: expected a string`);
    const layout = validateLayout(w.layout, `${p}.layout`, errors) ?? { x: 0, y: nextRow(widgets), w: 6, h: 4 };
    const widget: Widget = { id, type, title: typeof w.title === 'string' ? w.title : '', layout };
    if (typeof w.unit === 'string') widget.unit = w.unit;
    if (type === 'note') {
      if (typeof w.markdown !== 'string') errors.push(`${p}.markdown: a note needs markdown text`);
      widget.markdown = typeof w.markdown === 'string' ? w.markdown : '';
    } else {
      const q = validateQuery(w.query, type, `${p}.query`, errors);
      if (q) widget.query = q;
    }
    widgets.push(widget);
  });

  if (errors.length) return { ok: false, errors };
  const known = new Set(['schema_version', 'title', 'description', 'variables', 'widgets']);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!known.has(k)) extra[k] = v;
  const dashboard: Dashboard = {
    ...extra,
    schema_version: SCHEMA_VERSION,
    title: (input.title as string).trim(),
    ...(typeof input.description === 'string' ? { description: input.description } : {}),
    variables,
    widgets,
  };
  return { ok: true, dashboard };
}

function validateLayout(v: unknown, p: string, errors: string[]): Layout | null {
  if (v === undefined) return null;
  if (!isObj(v)) {
    errors.push(`${p}: expected {x, y, w, h}`);
    return null;
  }
  const { x, y, w, h } = v;
  let ok = true;
  if (!isInt(x) || x < 0 || x >= GRID_COLUMNS) (errors.push(`${p}.x: expected an integer 0..${GRID_COLUMNS - 1}`), (ok = false));
  if (!isInt(y) || y < 0) (errors.push(`${p}.y: expected an integer >= 0`), (ok = false));
  if (!isInt(w) || w < 1 || w > GRID_COLUMNS) (errors.push(`${p}.w: expected an integer 1..${GRID_COLUMNS}`), (ok = false));
  if (!isInt(h) || h < 1 || h > 24) (errors.push(`${p}.h: expected an integer 1..24`), (ok = false));
  if (ok && (x as number) + (w as number) > GRID_COLUMNS) (errors.push(`${p}: x + w must be at most ${GRID_COLUMNS}`), (ok = false));
  return ok ? { x: x as number, y: y as number, w: w as number, h: h as number } : null;
}

function validateQuery(v: unknown, type: WidgetType, p: string, errors: string[]): WidgetQuery | null {
  if (!isObj(v)) {
    errors.push(`${p}: a ${type} widget needs a query`);
    return null;
  }
  if (v.sql !== undefined) {
    if (typeof v.sql !== 'string' || !v.sql.trim()) {
      errors.push(`${p}.sql: expected a non-empty SQL string`);
      return null;
    }
    return { sql: v.sql };
  }
  if (typeof v.dataset !== 'string' || !v.dataset) errors.push(`${p}.dataset: expected a dataset name`);
  if (v.filter !== undefined && typeof v.filter !== 'string') errors.push(`${p}.filter: expected search syntax text`);
  let limit: number | undefined;
  if (v.limit !== undefined) {
    if (!isInt(v.limit) || v.limit < 1 || v.limit > 1000) errors.push(`${p}.limit: expected an integer 1..1000`);
    else limit = v.limit;
  }
  const filter = typeof v.filter === 'string' ? v.filter : '';
  const dataset = String(v.dataset ?? '');
  if (v.measure === undefined && Array.isArray(v.columns)) {
    if (type !== 'table') errors.push(`${p}: an events query (columns) is only for table widgets`);
    if (!v.columns.every((c) => typeof c === 'string' && c)) errors.push(`${p}.columns: expected field names`);
    if (v.columns.length === 0) errors.push(`${p}.columns: list at least one field`);
    return { dataset, filter, columns: v.columns as string[], ...(limit ? { limit } : {}) };
  }
  if (!isObj(v.measure)) {
    errors.push(`${p}.measure: expected {op, field}`);
    return null;
  }
  const op = v.measure.op as MeasureOp;
  if (!(MEASURE_OPS as readonly MeasureOp[]).includes(op)) errors.push(`${p}.measure.op: expected one of ${MEASURE_OPS.join(', ')}`);
  const field = v.measure.field;
  if (field !== undefined && (typeof field !== 'string' || !field)) errors.push(`${p}.measure.field: expected a field name`);
  if (op !== 'count' && (typeof field !== 'string' || !field)) errors.push(`${p}.measure.field: "${op}" needs a field`);
  const groupBy = v.group_by ?? [];
  if (!Array.isArray(groupBy) || groupBy.length > 1 || !groupBy.every((g) => typeof g === 'string' && g)) {
    errors.push(`${p}.group_by: expected [] or one field name`);
  }
  const gb = Array.isArray(groupBy) ? (groupBy.filter((g) => typeof g === 'string') as string[]) : [];
  if (type === 'toplist' && gb.length !== 1) errors.push(`${p}.group_by: a top list groups by one field`);
  if (type === 'value' && gb.length !== 0) errors.push(`${p}.group_by: a query value has no group by`);
  if (v.order !== undefined && v.order !== 'asc' && v.order !== 'desc') errors.push(`${p}.order: expected "asc" or "desc"`);
  const measure: Measure = { op, ...(typeof field === 'string' && field && op !== 'count' ? { field } : {}) };
  return {
    dataset,
    filter,
    measure,
    group_by: gb,
    ...(limit ? { limit } : {}),
    ...(v.order === 'asc' || v.order === 'desc' ? { order: v.order } : {}),
  };
}

/** The first free row below every widget. */
export function nextRow(widgets: { layout: Layout }[]): number {
  return widgets.reduce((m, w) => Math.max(m, w.layout.y + w.layout.h), 0);
}

/** The first free spot (top to bottom, left to right) for a w×h widget. */
export function placeWidget(widgets: { layout: Layout }[], w: number, h: number): Layout {
  const width = Math.min(Math.max(1, w), GRID_COLUMNS);
  const taken = (x: number, y: number) =>
    widgets.some((o) => x < o.layout.x + o.layout.w && o.layout.x < x + width && y < o.layout.y + o.layout.h && o.layout.y < y + h);
  const bottom = nextRow(widgets);
  for (let y = 0; y <= bottom; y++) for (let x = 0; x + width <= GRID_COLUMNS; x++) if (!taken(x, y)) return { x, y, w: width, h };
  return { x: 0, y: bottom, w: width, h };
}

/** A fresh widget id not used in the dashboard. */
export function newWidgetId(widgets: { id: string }[]): string {
  const used = new Set(widgets.map((w) => w.id));
  for (let i = widgets.length + 1; ; i++) if (!used.has(`w${i}`)) return `w${i}`;
}

/** A dashboard body for POST/PUT: drops server-managed fields. */
export function toStored(d: Dashboard): Dashboard {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { id, created_at, updated_at, ...rest } = d;
  void id;
  void created_at;
  void updated_at;
  return rest as Dashboard;
}

export function emptyDashboard(title: string): Dashboard {
  return {
    schema_version: SCHEMA_VERSION,
    title,
    description: '',
    variables: [
      { name: 'service', dataset: 'logs', field: 'service', default: '*' },
      { name: 'env', dataset: 'logs', field: 'env', default: '*' },
    ],
    widgets: [],
  };
}
