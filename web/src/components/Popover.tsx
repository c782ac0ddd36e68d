import { useEffect, useRef, useState, type ReactNode } from 'react';

/** A button that opens a popover; closes on outside click and Escape. */
export function Popover({
  label,
  children,
  testid,
  align = 'left',
  className,
  title,
}: {
  label: ReactNode;
  children: (close: () => void) => ReactNode;
  testid?: string;
  align?: 'left' | 'right';
  className?: string;
  title?: string;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="popover-anchor" ref={ref}>
      <button type="button" className={className ?? 'btn'} data-testid={testid} aria-expanded={open} onClick={() => setOpen((o) => !o)} title={title}>
        {label}
      </button>
      {open ? <div className={`popover ${align === 'right' ? 'right' : ''}`}>{children(() => setOpen(false))}</div> : null}
    </div>
  );
}
