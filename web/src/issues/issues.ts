// Helpers of error tracking (/issues, /issues/:fingerprint): wire types,
// filters <-> URL <-> API query, relative ages in English and Korean, stack
// trace frames, and the Explore link of an occurrence.
import type { Schemas } from '../api/types';
import { term } from '../search/tokenizer';

export type IssueStatus = Schemas['IssueStatus'];
export type StatusFilter = Schemas['IssueStatusFilter'];
export type IssueSort = Schemas['IssueSort'];

export type Issue = Schemas['IssueSummary'];
export type IssuesResponse = Schemas['IssuesResponse'];
/** One occurrence; fields it lacks are left out. */
export type IssueSample = Schemas['IssueSample'];
export type IssueDetailResponse = Schemas['IssueDetail'];
export type StatusUpdate = Schemas['IssueStatusReply'];

export const STATUS_FILTERS: StatusFilter[] = ['open', 'resolved', 'ignored', 'all'];
export const SORTS: IssueSort[] = ['last_seen', 'count', 'first_seen'];

export interface IssueFilters {
  status: StatusFilter;
  service: string;
  env: string;
  q: string;
  sort: IssueSort;
}

export function issueFiltersFromParams(p: URLSearchParams): IssueFilters {
  const status = p.get('status') as StatusFilter | null;
  const sort = p.get('sort') as IssueSort | null;
  return {
    status: status && STATUS_FILTERS.includes(status) ? status : 'open',
    service: p.get('service') ?? '',
    env: p.get('env') ?? '',
    q: p.get('q') ?? '',
    sort: sort && SORTS.includes(sort) ? sort : 'last_seen',
  };
}

/** Query string for GET /api/v1/issues. */
export function issuesQuery(f: IssueFilters, range: { fromMs: number; toMs: number }, limit = 100): URLSearchParams {
  const qs = new URLSearchParams({ from_ms: String(Math.floor(range.fromMs)), to_ms: String(Math.ceil(range.toMs)) });
  qs.set('status', f.status);
  if (f.service) qs.set('service', f.service);
  if (f.env) qs.set('env', f.env);
  if (f.q.trim()) qs.set('q', f.q.trim());
  qs.set('sort', f.sort);
  qs.set('limit', String(limit));
  return qs;
}

/** `/issues/<fingerprint>?from&to` */
export function issueUrl(fingerprint: string, range?: { from: string; to: string }): string {
  const p = range ? `?${new URLSearchParams({ from: range.from, to: range.to })}` : '';
  return `/issues/${encodeURIComponent(fingerprint)}${p}`;
}

export type Lang = 'en' | 'ko';
export type AgeUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The largest whole unit of a duration: 37 min -> {n: 37, unit: 'minute'}; 5 months -> {5, 'month'}. */
export function ageParts(ms: number): { n: number; unit: AgeUnit } {
  const a = Math.max(0, ms);
  if (a < MINUTE) return { n: Math.floor(a / SECOND), unit: 'second' };
  if (a < HOUR) return { n: Math.floor(a / MINUTE), unit: 'minute' };
  if (a < DAY) return { n: Math.floor(a / HOUR), unit: 'hour' };
  if (a < 30 * DAY) return { n: Math.floor(a / DAY), unit: 'day' };
  if (a < 365 * DAY) return { n: Math.max(1, Math.floor(a / (30 * DAY))), unit: 'month' };
  return { n: Math.floor(a / (365 * DAY)), unit: 'year' };
}

const KO_UNITS: Record<AgeUnit, string> = { second: '초', minute: '분', hour: '시간', day: '일', month: '개월', year: '년' };

function amount(ms: number, lang: Lang): string | null {
  const { n, unit } = ageParts(ms);
  if (unit === 'second' && n < 45) return null;
  if (lang === 'ko') return `${n}${KO_UNITS[unit]}`;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** How long ago: "37 minutes ago", "just now"; Korean "37분 전", "방금 전". */
export function formatAgo(diffMs: number, lang: Lang): string {
  const a = amount(diffMs, lang);
  if (lang === 'ko') return a ? `${a} 전` : '방금 전';
  return a ? `${a} ago` : 'just now';
}

/** How old: "5 months old", "brand new"; Korean "5개월 전", "방금 전". */
export function formatAge(diffMs: number, lang: Lang): string {
  const a = amount(diffMs, lang);
  if (lang === 'ko') return a ? `${a} 전` : '방금 전';
  return a ? `${a} old` : 'brand new';
}

/** ns since epoch -> ms (tolerates ms or µs from a server that changes its mind). */
export function toMs(t: number | null | undefined): number | null {
  if (t === null || t === undefined || !Number.isFinite(t)) return null;
  if (t > 1e17) return Math.floor(t / 1e6);
  if (t > 1e14) return Math.floor(t / 1e3);
  return t;
}

export interface StackLine {
  text: string;
  /** A frame line (`at f (file:1:2)`, `File "x.py", line 3`, `  foo.rs:12`). */
  frame: boolean;
  /** A frame of the application's own code (not a dependency or the runtime). */
  inApp: boolean;
}

const FRAME = /^\s*(at\s|File\s+"|\d+:\s|#\d+\s|[\w$.<>]+\s*\(.*:\d+(:\d+)?\)\s*$|.*\.(js|ts|mjs|cjs|tsx|jsx|py|rb|go|rs|java|kt|php|cs):\d+)/;
const LIBRARY = /(node_modules|site-packages|dist-packages|\/usr\/lib|\/usr\/local\/lib|\bnode:|internal\/|<anonymous>|\/rustc\/|\.cargo\/registry|\/go\/pkg\/mod\/|GOROOT|\bruntime\/|java\.base|\bjava\.|\bjavax\.|\bsun\.|\bkotlin\.|vendor\/|\bwebpack:\/\/\/\(webpack\)|\bstd::|\bcore::|\b(?:com\.fasterxml|org\.springframework|org\.apache|org\.hibernate|org\.elasticsearch|io\.netty|io\.grpc|io\.micrometer|reactor\.|feign\.|okhttp3\.|retrofit2\.|kotlinx\.|com\.google\.|com\.zaxxer|jdk\.internal)[\w$.]*\()/;

/** Splits a stack trace into lines and marks frames and in-app frames. */
export function parseStack(stack: string | null | undefined): StackLine[] {
  if (!stack) return [];
  return stack
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((l, i, all) => l.trim() !== '' || (i > 0 && i < all.length - 1))
    .map((text) => {
      const frame = FRAME.test(text);
      return { text, frame, inApp: frame && !LIBRARY.test(text) };
    });
}

/** Explore around one occurrence: its trace when it has one, else the service's errors (±5 min). */
export function sampleExploreUrl(s: Pick<IssueSample, 'timestamp' | 'service' | 'env' | 'source' | 'trace_id'>): string {
  const dataset = s.source === 'log' ? 'logs' : 'spans';
  let q: string;
  if (s.trace_id) q = term('trace_id', s.trace_id);
  else {
    q = s.service ? term('service', s.service) : '';
    if (s.env) q += ` ${term('env', s.env)}`;
    q += s.source === 'log' ? ' level:error' : ' status:error';
    q = q.trim();
  }
  const ms = toMs(s.timestamp) ?? Date.now();
  const p = new URLSearchParams({ dataset, q, from: String(ms - 5 * MINUTE), to: String(ms + 5 * MINUTE) });
  return `/explore?${p}`;
}

/** The status an action button sets. */
export function actionsFor(status: IssueStatus): ('resolved' | 'ignored' | 'open')[] {
  if (status === 'open') return ['resolved', 'ignored'];
  return ['open'];
}
