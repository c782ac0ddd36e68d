import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App, preloadRoute } from './App';

// Fetch the current page's code before the first render, so the page mounts
// (and starts its queries) without a Suspense round trip.
void preloadRoute(window.location.pathname).then(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
