import { formatCompact, formatFull } from '../charts/format';
import { apdexClass, errorRateClass, formatApdex, formatMs, formatPerSec, formatRate, type RedCounts, type RedSummary } from '../apm/services';

/** An error rate, red above 1%, with "errors / requests" as its tooltip. */
export function ErrorRate({ row }: { row: Pick<RedCounts, 'requests' | 'errors' | 'error_rate'> }) {
  return (
    <span className={`apm-rate ${errorRateClass(row.error_rate)}`} title={`${formatFull(row.errors)} / ${formatFull(row.requests)}`}>{formatRate(row.error_rate)}</span>
  );
}

/** The RED cells of an APM table row: requests, rate, error rate, p50, p95, p99, Apdex. */
export function RedCells({ row, requestsTestid }: { row: RedSummary; requestsTestid?: string }) {
  return (
    <>
      <td className="right" title={formatFull(row.requests)} data-testid={requestsTestid}>{formatCompact(row.requests)}</td>
      <td className="right">{formatPerSec(row.rate_per_s)}</td>
      <td className="right"><ErrorRate row={row} /></td>
      <td className="right nowrap">{formatMs(row.p50_ms)}</td>
      <td className="right nowrap">{formatMs(row.p95_ms)}</td>
      <td className="right nowrap">{formatMs(row.p99_ms)}</td>
      <td className="right"><span className={`apdex-badge ${apdexClass(row.apdex)}`}>{formatApdex(row.apdex)}</span></td>
    </>
  );
}
