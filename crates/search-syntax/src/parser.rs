//! A recursive-descent parser over characters, with positions for errors.

use crate::ast::{CompareOp, FieldRef, Matcher, ParseError, Query, Term};

const MAX_INPUT_CHARS: usize = 4096;
const MAX_DEPTH: usize = 64;

/// Parses a search; empty input is `Query::All`.
pub fn parse(input: &str) -> Result<Query, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_INPUT_CHARS {
        return Err(ParseError { message: format!("search is longer than {MAX_INPUT_CHARS} characters"), position: MAX_INPUT_CHARS });
    }
    let mut p = Parser { chars, at: 0, depth: 0 };
    p.skip_space();
    if p.at == p.chars.len() {
        return Ok(Query::All);
    }
    let q = p.or()?;
    p.skip_space();
    if p.at < p.chars.len() {
        return Err(p.error(if p.peek() == Some(')') { "unexpected ')' without a matching '('" } else { "unexpected input" }));
    }
    Ok(q)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

/// One character of a word, and whether a backslash escaped it.
type WordChar = (char, bool);

fn is_field_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@' | '/')
}

fn plain(word: &[WordChar]) -> String {
    word.iter().map(|(c, _)| *c).collect()
}

fn has_wildcard(word: &[WordChar]) -> bool {
    word.iter().any(|(c, escaped)| !escaped && matches!(c, '*' | '?'))
}

fn wildcard_pattern(word: &[WordChar]) -> String {
    let mut s = String::new();
    for (c, escaped) in word {
        if *escaped && matches!(c, '*' | '?' | '\\') || !escaped && *c == '\\' {
            s.push('\\');
        }
        s.push(*c);
    }
    s
}

fn value_matcher(word: &[WordChar]) -> Matcher {
    if has_wildcard(word) { Matcher::Wildcard(wildcard_pattern(word)) } else { Matcher::Exact(plain(word)) }
}

impl Parser {
    fn error(&self, message: &str) -> ParseError {
        ParseError { message: message.to_owned(), position: self.at }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// Whether the keyword `kw` stands at the cursor as a whole word.
    fn at_keyword(&self, kw: &str) -> bool {
        let n = kw.chars().count();
        self.chars.get(self.at..self.at + n).is_some_and(|s| s.iter().copied().eq(kw.chars()))
            && self.chars.get(self.at + n).is_none_or(|c| c.is_whitespace() || *c == '(' || *c == '"')
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("search is nested more than 64 levels deep"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Query, ParseError> {
        self.enter()?;
        let mut parts = vec![self.and()?];
        loop {
            self.skip_space();
            if self.at_keyword("OR") {
                self.at += 2;
                self.skip_space();
                if self.at == self.chars.len() || self.peek() == Some(')') {
                    return Err(self.error("OR needs a term after it"));
                }
                parts.push(self.and()?);
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Query::Or(parts) })
    }

    fn and(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.unary()?];
        loop {
            self.skip_space();
            if self.at == self.chars.len() || self.peek() == Some(')') || self.at_keyword("OR") {
                break;
            }
            if self.at_keyword("AND") {
                self.at += 3;
                self.skip_space();
                if self.at == self.chars.len() || self.peek() == Some(')') || self.at_keyword("OR") {
                    return Err(self.error("AND needs a term after it"));
                }
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Query::And(parts) })
    }

    fn unary(&mut self) -> Result<Query, ParseError> {
        self.skip_space();
        if self.at_keyword("NOT") {
            self.at += 3;
            self.skip_space();
            if self.at == self.chars.len() {
                return Err(self.error("NOT needs a term after it"));
            }
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|c| !c.is_whitespace()) {
            self.at += 1;
            return Ok(Query::Not(Box::new(self.primary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Query, ParseError> {
        self.skip_space();
        match self.peek() {
            None => Err(self.error("expected a term")),
            Some('(') => {
                let open = self.at;
                self.at += 1;
                self.skip_space();
                if self.peek() == Some(')') {
                    return Err(self.error("empty parentheses"));
                }
                let q = self.or()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(ParseError { message: "'(' is never closed".into(), position: open });
                }
                self.at += 1;
                Ok(q)
            }
            Some(')') => Err(self.error("unexpected ')'")),
            Some('"') => Ok(Query::Term(Term { field: None, matcher: Matcher::Exact(self.phrase()?) })),
            Some(_) => self.term(),
        }
    }

    /// A quoted phrase; the cursor is on the opening quote.
    fn phrase(&mut self) -> Result<String, ParseError> {
        let open = self.at;
        self.at += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(ParseError { message: "unterminated quote".into(), position: open }),
                Some('"') => {
                    self.at += 1;
                    return Ok(s);
                }
                Some('\\') if matches!(self.chars.get(self.at + 1), Some('"' | '\\')) => {
                    s.push(self.chars[self.at + 1]);
                    self.at += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// An unquoted word up to whitespace or a parenthesis; `stop_at_colon`
    /// ends it at an unescaped ':' too.
    fn word(&mut self, stop_at_colon: bool) -> Vec<WordChar> {
        let mut w = Vec::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                if let Some(&next) = self.chars.get(self.at + 1) {
                    w.push((next, true));
                    self.at += 2;
                    continue;
                }
                w.push(('\\', true));
                self.at += 1;
                continue;
            }
            if c.is_whitespace() || c == '(' || c == ')' || c == '"' || (stop_at_colon && c == ':') {
                break;
            }
            w.push((c, false));
            self.at += 1;
        }
        w
    }

    fn term(&mut self) -> Result<Query, ParseError> {
        let start = self.at;
        let word = self.word(true);
        if self.peek() == Some(':') && !word.is_empty() && word.iter().all(|(c, e)| !e && is_field_char(*c)) {
            self.at += 1;
            let name = plain(&word);
            if name == "_exists_" {
                let target = self.word(false);
                if target.is_empty() {
                    return Err(self.error("_exists_ needs a field name"));
                }
                let target = plain(&target);
                let (attribute, name) = match target.strip_prefix('@') {
                    Some(rest) => (true, rest.to_owned()),
                    None => (false, target),
                };
                return Ok(Query::Term(Term { field: Some(FieldRef { name, attribute }), matcher: Matcher::Exists }));
            }
            let (attribute, name) = match name.strip_prefix('@') {
                Some(rest) => (true, rest.to_owned()),
                None => (false, name),
            };
            if name.is_empty() {
                return Err(ParseError { message: "'@' needs an attribute name".into(), position: start });
            }
            let field = FieldRef { name, attribute };
            return self.field_value(field);
        }
        // Free text: the colon (if any) was part of the word.
        self.at = start;
        let word = self.word(false);
        if word.is_empty() {
            return Err(self.error("expected a term"));
        }
        Ok(Query::Term(Term { field: None, matcher: value_matcher(&word) }))
    }

    fn field_value(&mut self, field: FieldRef) -> Result<Query, ParseError> {
        let term = |matcher| Query::Term(Term { field: Some(field.clone()), matcher });
        match self.peek() {
            None => Err(self.error(&format!("missing value after '{}:'", field.name))),
            Some(c) if c.is_whitespace() || c == ')' => Err(self.error(&format!("missing value after '{}:'", field.name))),
            Some('"') => Ok(term(Matcher::Exact(self.phrase()?))),
            Some('(') => {
                let open = self.at;
                self.at += 1;
                self.enter()?;
                let q = self.value_or(&field)?;
                self.depth -= 1;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(ParseError { message: "'(' is never closed".into(), position: open });
                }
                self.at += 1;
                Ok(q)
            }
            Some('[' | '{') => self.range(&field),
            Some('>' | '<') => {
                let op_start = self.at;
                let lt = self.peek() == Some('<');
                self.at += 1;
                let eq = self.peek() == Some('=');
                if eq {
                    self.at += 1;
                }
                let value = if self.peek() == Some('"') { self.phrase()? } else { plain(&self.word(false)) };
                if value.is_empty() {
                    return Err(ParseError { message: "comparison needs a value".into(), position: op_start });
                }
                let op = match (lt, eq) {
                    (false, false) => CompareOp::Gt,
                    (false, true) => CompareOp::Ge,
                    (true, false) => CompareOp::Lt,
                    (true, true) => CompareOp::Le,
                };
                Ok(term(Matcher::Compare(op, value)))
            }
            Some(_) => {
                let word = self.word(false);
                if word.len() == 1 && word[0] == ('*', false) {
                    return Ok(term(Matcher::Exists));
                }
                Ok(term(value_matcher(&word)))
            }
        }
    }

    /// Values inside `field:( ... )`: words or phrases joined by AND/OR/NOT.
    fn value_or(&mut self, field: &FieldRef) -> Result<Query, ParseError> {
        let mut parts = vec![self.value_and(field)?];
        self.skip_space();
        while self.at_keyword("OR") {
            self.at += 2;
            parts.push(self.value_and(field)?);
            self.skip_space();
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Query::Or(parts) })
    }

    fn value_and(&mut self, field: &FieldRef) -> Result<Query, ParseError> {
        let mut parts = Vec::new();
        loop {
            self.skip_space();
            if self.at_keyword("AND") {
                self.at += 3;
                continue;
            }
            match self.peek() {
                None | Some(')') => break,
                _ if self.at_keyword("OR") => break,
                _ => {}
            }
            let negate = if self.at_keyword("NOT") {
                self.at += 3;
                self.skip_space();
                true
            } else if self.peek() == Some('-') {
                self.at += 1;
                true
            } else {
                false
            };
            let q = if self.peek() == Some('(') {
                self.at += 1;
                self.enter()?;
                let inner = self.value_or(field)?;
                self.depth -= 1;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(self.error("'(' is never closed"));
                }
                self.at += 1;
                inner
            } else {
                self.field_value(field.clone())?
            };
            parts.push(if negate { Query::Not(Box::new(q)) } else { q });
        }
        match parts.len() {
            0 => Err(self.error("empty value group")),
            1 => Ok(parts.pop().expect("one part")),
            _ => Ok(Query::And(parts)),
        }
    }

    fn range(&mut self, field: &FieldRef) -> Result<Query, ParseError> {
        let open = self.at;
        let low_inclusive = self.peek() == Some('[');
        self.at += 1;
        self.skip_space();
        let low = plain(&self.range_word());
        self.skip_space();
        if !self.at_keyword("TO") {
            return Err(self.error("range needs 'TO' between its bounds, like [100 TO 500]"));
        }
        self.at += 2;
        self.skip_space();
        let high = plain(&self.range_word());
        self.skip_space();
        let high_inclusive = match self.peek() {
            Some(']') => true,
            Some('}') => false,
            _ => return Err(ParseError { message: "range is never closed with ']' or '}'".into(), position: open }),
        };
        self.at += 1;
        if low.is_empty() || high.is_empty() {
            return Err(ParseError { message: "range needs two bounds (use * for an open end)".into(), position: open });
        }
        let bound = |b: String| if b == "*" { None } else { Some(b) };
        Ok(Query::Term(Term {
            field: Some(field.clone()),
            matcher: Matcher::Range { low: bound(low), high: bound(high), low_inclusive, high_inclusive },
        }))
    }

    fn range_word(&mut self) -> Vec<WordChar> {
        let mut w = Vec::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == ']' || c == '}' {
                break;
            }
            w.push((c, false));
            self.at += 1;
        }
        w
    }
}
