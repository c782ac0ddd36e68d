// A lenient tokenizer for the search syntax (see crates/search-syntax). It
// never fails: it exists for highlighting, autocomplete and small edits
// (facet clicks, template variables). The server does the real parsing.

export type TokenType =
  | 'ws'
  | 'paren'
  | 'neg' // a leading '-'
  | 'keyword' // AND OR NOT TO
  | 'field' // `@http.route:` including the colon
  | 'op' // >= > <= < right after a field
  | 'value' // the value of a field (word or quoted)
  | 'range' // [1 TO 5] after a field
  | 'phrase' // free-text quoted phrase
  | 'text'; // free-text bare word

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
  /** For field/op/value/range tokens: the field name without `@`. */
  field?: string;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT']);

export function isFieldChar(c: string): boolean {
  return /[\p{L}\p{N}_.\-/]/u.test(c);
}

function endsWord(c: string): boolean {
  return /\s/.test(c) || c === '(' || c === ')' || c === '"';
}

export interface TokenizeResult {
  tokens: Token[];
  /** Field of the innermost open `field:(` group at the end of input, if any. */
  openGroupField: string | null;
}

export function tokenizeFull(q: string): TokenizeResult {
  const tokens: Token[] = [];
  // Stack of open parens: the field a `field:(` group applies to, or null.
  const stack: (string | null)[] = [];
  let i = 0;
  const n = q.length;
  const groupField = () => (stack.length ? stack[stack.length - 1] : null);

  const readQuoted = (from: number): number => {
    // returns index after closing quote (or n)
    let j = from + 1;
    while (j < n) {
      if (q[j] === '\\' && j + 1 < n) {
        j += 2;
        continue;
      }
      if (q[j] === '"') return j + 1;
      j++;
    }
    return n;
  };
  const readWord = (from: number, stop: (c: string) => boolean): number => {
    let j = from;
    while (j < n) {
      if (q[j] === '\\' && j + 1 < n) {
        j += 2;
        continue;
      }
      if (stop(q[j])) break;
      j++;
    }
    return j;
  };
  const push = (type: TokenType, start: number, end: number, field?: string) => {
    const t: Token = { type, text: q.slice(start, end), start, end };
    if (field !== undefined) t.field = field;
    tokens.push(t);
  };

  // Reads a value for `field` starting at i; returns the new index.
  const readValue = (field: string, from: number): number => {
    let j = from;
    if (j >= n) return j;
    const c = q[j];
    if (c === '(') {
      push('paren', j, j + 1);
      stack.push(field);
      return j + 1;
    }
    if (c === '"') {
      const e = readQuoted(j);
      push('value', j, e, field);
      return e;
    }
    if (c === '[' || c === '{') {
      let e = j + 1;
      while (e < n && q[e] !== ']' && q[e] !== '}') e++;
      if (e < n) e++;
      push('range', j, e, field);
      return e;
    }
    if (c === '>' || c === '<') {
      const e = q[j + 1] === '=' ? j + 2 : j + 1;
      push('op', j, e, field);
      j = e;
      if (j < n && q[j] === '"') {
        const qe = readQuoted(j);
        push('value', j, qe, field);
        return qe;
      }
    }
    if (j < n && !/\s/.test(q[j]) && q[j] !== ')') {
      const e = readWord(j, endsWord);
      if (e > j) push('value', j, e, field);
      return e;
    }
    return j;
  };

  while (i < n) {
    const c = q[i];
    if (/\s/.test(c)) {
      let e = i;
      while (e < n && /\s/.test(q[e])) e++;
      push('ws', i, e);
      i = e;
      continue;
    }
    if (c === '(') {
      push('paren', i, i + 1);
      stack.push(groupField());
      i++;
      continue;
    }
    if (c === ')') {
      push('paren', i, i + 1);
      stack.pop();
      i++;
      continue;
    }
    if (c === '-' && i + 1 < n && !/\s/.test(q[i + 1])) {
      const prev = tokens[tokens.length - 1];
      if (!prev || prev.type === 'ws' || prev.type === 'paren' || prev.type === 'neg') {
        push('neg', i, i + 1);
        i++;
        continue;
      }
    }
    const gf = groupField();
    if (c === '"') {
      const e = readQuoted(i);
      push(gf ? 'value' : 'phrase', i, e, gf ?? undefined);
      i = e;
      continue;
    }
    // A word; maybe `field:value`.
    const wordEnd = readWord(i, (ch) => endsWord(ch) || ch === ':');
    const word = q.slice(i, wordEnd);
    if (wordEnd < n && q[wordEnd] === ':' && word.length > 0) {
      const name = word.startsWith('@') ? word.slice(1) : word;
      if (name.length > 0 && [...name].every(isFieldChar)) {
        push('field', i, wordEnd + 1, name);
        i = readValue(name, wordEnd + 1);
        continue;
      }
    }
    const e = readWord(i, endsWord);
    const text = q.slice(i, e);
    if (KEYWORDS.has(text)) push('keyword', i, e);
    else if (gf) push('value', i, e, gf);
    else push('text', i, e);
    i = e;
  }
  return { tokens, openGroupField: groupField() };
}

export function tokenize(q: string): Token[] {
  return tokenizeFull(q).tokens;
}

/** The unquoted, unescaped content of a value/phrase token. */
export function unquote(text: string): string {
  if (text.startsWith('"')) {
    const inner = text.endsWith('"') && text.length > 1 ? text.slice(1, -1) : text.slice(1);
    return inner.replace(/\\(["\\])/g, '$1');
  }
  return text.replace(/\\(.)/g, '$1');
}

/** Writes a value so the search syntax reads it back as exactly that value. */
export function quoteValue(value: string): string {
  if (
    value === '' ||
    /[\s()"\\*?:]/.test(value) ||
    /^[[{<>]/.test(value) ||
    value === 'AND' ||
    value === 'OR' ||
    value === 'NOT' ||
    value.startsWith('-')
  ) {
    return '"' + value.replace(/(["\\])/g, '\\$1') + '"';
  }
  return value;
}

/** A `field:value` term, `-field:value` when negated. */
export function term(field: string, value: string, negate = false): string {
  return `${negate ? '-' : ''}${field}:${quoteValue(value)}`;
}

export type CompletionContext =
  | { kind: 'field'; prefix: string; from: number; to: number }
  | { kind: 'value'; field: string; prefix: string; from: number; to: number }
  | { kind: 'none' };

/**
 * What the user is typing at `cursor`: a field name (suggest fields), a value
 * of a field (suggest values) or something else. `from`..`to` is the text a
 * chosen suggestion replaces.
 */
export function completionContext(q: string, cursor: number): CompletionContext {
  const before = q.slice(0, cursor);
  // Extend the replaced span over the rest of the word after the cursor.
  let to = cursor;
  while (to < q.length && !endsWord(q[to])) to++;
  const { tokens, openGroupField } = tokenizeFull(before);
  const last = tokens[tokens.length - 1];
  if (!last || last.type === 'ws' || (last.type === 'paren' && last.text === '(')) {
    if (openGroupField) return { kind: 'value', field: openGroupField, prefix: '', from: cursor, to };
    return { kind: 'field', prefix: '', from: cursor, to };
  }
  if (last.type === 'neg') return { kind: 'field', prefix: '', from: cursor, to };
  if (last.type === 'text') {
    const prefix = last.text.startsWith('@') ? last.text.slice(1) : last.text;
    return { kind: 'field', prefix, from: last.start, to };
  }
  if (last.type === 'field' || last.type === 'op') {
    return { kind: 'value', field: last.field!, prefix: '', from: cursor, to };
  }
  if (last.type === 'value') {
    if (last.text.startsWith('"') && last.text.length > 1 && last.text.endsWith('"') && !last.text.endsWith('\\"')) {
      return { kind: 'none' }; // a closed quoted value
    }
    return { kind: 'value', field: last.field!, prefix: unquote(last.text), from: last.start, to };
  }
  return { kind: 'none' };
}

/**
 * Adds `field:value` (or `-field:value`) to a query, replacing an existing
 * term on the same field and value, whether negated or not.
 */
export function addTerm(q: string, field: string, value: string, negate: boolean): string {
  const cleaned = removeTerm(q, field, value).trim();
  const t = term(field, value, negate);
  return cleaned ? `${cleaned} ${t}` : t;
}

/** Removes every top-level `field:value` / `-field:value` term with that value. */
export function removeTerm(q: string, field: string, value: string): string {
  const tokens = tokenize(q);
  const cut: [number, number][] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'field' || t.field !== field) continue;
    const v = tokens[k + 1];
    if (!v || v.type !== 'value' || v.start !== t.end || unquote(v.text) !== value) continue;
    let start = t.start;
    const prev = tokens[k - 1];
    if (prev && prev.type === 'neg') start = prev.start;
    cut.push([start, v.end]);
  }
  if (cut.length === 0) return q;
  let out = '';
  let pos = 0;
  for (const [s, e] of cut) {
    out += q.slice(pos, s);
    pos = e;
  }
  out += q.slice(pos);
  return tidy(out);
}

/**
 * Cleans a query after terms were cut out: collapses spaces, drops dangling
 * AND/OR/NOT and empty parentheses.
 */
export function tidy(q: string): string {
  let s = q;
  for (let round = 0; round < 8; round++) {
    const before = s;
    s = s.replace(/\s+/g, ' ');
    s = s.replace(/-?\(\s*\)/g, ' ');
    s = s.replace(/\(\s*(AND|OR)\s+/g, '(');
    s = s.replace(/\s+(AND|OR|NOT)\s*\)/g, ')');
    s = s.replace(/(^|\s)(AND|OR)\s+(AND|OR)(\s|$)/g, '$1$3$4');
    s = s.replace(/(^|\s)NOT\s+(AND|OR)(\s|$)/g, '$1$2$3');
    s = s.replace(/^\s*(AND|OR)(\s|$)/, '');
    s = s.replace(/(^|\s)(AND|OR|NOT)\s*$/, '');
    s = s.trim();
    if (s === before) break;
  }
  return s;
}
