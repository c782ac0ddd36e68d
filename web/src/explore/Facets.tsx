import type { Facet } from '../api/types';
import { useT } from '../i18n';
import { formatCompact } from '../charts/format';

interface Props {
  facets: Facet[];
  onFilter: (field: string, value: string, exclude: boolean) => void;
  loading?: boolean;
}

/** Top values of the dataset's facets; click filters in, − filters out. */
export function Facets({ facets, onFilter, loading }: Props) {
  const t = useT();
  if (!facets.length) {
    return <div className="facets muted small">{loading ? t('common.loading') : t('explore.noFacets')}</div>;
  }
  return (
    <div className="facets" data-testid="facets">
      {facets.map((f) => {
        const max = Math.max(1, ...f.values.map((v) => v.count));
        return (
          <section key={f.field} className="facet" data-testid={`facet-${f.field}`}>
            <h3 className="facet-title">{f.field}</h3>
            {f.values.length === 0 ? <div className="muted small">{t('explore.noValues')}</div> : null}
            <ul>
              {f.values.map((v) => {
                const value = v.value === null || v.value === undefined ? '' : String(v.value);
                const isNull = v.value === null || v.value === undefined;
                return (
                  <li key={value + String(isNull)} className="facet-value">
                    <button
                      type="button"
                      className="facet-in"
                      disabled={isNull}
                      title={t('explore.filterIn', { term: `${f.field}:${value}` })}
                      data-testid="facet-value"
                      data-field={f.field}
                      data-value={value}
                      onClick={(e) => onFilter(f.field, value, e.altKey)}
                    >
                      <span className="facet-bar" style={{ width: `${(v.count / max) * 100}%` }} aria-hidden />
                      <span className="facet-label">{isNull ? t('explore.nullValue') : value}</span>
                      <span className="facet-count">{formatCompact(v.count)}</span>
                    </button>
                    <button
                      type="button"
                      className="facet-out"
                      disabled={isNull}
                      title={t('explore.filterOut', { term: `${f.field}:${value}` })}
                      aria-label={t('explore.filterOut', { term: `${f.field}:${value}` })}
                      data-testid="facet-exclude"
                      data-field={f.field}
                      data-value={value}
                      onClick={() => onFilter(f.field, value, true)}
                    >
                      −
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      <p className="muted small facet-hint">{t('explore.facetHint')}</p>
    </div>
  );
}
