import { Component, type ReactNode } from 'react';
import { useT } from '../i18n';

interface State {
  error: Error | null;
}

class Boundary extends Component<{ children: ReactNode; title: string; reload: string }, State> {
  state: State = { error: null };
  static getDerivedStateFromError(error: Error): State {
    return { error };
  }
  render() {
    if (this.state.error) {
      return (
        <div className="error-panel" role="alert">
          <strong>{this.props.title}</strong>
          <pre className="error-message">{this.state.error.message}</pre>
          <button type="button" className="btn" onClick={() => window.location.reload()}>
            {this.props.reload}
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

/** Catches render errors of a page (a failed chunk load, a bug) and says so. */
export function ErrorBoundary({ children }: { children: ReactNode }) {
  const t = useT();
  return (
    <Boundary title={t('error.page')} reload={t('common.reload')}>
      {children}
    </Boundary>
  );
}
