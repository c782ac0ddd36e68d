import { useState } from 'react';
import { useT } from '../i18n';

export async function copyText(text: string): Promise<void> {
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
}

/** A small button that copies `text` and says so for a moment. */
export function CopyButton({ text, label, testid, className = 'btn btn-small' }: { text: string; label?: string; testid?: string; className?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={className}
      data-testid={testid}
      title={label ?? t('common.copy')}
      aria-label={label ?? t('common.copy')}
      onClick={async (e) => {
        e.stopPropagation();
        await copyText(text);
        setCopied(true);
        window.setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}
