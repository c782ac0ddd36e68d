import { useState, type ReactNode } from 'react';
import { useT } from '../i18n';

/** Pretty JSON with light colouring and a copy button. */
export function JsonView({ value, testid = 'json-view' }: { value: unknown; testid?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const text = JSON.stringify(value, null, 2);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API unavailable (http, permissions): fall back to a selection.
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      try {
        document.execCommand('copy');
      } catch {
        /* nothing more to try */
      }
      ta.remove();
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="json-view" data-testid={testid}>
      <button type="button" className="btn btn-small json-copy" onClick={copy} data-testid="json-copy">
        {copied ? t('common.copied') : t('common.copy')}
      </button>
      <pre>{highlightJson(text)}</pre>
    </div>
  );
}

function highlightJson(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let k = 0;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1]) {
      out.push(
        <span key={k++} className={m[2] ? 'json-key' : 'json-string'}>
          {m[1]}
        </span>,
      );
      if (m[2]) out.push(m[2]);
    } else if (m[3]) out.push(<span key={k++} className="json-literal">{m[3]}</span>);
    else out.push(<span key={k++} className="json-number">{m[4]}</span>);
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
