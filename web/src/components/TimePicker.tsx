import { useEffect, useRef, useState } from 'react';
import { useT, type MessageKey } from '../i18n';
import { useTimeRange } from '../time/context';
import { PRESETS, absoluteRange, formatTime, fromLocalInput, presetOf, toLocalInput } from '../time/range';

const PRESET_KEYS: Record<string, MessageKey> = {
  '15m': 'time.last15m',
  '1h': 'time.last1h',
  '4h': 'time.last4h',
  '24h': 'time.last24h',
  '7d': 'time.last7d',
};

export function TimePicker() {
  const t = useT();
  const { range, resolved, setRange, refresh } = useTimeRange();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const preset = presetOf(range);

  useEffect(() => {
    if (!open) return;
    setFrom(toLocalInput(resolved.fromMs));
    setTo(toLocalInput(resolved.toMs));
    setError('');
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
  }, [open, resolved.fromMs, resolved.toMs]);

  const label = preset
    ? PRESET_KEYS[preset]
      ? t(PRESET_KEYS[preset])
      : t('time.lastN', { n: preset })
    : `${formatTime(resolved.fromMs, false)} → ${formatTime(resolved.toMs, false)}`;

  const apply = () => {
    const f = fromLocalInput(from);
    const tt = fromLocalInput(to);
    if (f === null || tt === null) return setError(t('time.invalid'));
    if (f >= tt) return setError(t('time.fromBeforeTo'));
    setRange(absoluteRange(f, tt));
    setOpen(false);
  };

  return (
    <div className="time-picker" ref={ref}>
      <button
        type="button"
        className="btn time-button"
        data-testid="time-picker"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title={`${formatTime(resolved.fromMs)} → ${formatTime(resolved.toMs)}`}
      >
        <svg viewBox="0 0 24 24" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden><circle cx="12" cy="12" r="9" /><path d="M12 7v5l3 2" /></svg>
        <span data-testid="time-label">{label}</span>
        <span aria-hidden className="caret">▾</span>
      </button>
      <button type="button" className="btn btn-icon" onClick={refresh} title={t('time.refresh')} aria-label={t('time.refresh')} data-testid="time-refresh">
        <svg viewBox="0 0 24 24" width="15" height="15" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden><path d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7" /></svg>
      </button>
      {open ? (
        <div className="popover time-popover" role="dialog" aria-label={t('time.title')}>
          <div className="time-presets">
            <div className="popover-heading">{t('time.relative')}</div>
            {PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className={preset === p ? 'preset active' : 'preset'}
                data-testid={`time-preset-${p}`}
                onClick={() => {
                  setRange({ from: `now-${p}`, to: 'now' });
                  setOpen(false);
                }}
              >
                {t(PRESET_KEYS[p])}
              </button>
            ))}
          </div>
          <div className="time-custom">
            <div className="popover-heading">{t('time.absolute')}</div>
            <label>
              {t('time.from')}
              <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="time-from" />
            </label>
            <label>
              {t('time.to')}
              <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="time-to" />
            </label>
            {error ? <div className="form-error">{error}</div> : null}
            <button type="button" className="btn btn-primary" onClick={apply} data-testid="time-apply">
              {t('time.apply')}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
