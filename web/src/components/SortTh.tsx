import { useT } from '../i18n';

/** A table header cell that sorts by `col` when clicked, showing the direction when it is the active column. */
export function SortTh<K extends string>({
  col,
  label,
  numeric,
  sort,
  onSort,
  testid,
  title,
}: {
  col: K;
  label: string;
  numeric: boolean;
  sort: { key: K; dir: 'asc' | 'desc' };
  onSort: (col: K) => void;
  testid: string;
  title?: string;
}) {
  const t = useT();
  const active = sort.key === col;
  return (
    <th className={numeric ? 'right' : undefined} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} title={title}>
      <button type="button" className={active ? 'sort-btn active' : 'sort-btn'} onClick={() => onSort(col)} data-testid={testid} aria-label={t('apm.sortBy', { col: label })}>
        {label}
        <span className="sort-arrow" aria-hidden>{active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
      </button>
    </th>
  );
}
