import { useRef, type ReactNode, type UIEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface GridColumn<R> {
  id: string;
  label: ReactNode;
  /** A CSS grid track, e.g. `180px` or `minmax(240px, 1fr)`. */
  width: string;
  render: (row: R, index: number) => ReactNode;
  align?: 'left' | 'right';
}

interface Props<R> {
  rows: R[];
  columns: GridColumn<R>[];
  rowKey: (row: R, index: number) => string;
  /** Keys of expanded rows; with renderExpanded rows toggle on click. */
  expanded?: Set<string>;
  onToggle?: (key: string) => void;
  renderExpanded?: (row: R) => ReactNode;
  rowClass?: (row: R) => string;
  testid?: string;
  rowTestid?: string;
  onScroll?: (scrollTop: number) => void;
  onHoverChange?: (hovering: boolean) => void;
  className?: string;
  ariaLabel?: string;
}

/** A virtualized table: only the visible rows are in the DOM. */
export function DataGrid<R>({
  rows,
  columns,
  rowKey,
  expanded,
  onToggle,
  renderExpanded,
  rowClass,
  testid,
  rowTestid = 'grid-row',
  onScroll,
  onHoverChange,
  className,
  ariaLabel,
}: Props<R>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 30,
    overscan: 12,
    getItemKey: (i) => rowKey(rows[i], i),
  });
  const template = columns.map((c) => c.width).join(' ');
  const items = virtualizer.getVirtualItems();

  return (
    <div
      className={`grid-scroll ${className ?? ''}`}
      ref={scrollRef}
      data-testid={testid}
      role="table"
      aria-label={ariaLabel}
      aria-rowcount={rows.length}
      onScroll={(e: UIEvent<HTMLDivElement>) => onScroll?.(e.currentTarget.scrollTop)}
      onMouseEnter={() => onHoverChange?.(true)}
      onMouseLeave={() => onHoverChange?.(false)}
    >
      <div className="grid-header" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.id} role="columnheader" className={c.align === 'right' ? 'cell right' : 'cell'}>
            {c.label}
          </div>
        ))}
      </div>
      <div className="grid-body" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = rows[item.index];
          const key = String(item.key);
          const isOpen = expanded?.has(key) ?? false;
          return (
            <div
              key={key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`grid-row-wrap ${isOpen ? 'open' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
            >
              <div
                role="row"
                data-testid={rowTestid}
                className={`grid-row ${rowClass?.(row) ?? ''} ${onToggle ? 'clickable' : ''}`}
                style={{ gridTemplateColumns: template }}
                aria-expanded={onToggle ? isOpen : undefined}
                tabIndex={onToggle ? 0 : undefined}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('button, a, input')) return;
                  if (window.getSelection()?.toString()) return;
                  onToggle?.(key);
                }}
                onKeyDown={(e) => {
                  if (onToggle && (e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget) {
                    e.preventDefault();
                    onToggle(key);
                  }
                }}
              >
                {columns.map((c) => (
                  <div key={c.id} role="cell" className={c.align === 'right' ? 'cell right' : 'cell'}>
                    {c.render(row, item.index)}
                  </div>
                ))}
              </div>
              {isOpen && renderExpanded ? <div className="grid-expanded">{renderExpanded(row)}</div> : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}
