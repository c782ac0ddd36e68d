import { useT } from '../i18n';

/** The "Env" select of the APM pages: "All envs" (value '') then `envs`. */
export function EnvSelect({ value, envs, onChange, testid }: { value: string; envs: readonly string[]; onChange: (env: string) => void; testid: string }) {
  const t = useT();
  return (
    <label className="field-inline apm-env">
      <span className="muted small">{t('apm.env')}</span>
      <select data-testid={testid} value={value} onChange={(e) => onChange(e.target.value)} aria-label={t('apm.env')}>
        <option value="">{t('apm.allEnvs')}</option>
        {envs.map((e) => (
          <option key={e} value={e}>{e}</option>
        ))}
      </select>
    </label>
  );
}
