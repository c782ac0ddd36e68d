import { describe, expect, it } from 'vitest';
import { escapeHtml, renderInline, renderMarkdown } from './markdown';

describe('markdown', () => {
  it('escapes HTML everywhere', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n# <img src=x onerror=alert(1)>\n- <b>x</b>\n`<i>`\n```\n<svg onload=x>\n```');
    expect(html).not.toMatch(/<script|<img|<b>|<i>|<svg/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<pre><code>&lt;svg onload=x&gt;</code></pre>');
  });
  it('escapes quotes so attributes cannot be broken out of', () => {
    const html = renderInline('[x](https://a.example/"onmouseover="alert(1))');
    expect(html).not.toContain('"onmouseover="');
    expect(html).toContain('&quot;');
    expect(escapeHtml(`'"&<>`)).toBe('&#39;&quot;&amp;&lt;&gt;');
  });
  it('drops unsafe link schemes but keeps the text', () => {
    expect(renderInline('[click](javascript:alert(1))')).not.toContain('href');
    expect(renderInline('[click](data:text/html,x)')).not.toContain('href');
    expect(renderInline('[click](//evil.example)')).not.toContain('href');
    expect(renderInline('[docs](https://a.example/x_y_z)')).toBe('<a href="https://a.example/x_y_z" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(renderInline('[explore](/explore?q=a&b=c)')).toBe('<a href="/explore?q=a&amp;b=c">explore</a>');
  });
  it('renders the supported subset', () => {
    expect(renderMarkdown('# Title')).toBe('<h3>Title</h3>');
    expect(renderMarkdown('**bold** and *it* and _it2_ and `c*d*`')).toBe('<p><strong>bold</strong> and <em>it</em> and <em>it2</em> and <code>c*d*</code></p>');
    expect(renderMarkdown('- a\n- b\n\n1. c')).toBe('<ul><li>a</li><li>b</li></ul>\n<ol><li>c</li></ol>');
    expect(renderMarkdown('> quote')).toBe('<blockquote>quote</blockquote>');
    expect(renderMarkdown('line1\nline2')).toBe('<p>line1<br>line2</p>');
    expect(renderMarkdown('trace_id and usr.id stay plain')).toBe('<p>trace_id and usr.id stay plain</p>');
  });
  it('ignores NUL placeholders in input', () => {
    expect(renderMarkdown('\u00000\u0000 [a](https://x.example)')).not.toContain('undefined');
  });
});
