import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage, isAbort } from '../api/client';
import { useAsync } from '../api/useAsync';
import type { SqlResponse } from '../api/types';
import { useT, type MessageKey } from '../i18n';
import { useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { CardLoading, EmptyState, ErrorPanel, Spinner } from '../components/Status';
import { DataGrid, type GridColumn } from '../components/DataGrid';
import SqlEditor from '../sql/SqlEditor';
import { chartData, rowsAsArrays } from '../sql/result';
import { formatElapsed, formatFull } from '../charts/format';

const ResultChart = lazy(() => import('../sql/ResultChart'));

const STORAGE_KEY = 'hannun.sql';

export const EXAMPLES: { key: MessageKey; sql: string }[] = [
  {
    key: 'sql.exErrorsByService',
    sql: `SELECT service, count(*) AS errors
FROM logs
WHERE $__timeFilter AND level = 'error'
GROUP BY service
ORDER BY errors DESC`,
  },
  {
    key: 'sql.exVolume',
    sql: `SELECT date_bin($__interval, timestamp) AS time, level, count(*) AS events
FROM logs
WHERE $__timeFilter
GROUP BY 1, 2
ORDER BY 1`,
  },
  {
    key: 'sql.exSlowRoutes',
    sql: `SELECT "http.route" AS route,
       count(*) AS requests,
       approx_percentile_cont(duration_ms, 0.95) AS p95_ms
FROM logs
WHERE $__timeFilter AND "http.route" IS NOT NULL
GROUP BY 1
ORDER BY p95_ms DESC
LIMIT 10`,
  },
  {
    key: 'sql.exUsers',
    sql: `SELECT "usr.id" AS user_id, count(*) AS errors, max(timestamp) AS last_seen
FROM logs
WHERE $__timeFilter AND level = 'error' AND "usr.id" IS NOT NULL
GROUP BY 1
ORDER BY errors DESC
LIMIT 20`,
  },
  {
    key: 'sql.exRecent',
    sql: `SELECT timestamp, service, level, body
FROM logs
WHERE $__timeFilter
ORDER BY timestamp DESC
LIMIT 50`,
  },
];

function initialSql(param: string | null): string {
  if (param) return param;
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved) return saved;
  } catch {
    /* ignore */
  }
  return EXAMPLES[0].sql;
}

export default function Sql() {
  const t = useT();
  usePageTitle(t('sql.title'));
  const [params] = useSearchParams();
  const { resolved } = useTimeRange();
  const [sql, setSql] = useState(() => initialSql(params.get('sql')));
  const [result, setResult] = useState<SqlResponse | null>(null);
  const [error, setError] = useState<string>('');
  const [running, setRunning] = useState(false);
  const [view, setView] = useState<'table' | 'chart'>('table');
  const abortRef = useRef<AbortController | null>(null);
  const sqlRef = useRef(sql);
  sqlRef.current = sql;

  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, sql);
    } catch {
      /* ignore */
    }
  }, [sql]);

  // Table and column names for editor autocomplete.
  const schema = useAsync(async (s) => {
    const ds = await api.datasets(s);
    const infos = await Promise.all(ds.map((d) => api.dataset(d.name, s).catch(() => null)));
    const out: Record<string, string[]> = {};
    for (const i of infos) if (i) out[i.name] = i.columns.map((c) => c.name);
    return out;
  }, []);

  const run = async () => {
    abortRef.current?.abort();
    const ac = new AbortController();
    abortRef.current = ac;
    setRunning(true);
    setError('');
    try {
      const r = await api.sql({ sql: sqlRef.current, from_ms: resolved.fromMs, to_ms: resolved.toMs }, ac.signal);
      setResult(r);
    } catch (e) {
      if (isAbort(e)) return;
      setError(errorMessage(e));
    } finally {
      if (abortRef.current === ac) setRunning(false);
    }
  };
  const cancel = () => {
    abortRef.current?.abort();
    setRunning(false);
  };

  const rows = useMemo(() => (result ? rowsAsArrays(result) : []), [result]);
  const chart = useMemo(() => (result ? chartData(result) : null), [result]);
  const columns: GridColumn<unknown[]>[] = useMemo(
    () =>
      (result?.columns ?? []).map((c, i) => ({
        id: `${i}`,
        label: (
          <span title={c.type}>
            {c.name} <span className="col-type">{shortType(c.type)}</span>
          </span>
        ),
        width: /utf8|string/i.test(c.type) ? 'minmax(160px, 1fr)' : 'minmax(110px, 200px)',
        align: /int|float|decimal/i.test(c.type) ? 'right' : 'left',
        render: (r: unknown[]) => cell(r[i]),
      })),
    [result],
  );

  return (
    <div className="page sql-page" data-testid="sql-page">
      <div className="sql-layout">
        <section className="card sql-editor-card">
          <header className="card-head">
            <h2>{t('sql.query')}</h2>
            <span className="muted small">{t('sql.hint')}</span>
            <span className="spacer" />
            {running ? (
              <button type="button" className="btn" onClick={cancel} data-testid="sql-cancel">
                {t('common.cancel')}
              </button>
            ) : null}
            <button type="button" className="btn btn-primary" onClick={run} disabled={running} data-testid="sql-run">
              {running ? t('sql.running') : t('sql.run')} <kbd>Ctrl ⏎</kbd>
            </button>
          </header>
          <SqlEditor value={sql} onChange={setSql} onRun={run} schema={schema.data} ariaLabel={t('sql.query')} placeholder="SELECT …" />
          <p className="muted small macro-help">{t('sql.macros')}</p>
        </section>
        <aside className="card sql-examples">
          <header className="card-head">
            <h2>{t('sql.examples')}</h2>
          </header>
          <ul>
            {EXAMPLES.map((ex) => (
              <li key={ex.key}>
                <button type="button" className="link-button" data-testid="sql-example" onClick={() => setSql(ex.sql)}>
                  {t(ex.key)}
                </button>
              </li>
            ))}
          </ul>
          {schema.data ? (
            <>
              <h3 className="small-heading">{t('sql.tables')}</h3>
              <ul className="table-list">
                {Object.entries(schema.data).map(([name, cols]) => (
                  <li key={name}>
                    <code>{name}</code> <span className="muted small">{t('sql.columnsCount', { n: cols.length })}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </aside>
      </div>

      {error ? <ErrorPanel title={t('sql.failed')} message={error} testid="sql-error" /> : null}

      <section className="card sql-results">
        <header className="card-head">
          <h2>{t('sql.results')}</h2>
          {running ? <Spinner small label={t('sql.running')} /> : null}
          {result ? (
            <span className="muted small" data-testid="sql-stats">
              {t('sql.stats', { rows: formatFull(result.rows.length), time: formatElapsed(result.elapsed_ms) })}
            </span>
          ) : null}
          <span className="spacer" />
          <div className="segmented" role="tablist">
            <button type="button" role="tab" aria-selected={view === 'table'} className={view === 'table' ? 'active' : ''} onClick={() => setView('table')} data-testid="sql-view-table">
              {t('sql.table')}
            </button>
            <button type="button" role="tab" aria-selected={view === 'chart'} className={view === 'chart' ? 'active' : ''} onClick={() => setView('chart')} data-testid="sql-view-chart">
              {t('sql.chart')}
            </button>
          </div>
        </header>
        {!result ? (
          <EmptyState title={t('sql.noResultYet')}>
            <p>{t('sql.noResultHint')}</p>
          </EmptyState>
        ) : result.rows.length === 0 ? (
          <EmptyState title={t('sql.noRows')} testid="sql-empty">
            <p>{t('sql.noRowsHint')}</p>
          </EmptyState>
        ) : view === 'table' ? (
          <DataGrid rows={rows} columns={columns} rowKey={(_r, i) => String(i)} testid="sql-table" rowTestid="sql-row" className="sql-grid" />
        ) : chart ? (
          <Suspense fallback={<CardLoading />}>
            <ResultChart data={chart} />
          </Suspense>
        ) : (
          <EmptyState title={t('sql.noChart')} testid="sql-no-chart">
            <p>{t('sql.noChartHint')}</p>
          </EmptyState>
        )}
      </section>
    </div>
  );
}

function shortType(type: string): string {
  if (/^Timestamp/.test(type)) return 'time';
  return type.replace(/\(.*\)/, '').toLowerCase();
}

function cell(v: unknown) {
  if (v === null || v === undefined) return <span className="muted">null</span>;
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number') return formatFull(v);
  return String(v);
}
