// Small badges of the security pages: severity, triage status, the kind of
// an identity (with an icon) and an event's outcome.
import type { ReactNode } from 'react';
import { useT, type MessageKey } from '../i18n';
import { actorType, ACTOR_COLORS, type ActorType } from './identity';
import { isSeverity, isSignalStatus, outcomeClass } from './signals';

export function SeverityBadge({ severity, testid = 'severity-badge' }: { severity: string; testid?: string }) {
  const t = useT();
  const known = isSeverity(severity);
  return (
    <span className={`sev sev-${known ? severity : 'unknown'}`} data-testid={testid} data-severity={severity}>
      {known ? t(`sec.sev.${severity}` as MessageKey) : severity}
    </span>
  );
}

export function SignalStatusBadge({ status, testid = 'signal-status' }: { status: string; testid?: string }) {
  const t = useT();
  const known = isSignalStatus(status);
  return (
    <span className={`sig-status sig-status-${known ? status : 'open'}`} data-testid={testid} data-status={status}>
      {known ? t(`sec.status.${status}` as MessageKey) : status}
    </span>
  );
}

const ICONS: Record<ActorType, ReactNode> = {
  person: <><circle cx="12" cy="8" r="4" /><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" /></>,
  root: <><path d="M3 8l4.5 4L12 5l4.5 7L21 8l-2 11H5z" /></>,
  iam_user: <><circle cx="10" cy="8" r="3.6" /><path d="M3 20c0-3.8 3-6.2 7-6.2 1.3 0 2.5.3 3.5.8" /><rect x="15" y="14" width="6" height="6" rx="1" /></>,
  role: <><path d="M12 3 4 6v6c0 4.5 3.4 8 8 9 4.6-1 8-4.5 8-9V6z" /><path d="m9 12 2 2 4-4" /></>,
  aws_service: <><circle cx="12" cy="12" r="3" /><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1" /></>,
  aws_account: <><path d="M4 21V7l8-4 8 4v14" /><path d="M9 21v-5h6v5M8 10h.01M12 10h.01M16 10h.01" /></>,
  service: <><path d="M12 3 3.5 7.5v9L12 21l8.5-4.5v-9z" /><path d="M3.5 7.5 12 12l8.5-4.5M12 12v9" /></>,
  unknown: <><circle cx="12" cy="12" r="9" /><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h.01" /></>,
};

export function ActorIcon({ type, size = 15 }: { type: string | null | undefined; size?: number }) {
  const k = actorType(type);
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} fill="none" stroke={ACTOR_COLORS[k]} strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden className="actor-icon">
      {ICONS[k]}
    </svg>
  );
}

/** The kind of an identity: its icon and name. */
export function ActorBadge({ type, testid = 'actor-type' }: { type: string | null | undefined; testid?: string }) {
  const t = useT();
  const k = actorType(type);
  return (
    <span className="actor-badge" data-testid={testid} data-type={k}>
      <ActorIcon type={k} />
      {t(`sec.actor.${k}` as MessageKey)}
    </span>
  );
}

export function OutcomeBadge({ outcome, error }: { outcome: string | null | undefined; error?: string | null }) {
  const t = useT();
  if (!outcome) return <span className="muted">–</span>;
  const known = ['success', 'failure', 'challenge', 'skipped'].includes(outcome);
  return (
    <span className={`outcome outcome-${outcomeClass(outcome) || 'neutral'}`} title={error ?? undefined}>
      {known ? t(`sec.outcome.${outcome}` as MessageKey) : outcome}
      {error ? <span className="outcome-error"> · {error}</span> : null}
    </span>
  );
}
