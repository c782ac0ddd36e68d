import { useEffect, useMemo, useRef, type CSSProperties } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TraceSpan } from '../api/types';
import { useT } from '../i18n';
import { axisTicks, descendantCounts, formatDurationNs, visibleSpans } from './waterfall';

/** Above this many rows only the visible ones are in the DOM. */
const VIRTUALIZE_ABOVE = 500;
const ROW_H = 28;

interface Props {
  spans: TraceSpan[];
  roots: number[];
  durationNs: number;
  colors: Map<string, string>;
  collapsed: ReadonlySet<number>;
  onToggle: (index: number) => void;
  selected: number | null;
  onSelect: (index: number) => void;
  critical: boolean;
  /** Scrolls this span's row into view (a new object each time it should). */
  reveal?: { index: number } | null;
}

export function Waterfall({ spans, roots, durationNs, colors, collapsed, onToggle, selected, onSelect, critical, reveal }: Props) {
  const t = useT();
  const rows = useMemo(() => visibleSpans(spans, roots, collapsed), [spans, roots, collapsed]);
  const below = useMemo(() => descendantCounts(spans), [spans]);
  const ticks = useMemo(() => axisTicks(durationNs, 6), [durationNs]);
  const total = durationNs > 0 ? durationNs : 1;
  const pct = (ns: number) => Math.min(100, Math.max(0, (ns / total) * 100));
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
    enabled: virtual,
  });
  const bodyRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!reveal) return;
    const pos = rows.indexOf(reveal.index);
    if (pos < 0) return;
    if (virtual) virtualizer.scrollToIndex(pos, { align: 'center' });
    else bodyRef.current?.querySelectorAll<HTMLElement>('[data-testid="waterfall-row"]')[pos]?.scrollIntoView({ block: 'nearest' });
    // Only a new reveal request scrolls, not later changes of the rows.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reveal]);

  const grid = (
    <div className="wf-gridlines" aria-hidden>
      {ticks.map((v) => (
        <span key={v} style={{ left: `${pct(v)}%` }} />
      ))}
    </div>
  );

  const renderRow = (i: number, style?: CSSProperties) => {
    const s = spans[i];
    const hasChildren = (s.children?.length ?? 0) > 0;
    const isCollapsed = collapsed.has(i);
    const left = pct(s.offset_ns);
    const width = pct(s.duration_ns);
    const end = left + width;
    const color = colors.get(s.service) ?? 'var(--accent)';
    const cls = ['wf-row', selected === i ? 'selected' : '', s.error ? 'error' : '', critical ? (s.on_critical_path ? 'critical' : 'dim') : ''].join(' ');
    return (
      <div
        key={i}
        className={cls}
        style={style}
        role="row"
        tabIndex={0}
        aria-selected={selected === i}
        data-testid="waterfall-row"
        data-span-id={s.span_id}
        onClick={(e) => {
          if ((e.target as HTMLElement).closest('button')) return;
          onSelect(i);
        }}
        onKeyDown={(e) => {
          if (e.target !== e.currentTarget) return;
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onSelect(i);
          } else if ((e.key === 'ArrowLeft' && hasChildren && !isCollapsed) || (e.key === 'ArrowRight' && isCollapsed)) {
            e.preventDefault();
            onToggle(i);
          }
        }}
      >
        <div className="wf-name" role="cell" style={{ paddingLeft: 6 + Math.min(s.depth, 30) * 14 }} title={`${s.service} · ${s.name}`}>
          {hasChildren ? (
            <button
              type="button"
              className="wf-toggle"
              data-testid="span-toggle"
              aria-expanded={!isCollapsed}
              aria-label={t('trace.toggleChildren', { n: below[i] })}
              title={t('trace.toggleChildren', { n: below[i] })}
              onClick={() => onToggle(i)}
            >
              {isCollapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="wf-toggle-space" />
          )}
          <span className="wf-dot" style={{ background: color }} aria-hidden />
          <span className="wf-service">{s.service}</span>
          <span className="wf-span-name">{s.name}</span>
          {s.error ? <span className="wf-err" aria-label={t('trace.errors')}>!</span> : null}
          {isCollapsed && below[i] > 0 ? <span className="wf-hidden muted small">{t('trace.hiddenChildren', { n: below[i] })}</span> : null}
        </div>
        <div className="wf-track" role="cell">
          <div
            className="wf-bar"
            style={{ left: `${left}%`, width: `max(2px, ${width}%)`, background: s.error ? 'var(--bad)' : color }}
          />
          <span className="wf-dur" style={{ left: `calc(${end}% + 4px)` }}>
            {formatDurationNs(s.duration_ns)}
          </span>
        </div>
      </div>
    );
  };

  return (
    <div className={virtual ? 'waterfall virtual' : 'waterfall'} data-testid="waterfall" role="table" aria-label={t('trace.waterfall')} aria-rowcount={rows.length}>
      <div className="wf-head" role="row">
        <div className="wf-name" role="columnheader">{t('trace.spanColumn')}</div>
        <div className="wf-axis" role="columnheader" data-testid="waterfall-axis">
          {ticks.map((v, k) => (
            <span key={v} className={k === 0 ? 'wf-tick first' : pct(v) > 94 ? 'wf-tick last' : 'wf-tick'} style={{ left: `${pct(v)}%` }}>
              {formatDurationNs(v)}
            </span>
          ))}
        </div>
      </div>
      {virtual ? (
        <div className="wf-scroll" ref={scrollRef}>
          <div className="wf-body" style={{ height: virtualizer.getTotalSize() }}>
            {grid}
            {virtualizer.getVirtualItems().map((item) =>
              renderRow(rows[item.index], { position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }),
            )}
          </div>
        </div>
      ) : (
        <div className="wf-body" ref={bodyRef}>
          {grid}
          {rows.map((i) => renderRow(i))}
        </div>
      )}
    </div>
  );
}
