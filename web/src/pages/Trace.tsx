import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { Event, TraceResponse } from '../api/types';
import { useT } from '../i18n';
import { Link, useSearchParams } from '../router';
import { usePageTitle } from '../components/PageTitle';
import { CopyButton } from '../components/CopyButton';
import { CardLoading, EmptyState, LoadError, Warning } from '../components/Status';
import { formatFull } from '../charts/format';
import { eventTimeMs, formatTimestamp, nsToMs } from '../time/range';
import { Waterfall } from '../trace/Waterfall';
import { SpanDetails } from '../trace/SpanDetails';
import { ancestorIndexes, exploreLogsUrl, formatDurationNs, serviceColors } from '../trace/waterfall';

function levelClass(level: unknown): string {
  const l = String(level ?? '').toLowerCase();
  if (l.startsWith('err') || l === 'fatal' || l === 'critical') return 'level level-error';
  if (l.startsWith('warn')) return 'level level-warn';
  if (l === 'info') return 'level level-info';
  return 'level level-debug';
}

export default function TracePage({ traceId }: { traceId: string }) {
  const t = useT();
  usePageTitle(t('trace.title'), `${t('trace.title')} ${traceId.slice(0, 12)}`);
  const trace = useAsync<TraceResponse>((s) => api.trace(traceId, undefined, s), [traceId]);

  if (trace.error) {
    const e = trace.error;
    if (e instanceof ApiError && e.status === 404) {
      return (
        <div className="page" data-testid="trace-page">
          <EmptyState title={t('trace.notFound')} testid="trace-not-found">
            <p className="mono">{traceId}</p>
            <p>{t('trace.notFoundHint')}</p>
            <button type="button" className="btn" onClick={trace.reload}>{t('common.retry')}</button>
          </EmptyState>
        </div>
      );
    }
    return (
      <div className="page" data-testid="trace-page">
        <LoadError title={e instanceof ApiError && e.status === 400 ? t('trace.badId') : t('trace.loadFailed')} error={e} onRetry={trace.reload} testid="trace-error" />
      </div>
    );
  }
  if (!trace.data) {
    return (
      <div className="page" data-testid="trace-page">
        <CardLoading />
      </div>
    );
  }
  return <TraceView data={trace.data} />;
}

function TraceView({ data }: { data: TraceResponse }) {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const [tab, setTab] = useState<'waterfall' | 'logs'>('waterfall');
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [critical, setCritical] = useState(false);
  const [logSpan, setLogSpan] = useState<string | null>(null);

  const spans = data.spans;
  // The selected span lives in the URL (`?span=<span id>`), so a link can open
  // the trace with a span selected (the trace search does).
  const spanParam = params.get('span');
  const indexById = useMemo(() => new Map(spans.map((s, i) => [s.span_id, i])), [spans]);
  const selected = spanParam ? (indexById.get(spanParam) ?? null) : null;
  const clicked = useRef(false);
  const select = (i: number | null) => {
    clicked.current = true;
    setParams({ span: i === null ? null : spans[i].span_id }, { replace: true });
  };
  // A span selected by the URL rather than a click: expand the spans above it
  // and scroll it into view.
  const [reveal, setReveal] = useState<{ index: number } | null>(null);
  useEffect(() => {
    if (clicked.current) {
      clicked.current = false;
      return;
    }
    if (selected === null) return;
    const up = ancestorIndexes(spans, selected);
    setCollapsed((c) => (up.some((i) => c.has(i)) ? new Set([...c].filter((i) => !up.includes(i))) : c));
    setReveal({ index: selected });
  }, [selected, spans]);

  const colors = useMemo(() => serviceColors([...data.services, ...spans.map((s) => s.service)]), [data.services, spans]);
  const root = data.roots.length ? spans[data.roots[0]] : spans[0];
  const skewed = useMemo(() => spans.filter((s) => s.outside_parent).length, [spans]);
  const startMs = nsToMs(data.start_ns);
  const explore = exploreLogsUrl(data.trace_id, params, { fromMs: startMs - 5 * 60_000, toMs: startMs + data.duration_ns / 1e6 + 5 * 60_000 });
  const logsBySpan = useMemo(() => {
    const m = new Map<string, number>();
    for (const l of data.logs) if (typeof l.span_id === 'string') m.set(l.span_id, (m.get(l.span_id) ?? 0) + 1);
    return m;
  }, [data.logs]);
  const sel = selected !== null ? spans[selected] : undefined;

  const toggle = (i: number) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(i)) n.delete(i);
      else n.add(i);
      return n;
    });

  return (
    <div className="page trace-page" data-testid="trace-page">
      <section className="card trace-header" data-testid="trace-header">
        <div className="trace-title-row">
          <h2 className="trace-root" data-testid="trace-root-name">{root ? `${root.service} · ${root.name}` : data.trace_id}</h2>
          <span className="spacer" />
          <Link className="btn btn-small" to={explore} data-testid="trace-open-explore">
            {t('trace.openInExplore')}
          </Link>
        </div>
        <div className="trace-id-row">
          <span className="muted small">trace_id</span>
          <code data-testid="trace-id">{data.trace_id}</code>
          <CopyButton text={data.trace_id} label={t('trace.copyId')} testid="copy-trace-id" />
        </div>
        <dl className="trace-stats">
          <div>
            <dt>{t('trace.duration')}</dt>
            <dd data-testid="trace-duration">{formatDurationNs(data.duration_ns)}</dd>
          </div>
          <div>
            <dt>{t('trace.spans')}</dt>
            <dd data-testid="trace-span-count">{formatFull(data.total_spans)}</dd>
          </div>
          <div>
            <dt>{t('trace.errors')}</dt>
            <dd className={data.errors > 0 ? 'bad' : ''} data-testid="trace-errors">{formatFull(data.errors)}</dd>
          </div>
          <div>
            <dt>{t('trace.start')}</dt>
            <dd className="mono small">{formatTimestamp(startMs)}</dd>
          </div>
          <div className="trace-services">
            <dt>{t('trace.services')}</dt>
            <dd>
              {data.services.map((s) => (
                <span key={s} className="service-chip" style={{ borderColor: colors.get(s) }}>
                  <span className="wf-dot" style={{ background: colors.get(s) }} aria-hidden />
                  {s}
                </span>
              ))}
            </dd>
          </div>
        </dl>
      </section>

      {data.truncated || data.missing_parents > 0 || data.duplicate_spans > 0 || skewed > 0 || (spanParam && selected === null) ? (
        <Warning testid="trace-warnings">
          {data.truncated ? <div data-testid="trace-truncated">{t('trace.truncated', { shown: formatFull(spans.length), total: formatFull(data.total_spans) })}</div> : null}
          {spanParam && selected === null ? (
            <div data-testid="trace-span-missing">
              {data.truncated ? t('trace.spanNotShown', { id: spanParam, shown: formatFull(spans.length) }) : t('trace.spanNotFound', { id: spanParam })}
            </div>
          ) : null}
          {data.missing_parents > 0 ? <div>{t('trace.missingParents', { n: formatFull(data.missing_parents) })}</div> : null}
          {data.duplicate_spans > 0 ? <div>{t('trace.duplicates', { n: formatFull(data.duplicate_spans) })}</div> : null}
          {skewed > 0 ? <div>{t('trace.clockSkew', { n: formatFull(skewed) })}</div> : null}
        </Warning>
      ) : null}

      <div className="trace-toolbar">
        <div className="segmented" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'waterfall'} className={tab === 'waterfall' ? 'active' : ''} onClick={() => setTab('waterfall')} data-testid="tab-waterfall">
            {t('trace.tabWaterfall')}
          </button>
          <button type="button" role="tab" aria-selected={tab === 'logs'} className={tab === 'logs' ? 'active' : ''} onClick={() => setTab('logs')} data-testid="tab-logs">
            {t('trace.tabLogs', { n: formatFull(data.logs.length) })}
          </button>
        </div>
        {tab === 'waterfall' ? (
          <>
            <label className="check">
              <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} data-testid="critical-toggle" />
              {t('trace.criticalPath')}
            </label>
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => setCollapsed(new Set())} data-testid="expand-all">
              {t('trace.expandAll')}
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setCollapsed(new Set(spans.flatMap((s, i) => (s.children.length && s.depth >= 1 ? [i] : []))))}
              data-testid="collapse-all"
            >
              {t('trace.collapseAll')}
            </button>
          </>
        ) : null}
      </div>

      {tab === 'waterfall' ? (
        <div className={sel ? 'trace-main with-details' : 'trace-main'}>
          <section className="card trace-waterfall-card">
            <Waterfall
              spans={spans}
              roots={data.roots}
              durationNs={data.duration_ns}
              colors={colors}
              collapsed={collapsed}
              onToggle={toggle}
              selected={selected}
              onSelect={(i) => select(selected === i ? null : i)}
              critical={critical}
              reveal={reveal}
            />
          </section>
          {sel ? (
            <SpanDetails
              key={selected}
              span={sel}
              color={colors.get(sel.service) ?? 'var(--accent)'}
              logCount={logsBySpan.get(sel.span_id) ?? 0}
              onShowLogs={() => {
                setLogSpan(sel.span_id);
                setTab('logs');
              }}
              onClose={() => select(null)}
            />
          ) : null}
        </div>
      ) : (
        <TraceLogs
          logs={data.logs}
          truncated={data.logs_truncated}
          exploreUrl={explore}
          spanId={logSpan}
          spanName={spans.find((s) => s.span_id === logSpan)?.name ?? logSpan ?? ''}
          onClearSpan={() => setLogSpan(null)}
        />
      )}
    </div>
  );
}

function TraceLogs({ logs, truncated, exploreUrl, spanId, spanName, onClearSpan }: { logs: Event[]; truncated: boolean; exploreUrl: string; spanId: string | null; spanName: string; onClearSpan: () => void }) {
  const t = useT();
  const shown = spanId ? logs.filter((l) => l.span_id === spanId) : logs;
  return (
    <section className="card trace-logs" data-testid="trace-logs">
      {spanId ? (
        <div className="trace-logs-filter" data-testid="logs-span-filter">
          <span>{t('trace.filteredToSpan', { name: spanName })}</span>
          <button type="button" className="btn btn-small" onClick={onClearSpan} data-testid="logs-show-all">
            {t('trace.showAllLogs')}
          </button>
        </div>
      ) : null}
      {truncated ? <div className="muted small trace-logs-note">{t('trace.logsTruncated', { n: formatFull(logs.length) })}</div> : null}
      {shown.length === 0 ? (
        <EmptyState title={spanId ? t('trace.noSpanLogs') : t('trace.noLogs')} testid="trace-no-logs" />
      ) : (
        <div className="table-scroll">
          <table className="table trace-log-table">
            <thead>
              <tr>
                <th>{t('trace.logTime')}</th>
                <th>{t('trace.logService')}</th>
                <th>{t('trace.logLevel')}</th>
                <th>{t('trace.logBody')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((l, k) => {
                const ms = eventTimeMs(l.timestamp);
                return (
                  <tr key={k} data-testid="trace-log-row">
                    <td className="mono nowrap">{ms === null ? String(l.timestamp ?? '') : formatTimestamp(ms)}</td>
                    <td className="nowrap">{String(l.service ?? '')}</td>
                    <td>{l.level !== undefined && l.level !== null ? <span className={levelClass(l.level)}>{String(l.level)}</span> : null}</td>
                    <td className="log-body mono">{String(l.body ?? l.message ?? '')}</td>
                    <td className="nowrap right">
                      <Link className="btn btn-small" to={exploreUrl} data-testid="log-open-explore">
                        {t('trace.openInExplore')}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
