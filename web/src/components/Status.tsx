import type { CSSProperties, ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { useT } from '../i18n';

export function Spinner({ label, small }: { label?: string; small?: boolean }) {
  return (
    <span className={small ? 'spinner-wrap small' : 'spinner-wrap'} role="status" aria-live="polite" data-testid="spinner">
      <span className="spinner" aria-hidden />
      {label ? <span className="spinner-label">{label}</span> : null}
    </span>
  );
}

export function ErrorPanel({ title, message, children, testid }: { title: string; message: string; children?: ReactNode; testid?: string }) {
  return (
    <div className="error-panel" role="alert" data-testid={testid ?? 'error-panel'}>
      <strong>{title}</strong>
      <pre className="error-message">{message}</pre>
      {children}
    </div>
  );
}

/** A failed load: the error's message and a Retry button. */
export function LoadError({ title, error, onRetry, testid }: { title: string; error: unknown; onRetry: () => void; testid?: string }) {
  const t = useT();
  return (
    <ErrorPanel title={title} message={errorMessage(error)} testid={testid}>
      <button type="button" className="btn btn-small" onClick={onRetry}>{t('common.retry')}</button>
    </ErrorPanel>
  );
}

/** The placeholder of a card (or page) whose data is still loading. */
export function CardLoading({ style }: { style?: CSSProperties }) {
  const t = useT();
  return (
    <div className="card-loading" style={style}>
      <Spinner label={t('common.loading')} />
    </div>
  );
}

export function Warning({ children, testid }: { children: ReactNode; testid?: string }) {
  return (
    <div className="warning-panel" role="status" data-testid={testid}>
      {children}
    </div>
  );
}

export function EmptyState({ title, children, testid }: { title: string; children?: ReactNode; testid?: string }) {
  return (
    <div className="empty-state" data-testid={testid ?? 'empty-state'}>
      <h3>{title}</h3>
      {children}
    </div>
  );
}
