import type { ReactNode } from 'react';

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
