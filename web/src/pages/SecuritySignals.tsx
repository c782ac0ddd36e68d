import { useEffect, useMemo, useState, type CSSProperties, type FormEvent } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n, type MessageKey } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { absoluteRange, formatTime, formatTimestamp } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { SortTh } from '../components/SortTh';
import { CardLoading, EmptyState, LoadError, Spinner, Warning } from '../components/Status';
import { TimeChart } from '../charts/TimeChart';
import { formatFull } from '../charts/format';
import { formatAgo } from '../issues/issues';
import { SecurityTabs } from '../security/SecurityTabs';
import { SeverityBadge, SignalStatusBadge } from '../security/Badges';
import { arnAccount, shortActor } from '../security/identity';
import {
  entityUrl,
  filterSignals,
  nextSignalSort,
  SEVERITIES,
  SEVERITY_COLORS,
  severitySeries,
  signalFiltersFromParams,
  signalFiltersToParams,
  signalsQuery,
  signalUrl,
  sortSignals,
  SOURCES,
  STATUS_FILTERS,
  toggleSeverity,
  volumeQuery,
  type SignalFilters,
  type SignalSortKey,
} from '../security/signals';

/** The API's cap on one list. */
const LIST_CAP = 1000;

export default function SecuritySignalsPage() {
  const { t, lang } = useI18n();
  usePageTitle(t('sec.signals.title'));
  const { range, resolved, setRange } = useTimeRange();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => signalFiltersFromParams(params), [params]);
  const [entity, setEntity] = useState(filters.entity);
  useEffect(() => setEntity(filters.entity), [filters.entity]);
  const update = (patch: Partial<SignalFilters>) => setParams(signalFiltersToParams({ ...filters, ...patch }));

  const rangeMs = { fromMs: resolved.fromMs, toMs: resolved.toMs };
  const qs = signalsQuery(filters, rangeMs).toString();
  const list = useAsync((s) => api.signals(new URLSearchParams(qs), s), [qs]);
  const vqs = volumeQuery({ groupBy: 'severity', rule: filters.rule, entity: filters.entity, severities: filters.severities, source: filters.source }, rangeMs).toString();
  const volume = useAsync((s) => api.signalVolume(new URLSearchParams(vqs), s), [vqs]);
  const rules = useAsync((s) => api.rules(s), []);

  const shown = useMemo(() => sortSignals(filterSignals(list.data ?? [], filters), filters.sort), [list.data, filters]);
  const chart = useMemo(
    () =>
      volume.data
        ? severitySeries(volume.data, { severities: filters.severities, includeSuppressed: filters.suppressed, label: (s) => t(`sec.sev.${s}` as MessageKey) })
        : null,
    [volume.data, filters.severities, filters.suppressed, t],
  );
  const ruleOptions = useMemo(() => {
    const opts = (rules.data ?? []).filter((r) => r.state === 'loaded').map((r) => ({ id: r.id, title: r.title }));
    if (filters.rule && !opts.some((o) => o.id === filters.rule)) opts.push({ id: filters.rule, title: filters.rule });
    return opts.sort((a, b) => a.title.localeCompare(b.title));
  }, [rules.data, filters.rule]);
  const entities = useMemo(() => [...new Set((list.data ?? []).map((s) => s.entity))].sort(), [list.data]);
  const now = Date.now();

  const submitEntity = (e: FormEvent) => {
    e.preventDefault();
    update({ entity: entity.trim() });
  };
  const columns: { key: SignalSortKey; label: MessageKey; numeric: boolean }[] = [
    { key: 'severity', label: 'sec.col.severity', numeric: false },
    { key: 'title', label: 'sec.col.signal', numeric: false },
    { key: 'entity', label: 'sec.col.entity', numeric: false },
    { key: 'place', label: 'sec.col.place', numeric: false },
    { key: 'count', label: 'sec.col.count', numeric: true },
    { key: 'first_seen_ms', label: 'sec.col.firstSeen', numeric: false },
    { key: 'last_seen_ms', label: 'sec.col.lastSeen', numeric: false },
    { key: 'status', label: 'sec.col.status', numeric: false },
  ];

  return (
    <div className="page sec-page" data-testid="security-signals-page">
      <SecurityTabs />
      <section className="card">
        <form className="card-head filter-bar" onSubmit={submitEntity} role="search">
          <div className="sev-filter" role="group" aria-label={t('sec.col.severity')}>
            {SEVERITIES.map((s) => {
              const on = filters.severities.includes(s);
              return (
                <button
                  key={s}
                  type="button"
                  className={`sev-toggle${on ? ' on' : ''}`}
                  style={{ '--sev': SEVERITY_COLORS[s] } as CSSProperties}
                  aria-pressed={on}
                  onClick={() => update({ severities: toggleSeverity(filters.severities, s) })}
                  data-testid={`sec-sev-${s}`}
                >
                  <span className="sev-dot" aria-hidden />
                  {t(`sec.sev.${s}` as MessageKey)}
                </button>
              );
            })}
          </div>
          <label className="field-inline">
            <span className="muted small">{t('sec.col.status')}</span>
            <select value={filters.status} onChange={(e) => update({ status: e.target.value as SignalFilters['status'] })} data-testid="sec-status-select">
              {STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>{t(`sec.status.${s}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span className="muted small">{t('sec.rule')}</span>
            <select className="sec-rule-select" value={filters.rule} onChange={(e) => update({ rule: e.target.value })} data-testid="sec-rule-select">
              <option value="">{t('sec.allRules')}</option>
              {ruleOptions.map((r) => (
                <option key={r.id} value={r.id}>{r.title}</option>
              ))}
            </select>
          </label>
          <label className="field-inline">
            <span className="muted small">{t('sec.source')}</span>
            <select value={filters.source} onChange={(e) => update({ source: e.target.value })} data-testid="sec-source-select">
              <option value="">{t('sec.allSources')}</option>
              {SOURCES.map((s) => (
                <option key={s} value={s}>{t(`sec.src.${s}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <input
            type="search"
            className="filter-grow"
            value={entity}
            onChange={(e) => setEntity(e.target.value)}
            onBlur={() => entity.trim() !== filters.entity && update({ entity: entity.trim() })}
            list="sec-entities"
            placeholder={t('sec.entityPlaceholder')}
            aria-label={t('sec.col.entity')}
            title={t('sec.entityHint')}
            data-testid="sec-entity"
          />
          <datalist id="sec-entities">
            {entities.map((e) => (
              <option key={e} value={e} />
            ))}
          </datalist>
          <label className="field-inline checkbox-inline" title={t('sec.showSuppressedHint')}>
            <input type="checkbox" checked={filters.suppressed} onChange={(e) => update({ suppressed: e.target.checked })} data-testid="sec-suppressed" />
            <span className="small">{t('sec.showSuppressed')}</span>
          </label>
        </form>
        <div className="chart-pad sec-timeline">
          <div className="sec-timeline-head">
            <span className="small strong">{t(filters.suppressed ? 'sec.timelineAll' : 'sec.timeline')}</span>
            <span className="muted small">{t('sec.timelineHint')}</span>
            {volume.loading ? <Spinner small /> : null}
          </div>
          {volume.error ? (
            <LoadError title={t('sec.volumeFailed')} error={volume.error} onRetry={volume.reload} />
          ) : !chart ? (
            <CardLoading style={{ height: 150 }} />
          ) : chart.total === 0 ? (
            <p className="muted small sec-timeline-empty">{t('sec.noDetections')}</p>
          ) : (
            <TimeChart
              x={chart.x}
              series={chart.series}
              kind="bars"
              stacked
              height={170}
              stepMs={volume.data!.step_ms}
              onZoom={(a, b) => setRange(absoluteRange(a, b))}
              testid="sec-timeline"
            />
          )}
        </div>
      </section>

      <section className="card">
        <header className="card-head">
          <h2>{t('sec.signals.title')}</h2>
          {list.data ? (
            <span className="muted small" data-testid="sec-summary">
              {shown.length === 1 ? t('sec.signals.summaryOne') : t('sec.signals.summary', { n: formatFull(shown.length) })}
            </span>
          ) : null}
          {list.loading && list.data ? <Spinner small /> : null}
          <span className="spacer" />
          <span className="muted small">{t('sec.signals.hint')}</span>
        </header>
        {list.data && list.data.length >= LIST_CAP ? (
          <div className="card-note">
            <Warning testid="sec-capped">{t('sec.signals.capped', { n: formatFull(LIST_CAP) })}</Warning>
          </div>
        ) : null}
        {list.error ? (
          <LoadError title={t('sec.signals.loadFailed')} error={list.error} onRetry={list.reload} testid="sec-signals-error" />
        ) : !list.data ? (
          <CardLoading />
        ) : shown.length === 0 ? (
          <EmptyState title={t('sec.signals.none')} testid="sec-signals-empty">
            <p>{t('sec.signals.noneHint')}</p>
            <div className="empty-actions">
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-7d', to: 'now' })}>{t('time.last7d')}</button>
              <button type="button" className="btn" onClick={() => setRange({ from: 'now-30d', to: 'now' })}>{t('sec.last30d')}</button>
              {filters.status !== 'all' ? (
                <button type="button" className="btn" onClick={() => update({ status: 'all' })}>{t('sec.anyStatus')}</button>
              ) : null}
            </div>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table apm-table sec-signals-table clickable-rows" data-testid="sec-signals-table">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <SortTh key={c.key} col={c.key} label={t(c.label)} numeric={c.numeric} sort={filters.sort} onSort={(k) => update({ sort: nextSignalSort(filters.sort, k) })} testid={`sec-sort-${c.key}`} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => {
                  const url = signalUrl(s.signal_id, range);
                  const quiet = s.count === 0 && s.suppressed > 0;
                  return (
                    <tr
                      key={s.signal_id}
                      className={`sig-row sev-row-${s.severity}${quiet ? ' sig-suppressed' : ''}`}
                      onClick={(e) => {
                        if ((e.target as HTMLElement).closest('a, button') || window.getSelection()?.toString()) return;
                        navigate(url);
                      }}
                      data-testid="sec-signal-row"
                      data-signal={s.signal_id}
                    >
                      <td><SeverityBadge severity={s.severity} /></td>
                      <td className="sig-main">
                        <Link to={url} className="sig-title" data-testid="sec-signal-title">{s.title}</Link>
                        {s.detail ? <div className="sig-detail muted small">{s.detail}</div> : null}
                      </td>
                      <td className="wrap-anywhere">
                        <Link to={entityUrl(s, range)} title={s.entity} data-testid="sec-signal-entity">{shortActor(s.entity)}</Link>
                        {arnAccount(s.entity) ? <div className="muted small mono">{arnAccount(s.entity)}</div> : null}
                      </td>
                      <td className="nowrap">{s.place ?? <span className="muted">–</span>}</td>
                      <td className="right nowrap">
                        {formatFull(s.count)}
                        {s.suppressed ? <div className="muted small" title={t('sec.suppressedHint')}>{t('sec.suppressedN', { n: formatFull(s.suppressed) })}</div> : null}
                      </td>
                      <td className="nowrap small" title={formatTimestamp(s.first_seen_ms)}>{formatTime(s.first_seen_ms, false)}</td>
                      <td className="nowrap small" title={formatTimestamp(s.last_seen_ms)}>
                        {formatTime(s.last_seen_ms, false)}
                        <div className="muted">{formatAgo(now - s.last_seen_ms, lang)}</div>
                      </td>
                      <td><SignalStatusBadge status={s.status} /></td>
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
