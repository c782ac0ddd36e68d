import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/client';
import { useT } from '../i18n';
import { useTimeRange } from '../time/context';
import { completionContext, quoteValue, tokenize, type CompletionContext } from './tokenizer';

interface Suggestion {
  kind: 'field' | 'value';
  label: string;
  insert: string;
  detail?: string;
}

interface Props {
  value: string;
  onChange: (q: string) => void;
  onSubmit: (q: string) => void;
  dataset: string;
  /** Field names of the dataset (autocomplete, unknown-field marks). */
  fields: string[];
  placeholder?: string;
  testid?: string;
  /** Show the run button. */
  runButton?: boolean;
  busy?: boolean;
}

const MAX_SUGGESTIONS = 12;

/** Ranks fields: prefix matches first, then substring matches; shorter first. */
export function rankFields(fields: string[], prefix: string): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const f of fields) {
    const l = f.toLowerCase();
    if (l === p) continue;
    if (l.startsWith(p)) starts.push(f);
    else if (p && l.includes(p)) contains.push(f);
  }
  const byLen = (a: string, b: string) => a.length - b.length || a.localeCompare(b);
  return [...starts.sort(byLen), ...contains.sort(byLen)];
}

export function SearchBar({ value, onChange, onSubmit, dataset, fields, placeholder, testid = 'search-input', runButton = true, busy }: Props) {
  const t = useT();
  const { resolved } = useTimeRange();
  const inputRef = useRef<HTMLInputElement>(null);
  const hlRef = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [values, setValues] = useState<{ field: string; prefix: string; items: Suggestion[]; loading: boolean }>({
    field: '',
    prefix: '',
    items: [],
    loading: false,
  });

  const ctx: CompletionContext = useMemo(() => completionContext(value, cursor), [value, cursor]);
  const fieldSet = useMemo(() => new Set(fields), [fields]);
  const tokens = useMemo(() => tokenize(value), [value]);

  // Fetch value suggestions for `field:` contexts (debounced, cancelled on change).
  const valueField = open && ctx.kind === 'value' ? ctx.field : '';
  const valuePrefix = open && ctx.kind === 'value' ? ctx.prefix : '';
  useEffect(() => {
    if (!valueField || !dataset) return;
    const ac = new AbortController();
    setValues((v) => ({ ...v, field: valueField, prefix: valuePrefix, loading: true }));
    const timer = window.setTimeout(() => {
      api
        .values(dataset, { field: valueField, prefix: valuePrefix, from_ms: resolved.fromMs, to_ms: resolved.toMs, limit: 20 }, ac.signal)
        .then((r) => {
          const items: Suggestion[] = (r.values ?? [])
            .filter((v) => v.value !== null && v.value !== undefined && v.value !== '')
            .map((v) => ({ kind: 'value', label: String(v.value), insert: quoteValue(String(v.value)), detail: String(v.count) }));
          setValues({ field: valueField, prefix: valuePrefix, items, loading: false });
        })
        .catch(() => {
          if (!ac.signal.aborted) setValues({ field: valueField, prefix: valuePrefix, items: [], loading: false });
        });
    }, 120);
    return () => {
      window.clearTimeout(timer);
      ac.abort();
    };
  }, [valueField, valuePrefix, dataset, resolved.fromMs, resolved.toMs]);

  const suggestions: Suggestion[] = useMemo(() => {
    if (!open) return [];
    if (ctx.kind === 'field') {
      return rankFields(fields, ctx.prefix)
        .slice(0, MAX_SUGGESTIONS)
        .map((f) => ({ kind: 'field', label: f, insert: `${f}:` }));
    }
    if (ctx.kind === 'value' && values.field === ctx.field) {
      return values.items.slice(0, MAX_SUGGESTIONS);
    }
    return [];
  }, [open, ctx, fields, values]);

  useEffect(() => setActive(-1), [ctx.kind, ctx.kind !== 'none' ? ctx.from : 0]);

  const syncScroll = () => {
    const input = inputRef.current;
    if (input && hlRef.current) hlRef.current.style.transform = `translateX(${-input.scrollLeft}px)`;
  };

  const apply = (s: Suggestion) => {
    if (ctx.kind === 'none') return;
    const insert = s.kind === 'value' ? s.insert + ' ' : s.insert;
    const next = value.slice(0, ctx.from) + insert + value.slice(ctx.to);
    const pos = ctx.from + insert.length;
    onChange(next);
    setCursor(pos);
    setOpen(s.kind === 'field');
    requestAnimationFrame(() => {
      const input = inputRef.current;
      if (input) {
        input.focus();
        input.setSelectionRange(pos, pos);
        syncScroll();
      }
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      setActive((a) => (a + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
    } else if (e.key === 'Tab' && suggestions.length && !e.shiftKey) {
      e.preventDefault();
      apply(suggestions[Math.max(active, 0)]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0 && suggestions[active]) apply(suggestions[active]);
      else {
        setOpen(false);
        onSubmit(value);
      }
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const updateCursor = () => {
    const input = inputRef.current;
    if (input) setCursor(input.selectionStart ?? input.value.length);
    syncScroll();
  };

  const showList = open && (suggestions.length > 0 || (ctx.kind === 'value' && values.loading));

  return (
    <div className="searchbar" data-testid={`${testid}-wrap`}>
      <div className="searchbar-box">
        <svg className="searchbar-icon" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden><circle cx="11" cy="11" r="6.5" /><path d="m16 16 5 5" /></svg>
        <div className="searchbar-field">
          <div className="searchbar-highlight" ref={hlRef} aria-hidden>
            {tokens.map((tok, i) => {
              let cls = `tok-${tok.type}`;
              if (tok.type === 'field' && fields.length && !fieldSet.has(tok.field!)) cls += ' tok-unknown';
              return (
                <span key={i} className={cls}>
                  {tok.text}
                </span>
              );
            })}
            {'\u200b'}
          </div>
          <input
            ref={inputRef}
            className="searchbar-input"
            data-testid={testid}
            value={value}
            spellCheck={false}
            autoComplete="off"
            placeholder={placeholder ?? t('search.placeholder')}
            aria-label={t('search.label')}
            role="combobox"
            aria-expanded={showList}
            aria-autocomplete="list"
            onChange={(e) => {
              onChange(e.target.value);
              setCursor(e.target.selectionStart ?? e.target.value.length);
              setOpen(true);
              requestAnimationFrame(syncScroll);
            }}
            onKeyDown={onKeyDown}
            onKeyUp={(e) => {
              if (e.key.startsWith('Arrow') && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) updateCursor();
              if (e.key === 'Home' || e.key === 'End') updateCursor();
            }}
            onClick={() => {
              updateCursor();
              setOpen(true);
            }}
            onFocus={() => {
              updateCursor();
              if (!value) setOpen(true);
            }}
            onBlur={() => setOpen(false)}
            onScroll={syncScroll}
          />
        </div>
        {runButton ? (
          <button type="button" className="btn btn-primary searchbar-run" data-testid={`${testid}-run`} onClick={() => onSubmit(value)} disabled={busy}>
            {t('search.run')}
          </button>
        ) : null}
      </div>
      {showList ? (
        <ul className="suggestions" role="listbox" data-testid="suggestions">
          <li className="suggestions-heading" aria-hidden>
            {ctx.kind === 'value' ? t('search.valuesOf', { field: ctx.field }) : t('search.fields')}
            {ctx.kind === 'value' && values.loading ? ' …' : ''}
          </li>
          {suggestions.map((s, i) => (
            <li
              key={s.kind + s.label}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'suggestion active' : 'suggestion'}
              data-testid="suggestion"
              onMouseDown={(e) => {
                e.preventDefault();
                apply(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className={s.kind === 'field' ? 'tok-field' : 'tok-value'}>{s.label}</span>
              {s.detail ? <span className="suggestion-detail">{s.detail}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
