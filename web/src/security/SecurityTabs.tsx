import { useT, type MessageKey } from '../i18n';
import { Link, useLocation } from '../router';
import { useTimeRange, withTime } from '../time/context';

const TABS: { path: string; key: MessageKey; testid: string; match: (p: string) => boolean }[] = [
  { path: '/security', key: 'sec.tab.signals', testid: 'sec-tab-signals', match: (p) => p === '/security' || p.startsWith('/security/signals') },
  { path: '/security/identities', key: 'sec.tab.identities', testid: 'sec-tab-identities', match: (p) => p.startsWith('/security/identit') },
  { path: '/security/rules', key: 'sec.tab.rules', testid: 'sec-tab-rules', match: (p) => p.startsWith('/security/rules') },
];

/** Signals | Investigator | Rules, at the top of every security page. */
export function SecurityTabs() {
  const t = useT();
  const { pathname } = useLocation();
  const { range } = useTimeRange();
  const p = pathname.replace(/\/+$/, '');
  return (
    <nav className="sec-tabs" aria-label={t('sec.title')}>
      {TABS.map((tab) => {
        const active = tab.match(p);
        return (
          <Link key={tab.path} to={withTime(tab.path, range)} className={active ? 'sec-tab active' : 'sec-tab'} aria-current={active ? 'page' : undefined} data-testid={tab.testid}>
            {t(tab.key)}
          </Link>
        );
      })}
    </nav>
  );
}
