import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { formatFull } from '../charts/format';
import { formatMs } from '../apm/services';
import { serviceColors } from '../trace/waterfall';
import {
  durationFraction,
  durationHistogram,
  effectiveScope,
  EMPTY_FILTERS,
  filtersFromParams,
  filtersToPatch,
  fullTraceId,
  SCOPES,
  traceRowPath,
  tracesQuery,
  withScope,
  type HistBucket,
  type TraceFilters,
  type TraceRow,
  type TraceScope,
  type TracesResponse,
} from '../apm/traces';
import { toMs } from '../issues/issues';

const LIMIT = 200;

export default function TraceSearch() {
  const { t } = useI18n();
  usePageTitle(t('traces.title'));
  const { range, resolved } = useTimeRange();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const applied = useMemo(() => filtersFromParams(params), [params]);
  const [draft, setDraft] = useState<TraceFilters>(applied);
  const [traceId, setTraceId] = useState('');
  const [idError, setIdError] = useState(false);
  useEffect(() => setDraft(applied), [applied]);

  const res = useAsync<TracesResponse>(
    (s) => api.traces(tracesQuery(applied, { fromMs: resolved.fromMs, toMs: resolved.toMs }, LIMIT), s),
    [applied.service, applied.endpoint, applied.status, applied.min, applied.max, applied.q, applied.scope, resolved.fromMs, resolved.toMs],
  );
  const catalog = useAsync((s) => api.apmServices({ from_ms: resolved.fromMs, to_ms: resolved.toMs }, s).catch(() => null), [resolved.fromMs, resolved.toMs]);
  const services = useMemo(() => {
    const set = new Set((catalog.data?.services ?? []).map((r) => r.service));
    if (applied.service) set.add(applied.service);
    return [...set].sort();
  }, [catalog.data, applied.service]);

  const rows = useMemo(() => res.data?.traces ?? [], [res.data]);
  const maxMs = useMemo(() => Math.max(0, ...rows.map((r) => r.duration_ms || 0)), [rows]);
  const colors = useMemo(() => serviceColors(rows.flatMap((r) => [r.service, ...(r.services ?? [])])), [rows]);
  const hist = useMemo(() => durationHistogram(rows), [rows]);
  // The rows describe the spans the filters matched: label them so.
  const scope = effectiveScope(applied);
  const draftScope = effectiveScope(draft);

  const apply = (f: TraceFilters) => setParams(filtersToPatch(f));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const raw = traceId.trim();
    if (raw) {
      const id = fullTraceId(raw);
      if (id) {
        navigate(withTime(`/traces/${id}`, range));
        return;
      }
      setIdError(true);
      return;
    }
    apply(draft);
  };
  const traceUrl = (r: TraceRow) => withTime(traceRowPath(r, scope), range);
  const openTrace = (r: TraceRow) => navigate(traceUrl(r));

  return (
    <div className="page traces-page" data-testid="trace-search-page">
      <section className="card">
        <form className="trace-filters" onSubmit={submit} role="search" data-testid="trace-filters">
          <label className="tf-field">
            <span>{t('traces.service')}</span>
            <select value={draft.service} onChange={(e) => apply({ ...draft, service: e.target.value })} data-testid="tf-service">
              <option value="">{t('traces.anyService')}</option>
              {services.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="tf-field">
            <span>{t('traces.scope')}</span>
            <select
              value={draftScope}
              onChange={(e) => apply(withScope(draft, e.target.value as TraceScope))}
              title={t(`traces.scopeHint.${draftScope}`)}
              data-testid="tf-scope"
            >
              {SCOPES.map((s) => (
                <option key={s} value={s}>{t(`traces.scope.${s}`)}</option>
              ))}
            </select>
          </label>
          <label className="tf-field tf-wide">
            <span>{t('traces.endpoint')}</span>
            <input value={draft.endpoint} onChange={(e) => setDraft({ ...draft, endpoint: e.target.value })} placeholder={t('traces.endpointPlaceholder')} data-testid="tf-endpoint" />
          </label>
          <label className="tf-field">
            <span>{t('traces.status')}</span>
            <select value={draft.status} onChange={(e) => apply({ ...draft, status: e.target.value as TraceFilters['status'] })} data-testid="tf-status">
              <option value="">{t('traces.statusAny')}</option>
              <option value="error">{t('traces.statusError')}</option>
              <option value="ok">{t('traces.statusOk')}</option>
            </select>
          </label>
          <label className="tf-field tf-num">
            <span>{t('traces.minMs')}</span>
            <input type="number" min="0" step="any" inputMode="decimal" value={draft.min} onChange={(e) => setDraft({ ...draft, min: e.target.value })} data-testid="tf-min" />
          </label>
          <label className="tf-field tf-num">
            <span>{t('traces.maxMs')}</span>
            <input type="number" min="0" step="any" inputMode="decimal" value={draft.max} onChange={(e) => setDraft({ ...draft, max: e.target.value })} data-testid="tf-max" />
          </label>
          <label className="tf-field tf-query">
            <span>{t('traces.query')}</span>
            <input className="mono" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder={t('traces.queryPlaceholder')} data-testid="tf-q" spellCheck={false} />
          </label>
          <label className="tf-field tf-id">
            <span>{t('traces.traceId')}</span>
            <input
              className="mono"
              value={traceId}
              onChange={(e) => {
                setTraceId(e.target.value);
                setIdError(false);
              }}
              placeholder={t('traces.traceIdPlaceholder')}
              aria-invalid={idError || undefined}
              data-testid="tf-trace-id"
              spellCheck={false}
            />
          </label>
          <div className="tf-buttons">
            <button type="submit" className="btn btn-primary" data-testid="tf-search">{t('traces.search')}</button>
            <button
              type="button"
              className="btn"
              onClick={() => {
                setTraceId('');
                setIdError(false);
                apply(EMPTY_FILTERS);
              }}
              data-testid="tf-reset"
            >
              {t('traces.reset')}
            </button>
          </div>
          {idError ? <div className="form-error tf-error" data-testid="tf-id-error">{t('traces.badTraceId')}</div> : null}
        </form>
      </section>

      <section className="card">
        <header className="card-head">
          <h2>{t('traces.results')}</h2>
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data && rows.length > 0 && scope !== 'root' ? (
            <span className="muted small" data-testid="traces-scope-note">{t(`traces.rowsAre.${scope}`)}</span>
          ) : null}
          <span className="spacer" />
          {res.data ? (
            <span className="muted small" data-testid="traces-summary">
              {t('traces.summary', { n: formatFull(rows.length), ms: formatFull(Math.round(res.data.elapsed_ms)) })}
              {rows.length >= LIMIT ? ` · ${t('traces.limited', { n: formatFull(LIMIT) })}` : ''}
            </span>
          ) : null}
        </header>
        {hist.length > 1 ? <Histogram buckets={hist} title={scope === 'all' ? t('traces.histogramSpans') : t('traces.histogram')} /> : null}
        {res.error ? (
          <LoadError title={t('traces.loadFailed')} error={res.error} onRetry={res.reload} testid="traces-error" />
        ) : !res.data ? (
          <CardLoading />
        ) : rows.length === 0 ? (
          <EmptyState title={t('traces.none')} testid="traces-empty">
            <p>{t('traces.noneHint')}</p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table traces-table clickable-rows" data-testid="traces-table">
              <thead>
                <tr>
                  <th>{t('traces.start')}</th>
                  <th>{t(`traces.col.service.${scope}`)}</th>
                  <th>{scope === 'all' ? t('traces.col.spanName') : t('traces.endpoint')}</th>
                  <th className="right">{scope === 'all' ? t('traces.col.spanDuration') : t('traces.duration')}</th>
                  <th className="right">{t('traces.spans')}</th>
                  <th className="right">{t('traces.errors')}</th>
                  <th>{t('traces.services')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const ms = toMs(r.timestamp);
                  const err = r.status === 'error' || r.error_count > 0;
                  return (
                    <tr
                      key={r.trace_id}
                      className={err ? 'row-error' : undefined}
                      data-testid="trace-row"
                      data-trace-id={r.trace_id}
                      data-span-id={r.span_id ?? undefined}
                      tabIndex={0}
                      onClick={(e) => {
                        if (!(e.target as HTMLElement).closest('a')) openTrace(r);
                      }}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') openTrace(r);
                      }}
                    >
                      <td className="mono nowrap small">
                        <Link to={traceUrl(r)} title={r.trace_id} aria-label={t('traces.openTrace', { id: r.trace_id })}>{ms !== null ? formatTimestamp(ms) : r.trace_id}</Link>
                      </td>
                      <td className="nowrap">
                        <span className="wf-dot" style={{ background: colors.get(r.service) }} aria-hidden /> {r.service}
                      </td>
                      <td className="mono small endpoint-cell">{r.endpoint}</td>
                      <td className="right nowrap dur-cell" title={scope === 'all' ? t('traces.durationBarHintSpans') : t('traces.durationBarHint')}>
                        <span className="dur-bar" aria-hidden>
                          <span className={err ? 'dur-fill bad' : 'dur-fill'} style={{ width: `${durationFraction(r.duration_ms, maxMs) * 100}%` }} />
                        </span>
                        <span className="dur-text">{formatMs(r.duration_ms)}</span>
                      </td>
                      <td className="right">{formatFull(r.span_count)}</td>
                      <td className="right">{r.error_count > 0 ? <span className="bad strong">{formatFull(r.error_count)}</span> : <span className="muted">0</span>}</td>
                      <td>
                        <span className="chips">
                          {(r.services ?? []).slice(0, 4).map((s) => (
                            <span key={s} className="service-chip" style={{ borderLeftColor: colors.get(s) }}>{s}</span>
                          ))}
                          {(r.services ?? []).length > 4 ? <span className="chip muted" title={r.services.slice(4).join(', ')}>+{r.services.length - 4}</span> : null}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function Histogram({ buckets, title }: { buckets: HistBucket[]; title: string }) {
  const { t } = useI18n();
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const W = 100 / buckets.length;
  return (
    <div className="duration-hist" data-testid="duration-histogram">
      <div className="muted small hist-title">{title}</div>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" className="hist-svg" role="img" aria-label={title}>
        {buckets.map((b, i) => {
          const h = (b.count / max) * 38;
          const he = (b.errors / max) * 38;
          return (
            <g key={i}>
              <title>{t('traces.histBar', { lo: formatMs(b.lo), hi: formatMs(b.hi), n: formatFull(b.count) })}</title>
              <rect x={i * W + W * 0.08} y={40 - h} width={W * 0.84} height={h} className="hist-bar" />
              {he > 0 ? <rect x={i * W + W * 0.08} y={40 - he} width={W * 0.84} height={he} className="hist-bar-err" /> : null}
            </g>
          );
        })}
      </svg>
      <div className="hist-axis muted small">
        <span>{formatMs(buckets[0].lo)}</span>
        <span>{formatMs(buckets[buckets.length - 1].hi)}</span>
      </div>
    </div>
  );
}
