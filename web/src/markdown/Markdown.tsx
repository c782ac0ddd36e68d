import { useMemo } from 'react';
import { renderMarkdown } from './markdown';

/** Renders the Markdown subset; every piece of user text is escaped by renderMarkdown. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
