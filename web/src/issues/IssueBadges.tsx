import { useT } from '../i18n';
import type { IssueStatus } from './issues';

export function StatusBadge({ status, testid }: { status: IssueStatus; testid?: string }) {
  const t = useT();
  const key = status === 'resolved' ? 'issues.status.resolved' : status === 'ignored' ? 'issues.status.ignored' : 'issues.status.open';
  return (
    <span className={`issue-status issue-status-${status}`} data-testid={testid ?? 'issue-status'} data-status={status}>
      {t(key)}
    </span>
  );
}

export function RegressedBadge() {
  const t = useT();
  return (
    <span className="issue-status issue-status-regressed" data-testid="issue-regressed" title={t('issue.regressedHint')}>
      {t('issues.regressed')}
    </span>
  );
}

export function ServiceChips({ services, max = 4 }: { services: string[]; max?: number }) {
  const shown = services.slice(0, max);
  return (
    <span className="chips">
      {shown.map((s) => (
        <span key={s} className="chip">{s}</span>
      ))}
      {services.length > max ? <span className="chip muted">+{services.length - max}</span> : null}
    </span>
  );
}
