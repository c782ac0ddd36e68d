import { useEffect, useRef } from 'react';
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap, placeholder as cmPlaceholder, lineNumbers, highlightActiveLine, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { HighlightStyle, syntaxHighlighting, bracketMatching } from '@codemirror/language';
import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { tags } from '@lezer/highlight';

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syn-keyword)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--syn-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--syn-number)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [tags.function(tags.variableName), tags.standard(tags.name)], color: 'var(--syn-function)' },
  { tag: [tags.special(tags.name), tags.propertyName], color: 'var(--syn-field)' },
  { tag: tags.operator, color: 'var(--syn-operator)' },
  { tag: tags.typeName, color: 'var(--syn-number)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--bg-input)', color: 'var(--text)', fontSize: '13px', height: '100%' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)', padding: '8px 0' },
  '.cm-gutters': { backgroundColor: 'var(--bg-subtle)', color: 'var(--text-muted)', border: 'none', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--bg-hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-hover)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-elevated)', border: '1px solid var(--border)', color: 'var(--text)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: '#fff' },
  '.cm-scroller': { overflow: 'auto' },
  '.cm-placeholder': { color: 'var(--text-muted)' },
});

interface Props {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  /** Tables and their columns, for autocomplete. */
  schema?: Record<string, string[]>;
  placeholder?: string;
  ariaLabel?: string;
  testid?: string;
  minHeight?: number;
}

/** CodeMirror 6 SQL editor; Ctrl/Cmd+Enter runs. */
export default function SqlEditor({ value, onChange, onRun, schema, placeholder, ariaLabel, testid = 'sql-editor', minHeight = 140 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lang = useRef(new Compartment());
  const cb = useRef({ onChange, onRun });
  cb.current = { onChange, onRun };

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        EditorView.lineWrapping,
        keymap.of([
          { key: 'Mod-Enter', preventDefault: true, run: () => (cb.current.onRun(), true) },
          { key: 'Shift-Enter', preventDefault: true, run: () => (cb.current.onRun(), true) },
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        lang.current.of(sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true })),
        syntaxHighlighting(highlight),
        theme,
        cmPlaceholder(placeholder ?? ''),
        EditorView.contentAttributes.of({ 'aria-label': ariaLabel ?? 'SQL', 'data-testid': `${testid}-content` }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) cb.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Outside changes (an example picked) replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true })) });
  }, [schema]);

  return <div className="sql-editor" ref={host} data-testid={testid} style={{ minHeight }} />;
}
