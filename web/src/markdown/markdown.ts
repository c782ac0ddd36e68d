// A tiny Markdown subset for dashboard notes, rendered to HTML with every
// piece of user text escaped first. Supported: # headings (1-3), paragraphs,
// - / * / 1. lists, > quotes, ``` code blocks, `code`, **bold**, *italic*,
// _italic_, [links](https://…) (http, https, mailto and relative only),
// --- rules. Anything else is shown as text.

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#|\?)/i;

function inlineText(s: string): string {
  // `s` is raw text without code spans: escape, then format. Links are set
  // aside first so emphasis never reaches inside a URL.
  const links: string[] = [];
  let out = escapeHtml(s).replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, url: string) => {
    // url is already escaped; check its scheme on the unescaped form.
    const raw = url.replace(/&amp;/g, '&');
    if (!SAFE_URL.test(raw)) return text;
    const external = /^https?:/i.test(raw);
    links.push(`<a href="${url}"${external ? ' target="_blank" rel="noopener noreferrer"' : ''}>${emphasis(text)}</a>`);
    return `\u0000${links.length - 1}\u0000`;
  });
  out = emphasis(out);
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => links[Number(i)]);
}

function emphasis(s: string): string {
  let out = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  out = out.replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, '$1<em>$2</em>');
  out = out.replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>');
  return out;
}

export function renderInline(s: string): string {
  const parts = s.split(/(`[^`]+`)/g);
  return parts
    .map((p) => (p.startsWith('`') && p.endsWith('`') && p.length > 1 ? `<code>${escapeHtml(p.slice(1, -1))}</code>` : inlineText(p)))
    .join('');
}

export function renderMarkdown(src: string): string {
  const lines = src.replace(/\u0000/g, '').replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let para: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  let quote: string[] = [];

  const flushPara = () => {
    if (para.length) out.push(`<p>${para.map(renderInline).join('<br>')}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) {
      const tag = list.ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${list.items.map((i) => `<li>${renderInline(i)}</li>`).join('')}</${tag}>`);
    }
    list = null;
  };
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote>${quote.map(renderInline).join('<br>')}</blockquote>`);
    quote = [];
  };
  const flushAll = () => {
    flushPara();
    flushList();
    flushQuote();
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flushAll();
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i++]);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.trim() === '') {
      flushAll();
      continue;
    }
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    if (h) {
      flushAll();
      const level = h[1].length + 2; // # → h3 inside a widget
      out.push(`<h${level}>${renderInline(h[2].trim())}</h${level}>`);
      continue;
    }
    if (/^\s*(---|\*\*\*)\s*$/.test(line)) {
      flushAll();
      out.push('<hr>');
      continue;
    }
    const ul = /^\s*[-*]\s+(.*)$/.exec(line);
    const ol = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (ul || ol) {
      flushPara();
      flushQuote();
      const ordered = !!ol;
      if (list && list.ordered !== ordered) flushList();
      if (!list) list = { ordered, items: [] };
      list.items.push((ul ?? ol)![1]);
      continue;
    }
    const q = /^\s*>\s?(.*)$/.exec(line);
    if (q) {
      flushPara();
      flushList();
      quote.push(q[1]);
      continue;
    }
    flushList();
    flushQuote();
    para.push(line.trim());
  }
  flushAll();
  return out.join('\n');
}
