import { lazy, Suspense, useMemo, useState } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useT, type MessageKey } from '../i18n';
import { useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { SortTh } from '../components/SortTh';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import {
  DEFAULT_TRAFFIC_SORT,
  filterTraffic,
  formatBytes,
  formatKrw,
  formatUsd,
  nextTrafficSort,
  sankeyData,
  sortTraffic,
  totalSavings,
  type Finding,
  type ImportStatus,
  type TrafficRow,
  type TrafficSort,
} from '../network/network';

const SankeyChart = lazy(() => import('../network/SankeyChart'));

const GATEWAY_TYPES = ['nat', 'endpoint', 'igw', 'tgw', 'local', ''] as const;

export default function NetworkPage() {
  const t = useT();
  usePageTitle(t('network.title'));
  const { resolved } = useTimeRange();
  const [params, setParams] = useSearchParams();
  const env = params.get('env') ?? '';
  const gateway = params.get('gateway_type') ?? 'nat';
  const [envDraft, setEnvDraft] = useState(env);
  const base = { from_ms: resolved.fromMs, to_ms: resolved.toMs, env: env || undefined, gateway_type: gateway || undefined };
  const deps = [resolved.fromMs, resolved.toMs, env, gateway];

  const byGateway = useAsync((s) => api.networkTraffic({ ...base, group_by: ['client_task', 'gateway'] }, s), deps);
  const byDestination = useAsync((s) => api.networkTraffic({ ...base, group_by: ['client_task', 'destination'] }, s), deps);
  const paths = useAsync((s) => api.networkTraffic({ ...base, group_by: ['client_task', 'gateway', 'gateway_type', 'destination'] }, s), deps);
  const findings = useAsync((s) => api.networkFindings({ from_ms: resolved.fromMs, to_ms: resolved.toMs, env: env || undefined }, s), [resolved.fromMs, resolved.toMs, env]);
  const sankey = useMemo(() => sankeyData(paths.data ?? []), [paths.data]);
  const savings = findings.data ? totalSavings(findings.data) : null;

  return (
    <div className="page network-page" data-testid="network-page">
      <section className="card">
        <header className="card-head">
          <h2>{t('network.title')}</h2>
          <form
            className="field-inline"
            onSubmit={(e) => {
              e.preventDefault();
              setParams({ env: envDraft.trim() || null });
            }}
          >
            <span className="muted small">{t('apm.env')}</span>
            <input
              data-testid="network-env"
              value={envDraft}
              placeholder="*-prod"
              onChange={(e) => setEnvDraft(e.target.value)}
              onBlur={() => setParams({ env: envDraft.trim() || null })}
              aria-label={t('network.envHint')}
              title={t('network.envHint')}
              size={10}
            />
          </form>
          <label className="field-inline">
            <span className="muted small">{t('network.gateway')}</span>
            <select data-testid="network-gateway-type" value={gateway} onChange={(e) => setParams({ gateway_type: e.target.value })} aria-label={t('network.gateway')}>
              {GATEWAY_TYPES.map((g) => (
                <option key={g} value={g}>
                  {g ? t(`network.gw.${g}` as MessageKey) : t('apm.allEnvs')}
                </option>
              ))}
            </select>
          </label>
          <span className="spacer" />
          {savings ? (
            <span className="network-savings" data-testid="network-total-savings">
              {t('network.savingsTotal', { usd: formatUsd(savings.usd), krw: formatKrw(savings.krw) })}
            </span>
          ) : null}
        </header>
        <p className="muted small">{t('network.intro')}</p>
      </section>

      <section className="card" aria-labelledby="findings-h">
        <header className="card-head">
          <h2 id="findings-h">{t('network.findings')}</h2>
          {findings.data ? <span className="muted small">{t('network.observed', { hours: findings.data.observed_hours.toFixed(0), prices: findings.data.prices })}</span> : null}
          {findings.loading ? <Spinner small /> : null}
        </header>
        {findings.error ? (
          <LoadError title={t('error.query')} error={findings.error} onRetry={findings.reload} testid="network-findings-error" />
        ) : !findings.data ? (
          <CardLoading />
        ) : findings.data.findings.length === 0 ? (
          <EmptyState title={t('network.noFindings')} testid="network-no-findings">
            <p>{t('network.emptyHint')}</p>
          </EmptyState>
        ) : (
          <ol className="findings" data-testid="network-findings">
            {findings.data.findings.map((f, i) => (
              <FindingItem key={`${f.kind}-${f.service ?? ''}-${i}`} finding={f} />
            ))}
          </ol>
        )}
      </section>

      <section className="card" aria-labelledby="flow-h">
        <header className="card-head">
          <h2 id="flow-h">{t('network.flow')}</h2>
          <span className="muted small">{t('network.flowHint')}</span>
          {paths.loading ? <Spinner small /> : null}
        </header>
        {paths.error ? (
          <LoadError title={t('error.query')} error={paths.error} onRetry={paths.reload} />
        ) : !paths.data ? (
          <CardLoading style={{ height: 420 }} />
        ) : sankey.links.length === 0 ? (
          <EmptyState title={t('network.noTraffic')}>
            <p>{t('network.emptyHint')}</p>
          </EmptyState>
        ) : (
          <Suspense fallback={<CardLoading style={{ height: 420 }} />}>
            <SankeyChart data={sankey} height={Math.max(320, Math.min(720, sankey.nodes.length * 22))} />
          </Suspense>
        )}
      </section>
      <div className="network-grid">
        <TrafficTable title={t('network.byGateway')} fields={['client_task', 'gateway']} labels={[t('network.clientTask'), t('network.gateway')]} state={byGateway} testid="network-by-gateway" />
        <TrafficTable title={t('network.byDestination')} fields={['client_task', 'destination']} labels={[t('network.clientTask'), t('network.destination')]} state={byDestination} testid="network-by-destination" />
      </div>

      <ImportCard />
    </div>
  );
}

/** What the importer read per kind, and each S3 source's progress. */
function ImportCard() {
  const t = useT();
  const status = useAsync<ImportStatus>((s) => api.importStatus(s), []);
  const d = status.data;
  return (
    <section className="card" aria-labelledby="import-h" data-testid="network-import">
      <header className="card-head">
        <h2 id="import-h">{t('network.imports')}</h2>
        {d ? <span className="muted small">{t('network.knowledge', { interfaces: d.interfaces, answers: d.dns_answers })}</span> : null}
        <span className="spacer" />
        <button type="button" className="btn" onClick={status.reload}>{t('network.refresh')}</button>
      </header>
      {status.error ? (
        <LoadError title={t('error.query')} error={status.error} onRetry={status.reload} />
      ) : !d ? (
        <CardLoading />
      ) : (
        <>
          {d.sources.length ? (
            <table className="table compact" data-testid="network-sources">
              <thead>
                <tr>
                  <th>{t('network.source')}</th>
                  <th className="right">{t('network.objects')}</th>
                  <th className="right">{t('network.records')}</th>
                  <th className="right">{t('network.rejected')}</th>
                  <th className="right">{t('network.changed')}</th>
                  <th>{t('network.lastPoll')}</th>
                </tr>
              </thead>
              <tbody>
                {d.sources.map((s) => (
                  <tr key={s.name} data-testid="network-source-row">
                    <td>
                      <strong>{s.name}</strong> <span className="muted small">{s.url}</span>
                      {s.last_error ? <div className="bad small">{s.last_error}</div> : null}
                      {s.problems.length ? (
                        <details>
                          <summary className="small">{t('network.problems', { n: s.problems.length })}</summary>
                          <ul className="small">{s.problems.slice(-10).map((p, i) => <li key={i}>{p}</li>)}</ul>
                        </details>
                      ) : null}
                    </td>
                    <td className="right">{s.objects_imported} / {s.objects_listed}</td>
                    <td className="right">{s.records.toLocaleString('en-US')}</td>
                    <td className="right">{s.rejected.toLocaleString('en-US')}</td>
                    <td className="right">{s.changed_objects}</td>
                    <td className="nowrap">{s.last_poll_ms ? new Date(s.last_poll_ms).toLocaleString() : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">{t('network.noSources')}</p>
          )}
          {Object.keys(d.kinds).length ? (
            <table className="table compact" data-testid="network-kinds">
              <thead>
                <tr>
                  <th>{t('network.kind')}</th>
                  <th className="right">{t('network.objects')}</th>
                  <th className="right">{t('network.records')}</th>
                  <th className="right">{t('network.rejected')}</th>
                  <th className="right">{t('network.bytes')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(d.kinds).map(([kind, k]) => (
                  <tr key={kind}>
                    <td>
                      {kind}
                      {k.recent.length ? (
                        <details>
                          <summary className="small">{t('network.problems', { n: k.recent.length })}</summary>
                          <ul className="small">
                            {k.recent.slice(-10).map((r, i) => (
                              <li key={i}>
                                {r.key}: {r.problem ?? ''} {r.rejected ? `${r.rejected} rejected${r.rejects[0] ? ` (line ${r.rejects[0].record}: ${r.rejects[0].reason})` : ''}` : ''}
                              </li>
                            ))}
                          </ul>
                        </details>
                      ) : null}
                    </td>
                    <td className="right">{k.objects}</td>
                    <td className="right">{k.records.toLocaleString('en-US')}</td>
                    <td className="right">{k.rejected.toLocaleString('en-US')}</td>
                    <td className="right">{formatBytes(k.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}

function FindingItem({ finding: f }: { finding: Finding }) {
  const t = useT();
  return (
    <li className="finding" data-testid="network-finding" data-kind={f.kind}>
      <div className="finding-head">
        <span className="finding-kind">{f.kind}</span>
        <strong>{f.title}</strong>
        <span className="spacer" />
        <span className="finding-savings" title={t('network.perMonth')}>
          {formatKrw(f.monthly_savings_krw)} <span className="muted">({formatUsd(f.monthly_savings_usd)})</span> {t('network.perMonthShort')}
        </span>
      </div>
      <p className="finding-fix">{f.fix}</p>
      {f.resources.length ? <p className="muted small">{f.resources.join(' · ')}</p> : null}
      <details>
        <summary className="small">{t('network.evidence', { n: f.evidence.length })}</summary>
        <table className="table compact">
          <tbody>
            {f.evidence.map((e, i) => (
              <tr key={i}>
                <td>{e.client_task ?? '–'}</td>
                <td>{e.gateway ?? '–'}</td>
                <td>{e.destination ?? '–'}</td>
                <td className="right">{formatBytes(e.bytes)}</td>
                <td className="right">{formatUsd(e.cost_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

function TrafficTable({
  title,
  fields,
  labels,
  state,
  testid,
}: {
  title: string;
  fields: [string, string];
  labels: [string, string];
  state: { data?: TrafficRow[]; error?: Error; loading: boolean; reload: () => void };
  testid: string;
}) {
  const t = useT();
  const [sort, setSort] = useState<TrafficSort>(DEFAULT_TRAFFIC_SORT);
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => sortTraffic(filterTraffic(state.data ?? [], filter), fields, sort), [state.data, filter, fields, sort]);
  const columns = [
    { key: 'first', label: labels[0], numeric: false },
    { key: 'second', label: labels[1], numeric: false },
    { key: 'bytes_sent', label: t('network.sent'), numeric: true },
    { key: 'bytes_received', label: t('network.received'), numeric: true },
    { key: 'bytes', label: t('network.total'), numeric: true },
    { key: 'cost_usd', label: t('network.cost'), numeric: true },
  ] as const;
  return (
    <section className="card" data-testid={testid}>
      <header className="card-head">
        <h2>{title}</h2>
        <input className="table-filter" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('network.filter')} aria-label={t('network.filter')} data-testid={`${testid}-filter`} />
        {state.loading ? <Spinner small /> : null}
      </header>
      {state.error ? (
        <LoadError title={t('error.query')} error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <CardLoading />
      ) : rows.length === 0 ? (
        <EmptyState title={t('network.noTraffic')}>
          <p>{t('network.emptyHint')}</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <SortTh key={c.key} col={c.key} label={c.label} numeric={c.numeric} sort={sort} onSort={(k) => setSort((s) => nextTrafficSort(s, k))} testid={`${testid}-sort-${c.key}`} />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.group[fields[0]] ?? ''}\u0000${r.group[fields[1]] ?? ''}`} data-testid={`${testid}-row`}>
                  <td className="nowrap">{r.group[fields[0]] ?? '–'}</td>
                  <td className="wrap-anywhere">{r.group[fields[1]] ?? '–'}</td>
                  <td className="right nowrap">{formatBytes(r.bytes_sent)}</td>
                  <td className="right nowrap">{formatBytes(r.bytes_received)}</td>
                  <td className="right nowrap">{formatBytes(r.bytes)}</td>
                  <td className="right nowrap">{formatUsd(r.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
