import type { Event } from '../api/types';
import { DataGrid, type GridColumn } from '../components/DataGrid';
import { JsonView } from '../components/JsonView';
import { useT } from '../i18n';
import { Link } from '../router';
import { eventTimeMs, formatTimestamp } from '../time/range';
import { cellText, columnWidth } from './columns';

export interface KeyedEvent {
  key: string;
  ev: Event;
}

interface Props {
  events: KeyedEvent[];
  columns: string[];
  expanded: Set<string>;
  onToggle: (key: string) => void;
  onScroll?: (top: number) => void;
  onHoverChange?: (h: boolean) => void;
  /** Link builder for "show all events of this trace". */
  traceLink?: (traceId: string) => string;
  /** URL query (`from=..&to=..`) carried over to the trace page. */
  traceRange?: string;
}

function traceUrl(traceId: string, range?: string): string {
  return `/traces/${encodeURIComponent(traceId)}${range ? `?${range}` : ''}`;
}

function levelClass(level: unknown): string {
  const l = String(level ?? '').toLowerCase();
  if (l.startsWith('err') || l === 'fatal' || l === 'critical') return 'level level-error';
  if (l.startsWith('warn')) return 'level level-warn';
  if (l === 'info') return 'level level-info';
  if (l === 'debug' || l === 'trace') return 'level level-debug';
  return 'level';
}

export function EventsTable({ events, columns, expanded, onToggle, onScroll, onHoverChange, traceLink, traceRange }: Props) {
  const t = useT();
  const cols: GridColumn<KeyedEvent>[] = [
    {
      id: '__toggle',
      label: '',
      width: '26px',
      render: (r) => <span className="row-caret" aria-hidden>{expanded.has(r.key) ? '▾' : '▸'}</span>,
    },
    ...columns.map<GridColumn<KeyedEvent>>((c) => ({
      id: c,
      label: c,
      width: columnWidth(c),
      align: typeof events[0]?.ev[c] === 'number' ? 'right' : 'left',
      render: (r) => {
        const v = r.ev[c];
        if (c === 'timestamp') {
          const ms = eventTimeMs(v);
          return <time className="mono">{ms === null ? cellText(v) : formatTimestamp(ms)}</time>;
        }
        if (c === 'level' || c === 'status_code') return v === undefined || v === null ? null : <span className={levelClass(v)}>{String(v)}</span>;
        const text = cellText(v, c);
        return <span title={text.length > 60 ? text.slice(0, 2000) : undefined}>{text}</span>;
      },
    })),
  ];
  if (events.some((e) => typeof e.ev.trace_id === 'string' && e.ev.trace_id)) {
    cols.push({
      id: '__trace',
      label: '',
      width: '112px',
      render: (r) =>
        typeof r.ev.trace_id === 'string' && r.ev.trace_id ? (
          <Link className="btn btn-small view-trace" to={traceUrl(r.ev.trace_id, traceRange)} data-testid="view-trace" onClick={(e) => e.stopPropagation()}>
            {t('trace.viewTrace')}
          </Link>
        ) : null,
    });
  }
  return (
    <DataGrid
      rows={events}
      columns={cols}
      rowKey={(r) => r.key}
      expanded={expanded}
      onToggle={onToggle}
      testid="events-table"
      rowTestid="event-row"
      ariaLabel={t('explore.events')}
      onScroll={onScroll}
      onHoverChange={onHoverChange}
      rowClass={(r) => (String(r.ev.level ?? r.ev.status_code ?? '').toLowerCase().startsWith('err') ? 'row-error' : '')}
      renderExpanded={(r) => (
        <div className="event-detail">
          {typeof r.ev.trace_id === 'string' && r.ev.trace_id ? (
            <div className="event-actions">
              {traceLink ? (
                <Link className="btn btn-small" to={traceLink(r.ev.trace_id)}>
                  {t('explore.sameTrace')}
                </Link>
              ) : null}
              <Link className="btn btn-small" to={traceUrl(r.ev.trace_id, traceRange)} data-testid="view-trace">
                {t('trace.viewTrace')}
              </Link>
            </div>
          ) : null}
          <JsonView value={r.ev} />
        </div>
      )}
    />
  );
}
