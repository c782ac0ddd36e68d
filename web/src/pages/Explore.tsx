import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { Event, SearchResponse, TimeseriesResponse } from '../api/types';
import { useT } from '../i18n';
import { Link, useSearchParams } from '../router';
import { useTimeRange, withTime } from '../time/context';
import { absoluteRange, eventTimeMs, nsToMs } from '../time/range';
import { usePageTitle } from '../components/PageTitle';
import { EmptyState, ErrorPanel, Spinner, Warning } from '../components/Status';
import { Popover } from '../components/Popover';
import { SearchBar } from '../search/SearchBar';
import { addTerm } from '../search/tokenizer';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { levelRank, seriesColor } from '../charts/palette';
import { formatElapsed, formatFull } from '../charts/format';
import { Facets } from '../explore/Facets';
import { EventsTable, type KeyedEvent } from '../explore/EventsTable';
import { SavedViews } from '../explore/SavedViews';
import { defaultColumns, parseColumns } from '../explore/columns';

const PAGE = 200;
const MAX_EVENTS = 1000;
const LIVE_MS = 2000;

let keySeq = 0;
const keyed = (events: Event[]): KeyedEvent[] => events.map((ev) => ({ key: `e${++keySeq}`, ev }));

export default function Explore() {
  const t = useT();
  usePageTitle(t('explore.title'));
  const [params, setParams] = useSearchParams();
  const { resolved, range, setRange } = useTimeRange();
  const dataset = params.get('dataset') || 'logs';
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const [limit, setLimit] = useState(PAGE);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [live, setLive] = useState(false);
  const [hovering, setHovering] = useState(false);
  const [scrolled, setScrolled] = useState(false);
  const [events, setEvents] = useState<KeyedEvent[]>([]);

  useEffect(() => setDraft(q), [q]);

  const datasets = useAsync((s) => api.datasets(s), []);
  const info = useAsync((s) => api.dataset(dataset, s), [dataset]);
  const fieldNames = useMemo(() => (info.data?.columns ?? []).map((c) => c.name).filter((c) => c !== 'attributes'), [info.data]);
  const columns = parseColumns(params.get('cols')) ?? defaultColumns(dataset, fieldNames);

  const { fromMs, toMs } = resolved;
  const search = useAsync<SearchResponse>(
    (s) => api.search({ dataset, query: q, from_ms: fromMs, to_ms: toMs, limit, buckets: 60 }, s),
    [dataset, q, fromMs, toMs, limit],
  );
  const hasLevel = fieldNames.includes('level');
  const byLevel = useAsync<TimeseriesResponse>(
    (s) =>
      hasLevel
        ? api.timeseries({ dataset, query: q, from_ms: fromMs, to_ms: toMs, measure: { op: 'count' }, group_by: ['level'], limit: 8, buckets: 60 }, s)
        : null,
    [dataset, q, fromMs, toMs, hasLevel],
  );

  useEffect(() => {
    if (search.data) {
      setEvents(keyed(search.data.events));
      setExpanded(new Set());
    }
  }, [search.data]);

  // Live tail: poll for events newer than the newest shown, unless the user
  // is reading (hovering the table or scrolled down).
  const paused = hovering || scrolled;
  const eventsRef = useRef(events);
  eventsRef.current = events;
  useEffect(() => {
    if (!live || paused) return;
    let stopped = false;
    let ac: AbortController | null = null;
    const tick = async () => {
      const newest = eventsRef.current[0];
      const sinceMs = (newest && eventTimeMs(newest.ev.timestamp)) ?? Date.now() - 60_000;
      ac = new AbortController();
      try {
        const r = await api.search({ dataset, query: q, from_ms: sinceMs, to_ms: Date.now() + 1000, limit: 200, facets: [], buckets: 1 }, ac.signal);
        if (stopped) return;
        const seen = new Set(eventsRef.current.slice(0, 400).map((e) => JSON.stringify(e.ev)));
        const fresh = r.events.filter((e) => !seen.has(JSON.stringify(e)));
        if (fresh.length) setEvents((prev) => [...keyed(fresh), ...prev].slice(0, MAX_EVENTS));
      } catch {
        /* a failed poll is retried on the next tick */
      }
    };
    const id = window.setInterval(tick, LIVE_MS);
    void tick();
    return () => {
      stopped = true;
      window.clearInterval(id);
      ac?.abort();
    };
  }, [live, paused, dataset, q]);

  const run = useCallback(
    (query: string) => {
      setLimit(PAGE);
      if (query === q) search.reload();
      else setParams({ q: query || null });
    },
    [q, search, setParams],
  );

  const onFilter = (field: string, value: string, exclude: boolean) => {
    const next = addTerm(q, field, value, exclude);
    setDraft(next);
    setParams({ q: next });
  };

  const histogram = useMemo(() => buildHistogram(search.data, byLevel.data), [search.data, byLevel.data]);
  const toggle = (key: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  const datasetNames = datasets.data?.map((d) => d.name) ?? [dataset];
  if (!datasetNames.includes(dataset)) datasetNames.push(dataset);
  const unknown = search.data?.unknown_fields ?? [];
  const total = search.data?.total ?? 0;

  return (
    <div className="page explore" data-testid="explore-page">
      <div className="explore-bar">
        <label className="dataset-picker">
          <span className="sr-only">{t('explore.dataset')}</span>
          <select
            data-testid="dataset-select"
            value={dataset}
            aria-label={t('explore.dataset')}
            onChange={(e) => setParams({ dataset: e.target.value, q: null, cols: null })}
          >
            {datasetNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <SearchBar value={draft} onChange={setDraft} onSubmit={run} dataset={dataset} fields={fieldNames} busy={search.loading} />
        <SavedViews
          dataset={dataset}
          query={q}
          columns={columns}
          onLoad={(v) => setParams({ dataset: v.dataset, q: v.query || null, cols: v.columns?.length ? v.columns.join(',') : null })}
        />
      </div>

      {unknown.length ? (
        <Warning testid="unknown-fields">
          {unknown.map((f) => (
            <div key={f}>{t('explore.unknownField', { field: f, dataset })}</div>
          ))}
        </Warning>
      ) : null}

      {search.error ? (
        <ErrorPanel title={t('explore.searchFailed')} message={errorMessage(search.error)} testid="search-error" />
      ) : null}

      <section className="card histogram-card">
        <header className="card-head">
          <h2 className="count" data-testid="result-count">
            {search.data ? t('explore.matches', { n: formatFull(total) }) : t('explore.title')}
          </h2>
          {search.loading ? <Spinner small label={t('explore.searching')} /> : null}
          {search.data ? <span className="muted small">{t('explore.elapsed', { time: formatElapsed(search.data.elapsed_ms) })}</span> : null}
          <span className="spacer" />
          <span className="muted small">{t('explore.dragHint')}</span>
        </header>
        <div data-testid="histogram" data-total={total} data-loading={search.loading || byLevel.loading ? 'true' : 'false'}>
          {histogram ? (
            <TimeChart
              x={histogram.x}
              series={histogram.series}
              kind="bars"
              stacked
              height={160}
              stepMs={histogram.stepMs}
              xRange={[fromMs, toMs]}
              onZoom={(a, b) => setRange(absoluteRange(Math.max(a, fromMs), Math.min(b, toMs)))}
            />
          ) : (
            <div className="chart-placeholder" style={{ height: 160 }}>
              {search.loading ? <Spinner /> : null}
            </div>
          )}
        </div>
      </section>

      <div className="explore-body">
        <aside className="facet-panel" aria-label={t('explore.facets')}>
          <Facets facets={search.data?.facets ?? []} onFilter={onFilter} loading={search.loading} />
        </aside>
        <section className="card events-card">
          <header className="card-head">
            <h2>{t('explore.events')}</h2>
            {search.data ? (
              <span className="muted small" data-testid="shown-count">
                {t('explore.showing', { shown: formatFull(events.length), total: formatFull(total) })}
              </span>
            ) : null}
            <span className="spacer" />
            <button
              type="button"
              className={live ? 'btn btn-live on' : 'btn btn-live'}
              aria-pressed={live}
              data-testid="live-tail"
              onClick={() => setLive((l) => !l)}
              title={t('explore.liveHint')}
            >
              <span className="live-dot" aria-hidden />
              {live ? (paused ? t('explore.livePaused') : t('explore.liveOn')) : t('explore.live')}
            </button>
            <ColumnPicker
              available={fieldNames}
              columns={columns}
              onChange={(cols) => setParams({ cols: cols.join(',') }, { replace: true })}
              onReset={() => setParams({ cols: null }, { replace: true })}
            />
            {search.data?.sql_where ? (
              <Link
                className="btn btn-small"
                data-testid="open-in-sql"
                to={withTime(`/sql?sql=${encodeURIComponent(`SELECT *\nFROM ${quoteIdent(dataset)}\nWHERE $__timeFilter\n  AND ${search.data.sql_where}\nORDER BY timestamp DESC\nLIMIT 100`)}`, range)}
              >
                {t('explore.openInSql')}
              </Link>
            ) : null}
          </header>
          {search.data && events.length === 0 && !search.loading ? (
            <EmptyState title={t('explore.noMatches')} testid="no-matches">
              <p>{t('explore.noMatchesHint')}</p>
            </EmptyState>
          ) : !search.data && search.loading ? (
            <div className="card-loading">
              <Spinner label={t('explore.searching')} />
            </div>
          ) : (
            <EventsTable
              events={events}
              columns={columns}
              expanded={expanded}
              onToggle={toggle}
              onScroll={(top) => setScrolled(top > 4)}
              onHoverChange={setHovering}
              traceRange={`from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`}
              traceLink={(id) => withTime(`/explore?dataset=${encodeURIComponent(dataset)}&q=${encodeURIComponent(`trace_id:${id}`)}`, range)}
            />
          )}
          {search.data && total > events.length && limit < MAX_EVENTS && !live ? (
            <div className="more">
              <button type="button" className="btn" onClick={() => setLimit(MAX_EVENTS)} data-testid="load-more">
                {t('explore.loadMore', { n: formatFull(Math.min(MAX_EVENTS, total)) })}
              </button>
            </div>
          ) : null}
        </section>
      </div>
    </div>
  );
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function buildHistogram(
  search: SearchResponse | undefined,
  byLevel: TimeseriesResponse | undefined,
): { x: number[]; series: ChartSeries[]; stepMs: number } | null {
  if (!search) return null;
  if (byLevel && byLevel.series.length > 0) {
    const xs = new Set<number>();
    for (const s of byLevel.series) for (const p of s.points) xs.add(p[0]);
    const x = [...xs].sort((a, b) => a - b);
    const idx = new Map(x.map((v, i) => [v, i]));
    const series = byLevel.series
      .map((s) => {
        const values: (number | null)[] = new Array(x.length).fill(0);
        for (const [ts, v] of s.points) values[idx.get(ts)!] = v ?? 0;
        const label = s.group === null || s.group === undefined ? '(none)' : String(s.group);
        return { label, values, color: seriesColor(label, 0) };
      })
      .sort((a, b) => levelRank(a.label) - levelRank(b.label));
    series.forEach((s, i) => (s.color = seriesColor(s.label, i)));
    return { x, series, stepMs: byLevel.bucket_seconds * 1000 };
  }
  const x = search.histogram.map((b) => nsToMs(b.start));
  return {
    x,
    series: [{ label: 'events', values: search.histogram.map((b) => b.count), color: 'var(--accent)' as string }],
    stepMs: search.bucket_seconds * 1000,
  };
}

function ColumnPicker({ available, columns, onChange, onReset }: { available: string[]; columns: string[]; onChange: (c: string[]) => void; onReset: () => void }) {
  const t = useT();
  const [filter, setFilter] = useState('');
  const list = available.filter((c) => c.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Popover label={t('explore.columns')} testid="columns-button" align="right" className="btn btn-small">
      {() => (
        <div className="column-picker" data-testid="column-picker">
          <input placeholder={t('explore.findField')} value={filter} onChange={(e) => setFilter(e.target.value)} autoFocus />
          <ul>
            {list.map((c) => (
              <li key={c}>
                <label>
                  <input
                    type="checkbox"
                    checked={columns.includes(c)}
                    onChange={(e) => onChange(e.target.checked ? [...columns, c] : columns.filter((x) => x !== c))}
                  />
                  {c}
                </label>
              </li>
            ))}
          </ul>
          <button type="button" className="btn btn-small" onClick={onReset}>
            {t('explore.resetColumns')}
          </button>
        </div>
      )}
    </Popover>
  );
}
