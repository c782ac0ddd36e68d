import { useMemo } from 'react';
import type { TraceSpan } from '../api/types';
import { CopyButton } from '../components/CopyButton';
import { useT } from '../i18n';
import { eventTimeMs, formatTimestamp } from '../time/range';
import { formatDurationNs, parseSpanEvents, spanAttributes, timeToNs } from './waterfall';

interface Props {
  span: TraceSpan;
  color: string;
  logCount: number;
  onShowLogs: () => void;
  onClose: () => void;
}

function statusClass(code: string): string {
  if (code === 'error') return 'level level-error';
  if (code === 'ok') return 'level level-info';
  return 'level';
}

export function SpanDetails({ span, color, logCount, onShowLogs, onClose }: Props) {
  const t = useT();
  const f = span.fields ?? {};
  const attrs = useMemo(() => spanAttributes(f), [f]);
  const events = useMemo(() => parseSpanEvents(f.events), [f.events]);
  const spanStartNs = timeToNs(f.timestamp);
  const startMs = eventTimeMs(f.timestamp);
  const status = String(f.status_code ?? (span.error ? 'error' : 'unset'));
  const statusMessage = f.status_message ? String(f.status_message) : '';

  return (
    <aside className="card span-details" data-testid="span-details" aria-label={t('trace.details')}>
      <header className="card-head">
        <span className="service-chip" style={{ borderColor: color }}>
          <span className="wf-dot" style={{ background: color }} aria-hidden />
          {span.service}
        </span>
        <h2 className="span-details-name" title={span.name}>{span.name}</h2>
        <span className="spacer" />
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')} data-testid="span-details-close">
          ✕
        </button>
      </header>
      <div className="span-details-body">
        {span.parent_missing ? <div className="warning-panel small">{t('trace.parentMissing')}</div> : null}
        {span.outside_parent ? <div className="warning-panel small">{t('trace.outsideParent')}</div> : null}
        <dl className="span-facts">
          <dt>{t('trace.kind')}</dt>
          <dd>{String(f.kind ?? '–')}</dd>
          <dt>{t('trace.status')}</dt>
          <dd>
            <span className={statusClass(status)} data-testid="span-status">{status}</span>
            {statusMessage ? <span className="span-status-msg"> {statusMessage}</span> : null}
          </dd>
          <dt>{t('trace.start')}</dt>
          <dd className="mono">{startMs === null ? '–' : formatTimestamp(startMs)}</dd>
          <dt>{t('trace.startOffset')}</dt>
          <dd className="mono">+{formatDurationNs(span.offset_ns)}</dd>
          <dt>{t('trace.duration')}</dt>
          <dd className="mono">{formatDurationNs(span.duration_ns)}</dd>
          <dt>{t('trace.selfTime')}</dt>
          <dd className="mono">{formatDurationNs(span.self_ns)}</dd>
          <dt>{t('trace.spanId')}</dt>
          <dd className="mono" data-testid="span-id">{span.span_id}</dd>
          {span.parent_span_id ? (
            <>
              <dt>{t('trace.parentId')}</dt>
              <dd className="mono">{span.parent_span_id}</dd>
            </>
          ) : null}
        </dl>
        {span.on_critical_path ? <div className="muted small">◆ {t('trace.onCriticalPath')}</div> : null}
        <div>
          <button type="button" className="btn btn-small" onClick={onShowLogs} data-testid="span-logs-link">
            {t('trace.logsOfSpan', { n: logCount })}
          </button>
        </div>

        <section>
          <h3 className="small-heading flush">{t('trace.events', { n: events.length })}</h3>
          {events.length === 0 ? (
            <p className="muted small">{t('trace.noEvents')}</p>
          ) : (
            <ul className="span-events" data-testid="span-events">
              {events.map((ev, k) => {
                const at = ev.timeNs !== null && spanStartNs !== null ? span.offset_ns + (ev.timeNs - spanStartNs) : null;
                const rest = Object.entries(ev.attributes).filter(([key]) => !(ev.exception && key.startsWith('exception.')));
                return (
                  <li key={k} className={ev.exception ? 'span-event exception' : 'span-event'}>
                    <div className="span-event-head">
                      <strong>{ev.exception ? t('trace.exception') : ev.name}</strong>
                      {at !== null ? <span className="muted small mono">+{formatDurationNs(at)}</span> : null}
                    </div>
                    {ev.exception ? (
                      <div className="exception" data-testid="span-exception">
                        <div>
                          <span className="mono exception-type">{ev.exception.type}</span>
                          {ev.exception.message ? <span>: {ev.exception.message}</span> : null}
                        </div>
                        {ev.exception.stacktrace ? <pre className="stacktrace">{ev.exception.stacktrace}</pre> : null}
                      </div>
                    ) : null}
                    {rest.length ? (
                      <table className="attr-table">
                        <tbody>
                          {rest.map(([key, v]) => (
                            <tr key={key}>
                              <th>{key}</th>
                              <td className="mono">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )}
        </section>

        <section>
          <div className="attr-head">
            <h3 className="small-heading flush">{t('trace.attributes', { n: attrs.length })}</h3>
            <CopyButton text={JSON.stringify(Object.fromEntries(attrs), null, 2)} testid="copy-attributes" />
          </div>
          <table className="attr-table" data-testid="span-attributes">
            <tbody>
              {attrs.map(([k, v]) => (
                <tr key={k}>
                  <th title={k}>{k}</th>
                  <td className="mono">
                    <span className="attr-value">{v}</span>
                    <CopyButton text={v} className="icon-btn attr-copy" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </aside>
  );
}
