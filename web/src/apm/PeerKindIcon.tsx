import type { ReactNode } from 'react';
import { useT, type MessageKey } from '../i18n';
import type { PeerKind } from './service';
import { KIND_COLORS } from './map';

export const KIND_LABEL: Record<PeerKind, MessageKey> = {
  service: 'kind.service',
  database: 'kind.database',
  queue: 'kind.queue',
  external: 'kind.external',
};

const PATHS: Record<PeerKind, ReactNode> = {
  service: <><rect x="4" y="4" width="16" height="6" rx="1.5" /><rect x="4" y="14" width="16" height="6" rx="1.5" /><path d="M8 7h.01M8 17h.01" /></>,
  database: <><ellipse cx="12" cy="6" rx="7" ry="2.6" /><path d="M5 6v12c0 1.4 3.1 2.6 7 2.6s7-1.2 7-2.6V6M5 12c0 1.4 3.1 2.6 7 2.6s7-1.2 7-2.6" /></>,
  queue: <><rect x="3" y="8" width="4" height="8" rx="1" /><rect x="10" y="8" width="4" height="8" rx="1" /><rect x="17" y="8" width="4" height="8" rx="1" /></>,
  external: <><circle cx="12" cy="12" r="8.5" /><path d="M3.5 12h17M12 3.5c2.5 2.6 3.6 5.4 3.6 8.5s-1.1 5.9-3.6 8.5c-2.5-2.6-3.6-5.4-3.6-8.5s1.1-5.9 3.6-8.5z" /></>,
};

/** An icon and label of a peer kind (database, queue, external, service). */
export function PeerKindLabel({ kind, showLabel = true }: { kind: PeerKind; showLabel?: boolean }) {
  const t = useT();
  return (
    <span className={`peer-kind peer-kind-${kind}`} title={t(KIND_LABEL[kind])}>
      <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke={KIND_COLORS[kind]} strokeWidth="1.8" strokeLinejoin="round" strokeLinecap="round" aria-hidden>
        {PATHS[kind]}
      </svg>
      {showLabel ? <span>{t(KIND_LABEL[kind])}</span> : <span className="sr-only">{t(KIND_LABEL[kind])}</span>}
    </span>
  );
}
