import { Suspense, useState, type ReactNode } from 'react';
import { lazyPage } from './lazyPage';
import { PageTitleContext, usePageTitle } from './components/PageTitle';
import { I18nProvider, useI18n, type MessageKey } from './i18n';
import { ThemeProvider, useTheme } from './theme';
import { RouterProvider, Link, matchPath, useLocation } from './router';
import { TimeProvider, useTimeRange, withTime } from './time/context';
import { TimePicker } from './components/TimePicker';
import { Spinner } from './components/Status';
import { ErrorBoundary } from './components/ErrorBoundary';

const Home = lazyPage(() => import('./pages/Home'));
const Explore = lazyPage(() => import('./pages/Explore'));
const Sql = lazyPage(() => import('./pages/Sql'));
const Dashboards = lazyPage(() => import('./pages/Dashboards'));
const DashboardPage = lazyPage(() => import('./pages/DashboardPage'));
const TracePage = lazyPage(() => import('./pages/Trace'));
const ServicesPage = lazyPage(() => import('./pages/Services'));
const ServicePage = lazyPage(() => import('./pages/ServicePage'));
const ServiceMapPage = lazyPage(() => import('./pages/ServiceMap'));
const TraceSearchPage = lazyPage(() => import('./pages/TraceSearch'));
const IssuesPage = lazyPage(() => import('./pages/Issues'));
const IssuePage = lazyPage(() => import('./pages/Issue'));
const NetworkPage = lazyPage(() => import('./pages/Network'));
const SecuritySignalsPage = lazyPage(() => import('./pages/SecuritySignals'));
const SecuritySignalPage = lazyPage(() => import('./pages/SecuritySignal'));
const SecurityIdentitiesPage = lazyPage(() => import('./pages/SecurityIdentities'));
const SecurityIdentityPage = lazyPage(() => import('./pages/SecurityIdentity'));
const SecurityRulesPage = lazyPage(() => import('./pages/SecurityRules'));

/** Loads the code of the page at `pathname` (before the first render, on hover of a link). */
export function preloadRoute(pathname: string): Promise<void> {
  const p = pathname.replace(/\/+$/, '') || '/';
  const exact: Record<string, { preload: () => Promise<void> }> = {
    '/': Home,
    '/explore': Explore,
    '/apm/services': ServicesPage,
    '/apm/map': ServiceMapPage,
    '/apm/traces': TraceSearchPage,
    '/issues': IssuesPage,
    '/network': NetworkPage,
    '/security': SecuritySignalsPage,
    '/security/signals': SecuritySignalsPage,
    '/security/identities': SecurityIdentitiesPage,
    '/security/identity': SecurityIdentityPage,
    '/security/rules': SecurityRulesPage,
    '/sql': Sql,
    '/dashboards': Dashboards,
  };
  const page =
    exact[p] ??
    (matchPath('/dashboards/:id', p)
      ? DashboardPage
      : matchPath('/traces/:traceId', p)
        ? TracePage
        : matchPath('/apm/services/:service', p)
          ? ServicePage
          : matchPath('/issues/:fingerprint', p)
            ? IssuePage
            : matchPath('/security/signals/:signalId', p)
              ? SecuritySignalPage
              : null);
  return page ? page.preload().catch(() => undefined) : Promise.resolve();
}

export function App() {
  return (
    <ThemeProvider>
      <I18nProvider>
        <RouterProvider>
          <TimeProvider>
            <Shell />
          </TimeProvider>
        </RouterProvider>
      </I18nProvider>
    </ThemeProvider>
  );
}

const NAV: { path: string; key: MessageKey; icon: ReactNode; testid: string }[] = [
  { path: '/', key: 'nav.home', testid: 'nav-home', icon: <path d="M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z" /> },
  { path: '/explore', key: 'nav.explore', testid: 'nav-explore', icon: <><circle cx="11" cy="11" r="6.5" /><path d="m16 16 5 5" /></> },
  { path: '/apm/services', key: 'nav.services', testid: 'nav-services', icon: <><rect x="3" y="4" width="18" height="5" rx="1" /><rect x="3" y="15" width="18" height="5" rx="1" /><path d="M7 6.5h.01M7 17.5h.01M11 6.5h6M11 17.5h6M12 9v6" /></> },
  { path: '/apm/map', key: 'nav.serviceMap', testid: 'nav-service-map', icon: <><circle cx="5.5" cy="12" r="2.5" /><circle cx="18.5" cy="5.5" r="2.5" /><circle cx="18.5" cy="18.5" r="2.5" /><path d="M7.8 10.8 16.2 6.7M7.8 13.2l8.4 4.1M18.5 8v8" /></> },
  { path: '/apm/traces', key: 'nav.traces', testid: 'nav-traces', icon: <><path d="M4 5h9M7 10h10M10 15h6M6 20h12" /><path d="M4 5v0M4 3v4" /></> },
  { path: '/issues', key: 'nav.issues', testid: 'nav-issues', icon: <><path d="M12 3 2.5 20h19z" /><path d="M12 10v4.5M12 17.3h.01" /></> },
  { path: '/security', key: 'nav.security', testid: 'nav-security', icon: <><path d="M12 3 4.5 6v5.5c0 4.6 3.2 8.4 7.5 9.5 4.3-1.1 7.5-4.9 7.5-9.5V6z" /><path d="M12 8.5v4M12 15.6h.01" /></> },
  { path: '/network', key: 'nav.network', testid: 'nav-network', icon: <><path d="M12 3v5M5 21v-4h14v4M12 12v5M5 17v-3h14v3" /><rect x="8" y="8" width="8" height="4" rx="1" /></> },
  { path: '/sql', key: 'nav.sql', testid: 'nav-sql', icon: <><ellipse cx="12" cy="5.5" rx="7.5" ry="2.8" /><path d="M4.5 5.5v13c0 1.5 3.4 2.8 7.5 2.8s7.5-1.3 7.5-2.8v-13M4.5 12c0 1.5 3.4 2.8 7.5 2.8s7.5-1.3 7.5-2.8" /></> },
  { path: '/dashboards', key: 'nav.dashboards', testid: 'nav-dashboards', icon: <><rect x="3" y="3" width="8" height="10" rx="1" /><rect x="13" y="3" width="8" height="6" rx="1" /><rect x="13" y="11" width="8" height="10" rx="1" /><rect x="3" y="15" width="8" height="6" rx="1" /></> },
];

function Shell() {
  const { pathname } = useLocation();
  const { t, lang, setLang } = useI18n();
  const { theme, setTheme } = useTheme();
  const { range } = useTimeRange();
  const [title, setTitle] = useState('');

  let page: ReactNode;
  let params: Record<string, string> | null;
  if (pathname === '/' || pathname === '') page = <Home />;
  else if (pathname === '/explore') page = <Explore />;
  else if (pathname === '/apm/services' || pathname === '/apm/services/') page = <ServicesPage />;
  else if (pathname === '/sql') page = <Sql />;
  else if (pathname === '/dashboards') page = <Dashboards />;
  else if ((params = matchPath('/dashboards/:id', pathname))) page = <DashboardPage key={params.id} id={params.id} />;
  else if ((params = matchPath('/traces/:traceId', pathname))) page = <TracePage key={params.traceId} traceId={params.traceId} />;
  else if ((params = matchPath('/apm/services/:service', pathname))) page = <ServicePage key={params.service} service={params.service} />;
  else if (pathname === '/apm/map' || pathname === '/apm/map/') page = <ServiceMapPage />;
  else if (pathname === '/apm/traces' || pathname === '/apm/traces/') page = <TraceSearchPage />;
  else if (pathname === '/issues' || pathname === '/issues/') page = <IssuesPage />;
  else if (pathname === '/network' || pathname === '/network/') page = <NetworkPage />;
  else if ((params = matchPath('/issues/:fingerprint', pathname))) page = <IssuePage key={params.fingerprint} fingerprint={params.fingerprint} />;
  else if (matchPath('/security', pathname) || matchPath('/security/signals', pathname)) page = <SecuritySignalsPage />;
  else if ((params = matchPath('/security/signals/:signalId', pathname))) page = <SecuritySignalPage key={params.signalId} signalId={params.signalId} />;
  else if (matchPath('/security/identities', pathname)) page = <SecurityIdentitiesPage />;
  else if (matchPath('/security/identity', pathname)) page = <SecurityIdentityPage />;
  else if (matchPath('/security/rules', pathname)) page = <SecurityRulesPage />;
  else page = <NotFound />;

  const active = (p: string) =>
    p === '/' ? pathname === '/' : pathname === p || pathname.startsWith(p + '/') || (p === '/apm/traces' && pathname.startsWith('/traces/'));

  return (
    <PageTitleContext.Provider value={setTitle}>
    <div className="shell">
      <nav className="sidebar" aria-label={t('nav.label')}>
        <Link to={withTime('/', range)} className="brand" aria-label="hannun">
          <span className="brand-mark" aria-hidden>
            <svg viewBox="0 0 32 32" width="26" height="26"><rect width="32" height="32" rx="8" fill="var(--accent)" /><circle cx="16" cy="16" r="7" fill="none" stroke="#fff" strokeWidth="3" /><circle cx="16" cy="16" r="2.5" fill="#fff" /></svg>
          </span>
          <span className="brand-text">
            <strong>hannun</strong>
            <small>한눈</small>
          </span>
        </Link>
        <ul>
          {NAV.map((n) => (
            <li key={n.path}>
              <Link
                to={withTime(n.path, range)}
                className={active(n.path) ? 'nav-link active' : 'nav-link'}
                data-testid={n.testid}
                aria-current={active(n.path) ? 'page' : undefined}
                onMouseEnter={() => void preloadRoute(n.path)}
                onFocus={() => void preloadRoute(n.path)}
              >
                <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" strokeLinecap="round" aria-hidden>
                  {n.icon}
                </svg>
                <span>{t(n.key)}</span>
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <label className="field-inline">
            <span className="sr-only">{t('shell.language')}</span>
            <select data-testid="lang-select" value={lang} onChange={(e) => setLang(e.target.value as 'en' | 'ko')} aria-label={t('shell.language')}>
              <option value="en">English</option>
              <option value="ko">한국어</option>
            </select>
          </label>
          <button
            type="button"
            className="btn btn-ghost theme-toggle"
            data-testid="theme-toggle"
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            aria-label={theme === 'dark' ? t('shell.themeLight') : t('shell.themeDark')}
            title={theme === 'dark' ? t('shell.themeLight') : t('shell.themeDark')}
          >
            {theme === 'dark' ? (
              <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden><circle cx="12" cy="12" r="4.5" /><path d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /></svg>
            ) : (
              <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden><path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" /></svg>
            )}
            <span>{theme === 'dark' ? t('shell.light') : t('shell.dark')}</span>
          </button>
        </div>
      </nav>
      <div className="main">
        <header className="topbar">
          <h1 className="topbar-title" data-testid="page-title">{title}</h1>
          <TimePicker />
        </header>
        <main className="content">
          <ErrorBoundary key={pathname}>
            <Suspense fallback={<div className="page-loading"><Spinner label={t('common.loading')} /></div>}>{page}</Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </div>
    </PageTitleContext.Provider>
  );
}

function NotFound() {
  const { t } = useI18n();
  const { range } = useTimeRange();
  usePageTitle(t('notFound.title'));
  return (
    <div className="empty-state">
      <h2>{t('notFound.title')}</h2>
      <p>{t('notFound.body')}</p>
      <Link className="btn btn-primary" to={withTime('/', range)}>{t('nav.home')}</Link>
    </div>
  );
}
