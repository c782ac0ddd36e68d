import { lazy, Suspense, useMemo } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/useAsync';
import { useI18n } from '../i18n';
import { Link, useNavigate, useSearchParams } from '../router';
import { useTimeRange } from '../time/context';
import { usePageTitle } from '../components/PageTitle';
import { EnvSelect } from '../components/EnvSelect';
import { CardLoading, EmptyState, LoadError, Spinner } from '../components/Status';
import { formatCompact, formatFull } from '../charts/format';
import { useTheme } from '../theme';
import { envsOf, errorRateClass, formatMs, formatPerSec, formatRate, withSelectedEnv } from '../apm/services';
import { serviceUrl, type PeerKind } from '../apm/service';
import { buildGraph, clickableService, edgeRows, KIND_COLORS, MAP_ERROR_THRESHOLD, type ServiceMapResponse } from '../apm/map';
import { KIND_LABEL, PeerKindLabel } from '../apm/PeerKindIcon';
import type { MapLayout } from '../apm/MapChart';

const MapChart = lazy(() => import('../apm/MapChart'));

export default function ServiceMapPage() {
  const { t } = useI18n();
  usePageTitle(t('map.title'));
  const { range, resolved } = useTimeRange();
  const { theme } = useTheme();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const env = params.get('env') ?? '';
  const layout: MapLayout = params.get('layout') === 'circular' ? 'circular' : 'force';

  const res = useAsync<ServiceMapResponse>((s) => api.serviceMap({ from_ms: resolved.fromMs, to_ms: resolved.toMs, env: env || undefined }, s), [env, resolved.fromMs, resolved.toMs]);
  const catalog = useAsync((s) => api.apmServices({ from_ms: resolved.fromMs, to_ms: resolved.toMs }, s).catch(() => null), [resolved.fromMs, resolved.toMs]);
  const envs = useMemo(() => withSelectedEnv(envsOf(catalog.data?.services ?? []), env), [catalog.data, env]);

  const graph = useMemo(() => {
    if (!res.data) return null;
    return buildGraph(
      res.data,
      { requests: t('apm.requests'), errorRate: t('apm.errorRate'), p95: t('apm.p95'), kind: (k: PeerKind) => t(KIND_LABEL[k]), virtual: t('map.virtual') },
      { background: theme === 'dark' ? '#121824' : '#ffffff', edgeColor: theme === 'dark' ? '#64748b' : '#94a3b8' },
    );
  }, [res.data, t, theme]);
  const edges = useMemo(() => (res.data ? edgeRows(res.data) : []), [res.data]);
  const nodesById = useMemo(() => new Map((res.data?.nodes ?? []).map((n) => [n.id, n])), [res.data]);

  const openNode = (id: string) => {
    const svc = clickableService(nodesById.get(id));
    if (svc) navigate(serviceUrl(svc, { env: env || null, range }));
  };
  const nodeLink = (id: string, name: string, kind: PeerKind) => {
    const svc = clickableService(nodesById.get(id));
    return svc ? <Link to={serviceUrl(svc, { env: env || null, range })} className="service-link">{name}</Link> : <span className={kind === 'service' ? '' : 'mono'}>{name}</span>;
  };

  return (
    <div className="page map-page" data-testid="service-map-page">
      <section className="card">
        <header className="card-head">
          <h2>{t('map.title')}</h2>
          <EnvSelect value={env} envs={envs} onChange={(v) => setParams({ env: v || null })} testid="map-env-select" />
          <div className="segmented" role="group" aria-label={t('map.layout')}>
            <button type="button" className={layout === 'force' ? 'active' : ''} aria-pressed={layout === 'force'} onClick={() => setParams({ layout: null }, { replace: true })} data-testid="map-layout-force">
              {t('map.force')}
            </button>
            <button type="button" className={layout === 'circular' ? 'active' : ''} aria-pressed={layout === 'circular'} onClick={() => setParams({ layout: 'circular' }, { replace: true })} data-testid="map-layout-circular">
              {t('map.circular')}
            </button>
          </div>
          <span className="spacer" />
          {res.loading && res.data ? <Spinner small /> : null}
          {res.data ? (
            <span className="muted small" data-testid="map-summary">
              {t('map.summary', { nodes: formatFull(res.data.nodes?.length ?? 0), edges: formatFull(res.data.edges?.length ?? 0), ms: formatFull(Math.round(res.data.elapsed_ms)) })}
            </span>
          ) : null}
        </header>
        {res.error ? (
          <LoadError title={t('map.loadFailed')} error={res.error} onRetry={res.reload} testid="map-error" />
        ) : !res.data || !graph ? (
          <CardLoading />
        ) : graph.nodes.length === 0 ? (
          <EmptyState title={t('map.empty')} testid="map-empty">
            <p>{t('map.emptyHint')}</p>
          </EmptyState>
        ) : (
          <>
            <div className="map-legend" aria-hidden>
              {(['service', 'database', 'queue', 'external'] as PeerKind[]).map((k) => (
                <PeerKindLabel key={k} kind={k} />
              ))}
              <span className="legend-item"><span className="legend-swatch dashed" /> {t('map.virtual')}</span>
              <span className="legend-item"><span className="legend-swatch" style={{ borderColor: '#ef4444', background: 'rgba(239,68,68,0.25)' }} /> {t('map.errorsAbove', { pct: `${MAP_ERROR_THRESHOLD * 100}%` })}</span>
              <span className="spacer" />
              <span className="muted small">{t('map.hint')}</span>
            </div>
            <Suspense fallback={<CardLoading style={{ height: 620 }} />}>
              <MapChart graph={graph} layout={layout} height={620} onNodeClick={openNode} />
            </Suspense>
          </>
        )}
      </section>

      {res.data && edges.length > 0 ? (
        <section className="card">
          <header className="card-head">
            <h2>{t('map.edges')}</h2>
            <span className="muted small">{formatFull(edges.length)}</span>
          </header>
          <div className="table-scroll">
            <table className="table apm-table" data-testid="map-edges-table">
              <caption className="sr-only">{t('map.edges')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('map.source')}</th>
                  <th scope="col">{t('map.target')}</th>
                  <th scope="col" className="right">{t('apm.requests')}</th>
                  <th scope="col" className="right">{t('apm.ratePerSec')}</th>
                  <th scope="col" className="right">{t('apm.errorRate')}</th>
                  <th scope="col" className="right">{t('apm.p95')}</th>
                </tr>
              </thead>
              <tbody>
                {edges.map((e) => (
                  <tr key={`${e.source}\u0000${e.target}`} data-testid="map-edge-row" data-source={e.source} data-target={e.target}>
                    <td className="nowrap">
                      <span className="edge-end"><span className="kind-dot" style={{ background: KIND_COLORS[e.sourceKind] }} aria-hidden />{nodeLink(e.source, e.sourceName, e.sourceKind)}</span>
                    </td>
                    <td className="nowrap">
                      <span className="edge-end"><span className="kind-dot" style={{ background: KIND_COLORS[e.targetKind] }} aria-hidden />{nodeLink(e.target, e.targetName, e.targetKind)}<span className="sr-only"> ({t(KIND_LABEL[e.targetKind])})</span></span>
                    </td>
                    <td className="right" title={formatFull(e.requests)}>{formatCompact(e.requests)}</td>
                    <td className="right">{formatPerSec(e.rate_per_s)}</td>
                    <td className="right"><span className={`apm-rate ${errorRateClass(e.error_rate)}`}>{formatRate(e.error_rate)}</span></td>
                    <td className="right nowrap">{formatMs(e.p95_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
