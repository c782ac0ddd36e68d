import { useMemo } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { AggregateResponse, SearchResponse, SqlResponse, TimeseriesResponse } from '../api/types';
import { useT } from '../i18n';
import { Link } from '../router';
import type { ResolvedRange, TimeRange } from '../time/range';
import { eventTimeMs, formatTimestamp } from '../time/range';
import { withTime } from '../time/context';
import { Spinner } from '../components/Status';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { seriesColor } from '../charts/palette';
import { formatCompact, formatFull, unitOf, withUnit } from '../charts/format';
import { Markdown } from '../markdown/Markdown';
import { chartData, isNumericColumn, rowsAsArrays } from '../sql/result';
import { substituteFilter, widgetRequest, type VariableValues } from './builder';
import { isBuilderQuery, isEventsQuery, type Widget } from './schema';
import { term } from '../search/tokenizer';

type Result =
  | { kind: 'aggregate'; data: AggregateResponse }
  | { kind: 'timeseries'; data: TimeseriesResponse }
  | { kind: 'search'; data: SearchResponse }
  | { kind: 'sql'; data: SqlResponse }
  | { kind: 'none' };

interface Props {
  widget: Widget;
  values: VariableValues;
  resolved: ResolvedRange;
  range: TimeRange;
  refreshKey: number;
}

/** Runs a widget's query and draws it; shows its own spinner, error and empty state. */
export function WidgetBody({ widget, values, resolved, range, refreshKey }: Props) {
  const t = useT();
  const req = useMemo(() => widgetRequest(widget, values, resolved), [widget, values, resolved]);
  const reqKey = JSON.stringify(req);
  const state = useAsync<Result>(
    (s) => {
      switch (req.kind) {
        case 'aggregate':
          return api.aggregate(req.body, s).then((data) => ({ kind: 'aggregate', data }));
        case 'timeseries':
          return api.timeseries(req.body, s).then((data) => ({ kind: 'timeseries', data }));
        case 'search':
          return api.search(req.body, s).then((data) => ({ kind: 'search', data }));
        case 'sql':
          return api.sql(req.body, s).then((data) => ({ kind: 'sql', data }));
        default:
          return null;
      }
    },
    [reqKey, refreshKey],
  );

  if (widget.type === 'note') {
    return (
      <div className="widget-body note-body" data-state="ready">
        <Markdown source={widget.markdown ?? ''} />
      </div>
    );
  }
  if (req.kind === 'none') {
    return <div className="widget-body widget-empty" data-state="empty">{t('widget.noQuery')}</div>;
  }
  if (state.error) {
    return (
      <div className="widget-body widget-error" data-state="error" role="alert" data-testid="widget-error">
        <strong>{t('widget.failed')}</strong>
        <span className="error-message">{errorMessage(state.error)}</span>
        <button type="button" className="btn btn-small" onClick={state.reload}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  const res = state.data;
  if (!res || res.kind === 'none') {
    return (
      <div className="widget-body widget-loading" data-state="loading">
        <Spinner label={t('common.loading')} />
      </div>
    );
  }
  const content = renderResult(widget, res, t, values, range);
  const unknown = 'unknown_fields' in res.data ? (res.data.unknown_fields ?? []) : [];
  const dataset = req.kind === 'aggregate' || req.kind === 'timeseries' || req.kind === 'search' ? req.body.dataset : '';
  return (
    <div className={`widget-body ${state.loading ? 'reloading' : ''}`} data-state={content.empty ? 'empty' : 'ready'}>
      {state.loading ? <span className="widget-reloading"><Spinner small /></span> : null}
      {unknown.length ? (
        <div className="widget-warning" data-testid="widget-unknown-fields">
          {unknown.map((f) => t('explore.unknownField', { field: f, dataset })).join(' ')}
        </div>
      ) : null}
      {content.empty ? <div className="widget-empty">{t('widget.noData')}</div> : content.node}
    </div>
  );
}

function renderResult(
  widget: Widget,
  res: Exclude<Result, { kind: 'none' }>,
  t: ReturnType<typeof useT>,
  values: VariableValues,
  range: TimeRange,
): { empty: boolean; node?: React.ReactNode } {
  const unit = widget.unit ?? (isBuilderQuery(widget.query) ? unitOf(widget.query.measure.field ?? undefined) : undefined);
  switch (widget.type) {
    case 'timeseries': {
      let x: number[] = [];
      let series: ChartSeries[] = [];
      let stepMs = 0;
      if (res.kind === 'timeseries') {
        const xs = new Set<number>();
        for (const s of res.data.series) for (const p of s.points) xs.add(p[0]);
        x = [...xs].sort((a, b) => a - b);
        const at = new Map(x.map((v, i) => [v, i]));
        series = res.data.series.map((s, i) => {
          const vals: (number | null)[] = new Array(x.length).fill(null);
          for (const [ts, v] of s.points) vals[at.get(ts)!] = v;
          const label = s.group === null || s.group === undefined ? (isBuilderQuery(widget.query) && widget.query.group_by.length ? '(none)' : widget.query && isBuilderQuery(widget.query) ? widget.query.measure.op : 'value') : String(s.group);
          return { label, values: vals, color: seriesColor(label, i) };
        });
        stepMs = res.data.bucket_seconds * 1000;
      } else if (res.kind === 'sql') {
        const cd = chartData(res.data);
        if (cd && cd.kind === 'line') {
          x = cd.x as number[];
          series = cd.series.map((s, i) => ({ label: s.name, values: s.data, color: seriesColor(s.name, i) }));
        }
      }
      if (x.length === 0 || series.length === 0) return { empty: true };
      return { empty: false, node: <TimeChart x={x} series={series} kind="lines" stepMs={stepMs} unit={unit} /> };
    }
    case 'toplist': {
      const rows = listRows(res);
      if (rows.length === 0) return { empty: true };
      const max = Math.max(...rows.map((r) => Math.abs(r.value ?? 0)), 1e-9);
      const q = widget.query;
      const link = (label: string) =>
        isBuilderQuery(q) && q.group_by[0]
          ? withTime(
              `/explore?dataset=${encodeURIComponent(q.dataset)}&q=${encodeURIComponent([substituteFilter(q.filter, values), term(q.group_by[0], label)].filter(Boolean).join(' '))}`,
              range,
            )
          : null;
      return {
        empty: false,
        node: (
          <ol className="toplist" data-testid="toplist">
            {rows.map((r, i) => {
              const href = r.group === null ? null : link(r.label);
              const inner = (
                <>
                  <span className="toplist-bar" style={{ width: `${(Math.abs(r.value ?? 0) / max) * 100}%` }} aria-hidden />
                  <span className="toplist-label" title={r.label}>{r.label}</span>
                  <span className="toplist-value">{withUnit(formatCompact(r.value), unit)}</span>
                </>
              );
              return <li key={i}>{href ? <Link to={href} className="toplist-row">{inner}</Link> : <div className="toplist-row">{inner}</div>}</li>;
            })}
          </ol>
        ),
      };
    }
    case 'value': {
      let v: number | null = null;
      if (res.kind === 'aggregate') v = res.data.rows[0]?.value ?? null;
      else if (res.kind === 'sql') {
        const rows = rowsAsArrays(res.data);
        const idx = res.data.columns.findIndex((c, i) => isNumericColumn(c, rows.map((r) => r[i])));
        if (rows.length && idx >= 0) v = rows[0][idx] as number;
      }
      if (v === null || v === undefined) return { empty: true };
      return {
        empty: false,
        node: (
          <div className="big-value" data-testid="big-value" title={formatFull(v)}>
            {formatCompact(v)}
            {unit ? <span className="big-unit">{unit}</span> : null}
          </div>
        ),
      };
    }
    case 'table': {
      let head: string[] = [];
      let body: React.ReactNode[][] = [];
      if (res.kind === 'aggregate') {
        const q = widget.query;
        const g = isBuilderQuery(q) ? q.group_by[0] ?? '' : '';
        const m = isBuilderQuery(q) ? (q.measure.field ? `${q.measure.op}(${q.measure.field})` : q.measure.op) : 'value';
        head = g ? [g, m] : [m];
        body = res.data.rows.map((r) => (g ? [r.group === null ? t('explore.nullValue') : String(r.group), withUnit(formatFull(r.value), unit)] : [withUnit(formatFull(r.value), unit)]));
      } else if (res.kind === 'search') {
        const cols = isEventsQuery(widget.query) ? widget.query.columns : ['timestamp', 'body'];
        head = cols;
        body = res.data.events.map((e) =>
          cols.map((c) => {
            const v = e[c];
            if (c === 'timestamp') {
              const ms = eventTimeMs(v);
              return ms === null ? '' : formatTimestamp(ms);
            }
            if (c === 'trace_id' && typeof v === 'string' && v) {
              return (
                <Link to={withTime(`/explore?dataset=logs&q=${encodeURIComponent(`trace_id:${v}`)}`, range)} className="mono">
                  {v}
                </Link>
              );
            }
            return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          }),
        );
      } else if (res.kind === 'sql') {
        head = res.data.columns.map((c) => c.name);
        body = rowsAsArrays(res.data).map((r) => r.map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' ? formatFull(v) : String(v))));
      }
      if (body.length === 0) return { empty: true };
      return {
        empty: false,
        node: (
          <div className="widget-table-wrap">
            <table className="table widget-table">
              <thead>
                <tr>
                  {head.map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {body.map((r, i) => (
                  <tr key={i}>
                    {r.map((c, j) => (
                      <td key={j}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ),
      };
    }
  }
  return { empty: true };
}

function listRows(res: Exclude<Result, { kind: 'none' }>): { label: string; value: number | null; group: unknown }[] {
  if (res.kind === 'aggregate') {
    return res.data.rows.map((r) => ({ label: r.group === null || r.group === undefined ? '(none)' : String(r.group), value: r.value, group: r.group ?? null }));
  }
  if (res.kind === 'sql') {
    const rows = rowsAsArrays(res.data);
    const cols = res.data.columns;
    const idx = cols.findIndex((c, i) => i > 0 && isNumericColumn(c, rows.map((r) => r[i])));
    if (idx < 0) return [];
    return rows.map((r) => ({ label: String(r[0] ?? '(none)'), value: typeof r[idx] === 'number' ? (r[idx] as number) : Number(r[idx]), group: null }));
  }
  return [];
}
