//! Recursive-descent parser from search text to [`Query`]. It works on chars
//! rather than bytes so that error columns match what the user sees.

use crate::ast::{CompareOp, FieldRef, Matcher, ParseError, Query, Term};

/// Longer searches are refused: nobody types them, and they only cost the server.
pub(crate) const MAX_INPUT_CHARS: usize = 4096;
/// Deeper nesting (groups, NOT, `-`) is refused so that recursion here and in
/// rendering stays shallow whatever the input.
pub(crate) const MAX_DEPTH: usize = 64;

/// Parses a search. Empty or all-whitespace input is [`Query::All`].
pub fn parse(input: &str) -> Result<Query, ParseError> {
    if input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(ParseError {
            message: format!("search is longer than {MAX_INPUT_CHARS} characters"),
            position: MAX_INPUT_CHARS,
        });
    }
    let mut p = Parser {
        chars: input.chars().collect(),
        at: 0,
        depth: 0,
    };
    p.skip_space();
    if p.at_end() {
        return Ok(Query::All);
    }
    let query = p.or(None)?;
    // `or` stops early only at a ')' that no group of its own opened.
    if !p.at_end() {
        return Err(p.error("unexpected ')' without a matching '('"));
    }
    Ok(query)
}

/// Where the boolean grammar is being applied: at the top level (`None`), or
/// inside `field:( ... )`, where the operands are values of that field.
type Scope<'a> = Option<&'a FieldRef>;

/// One character of an unquoted word, and whether a backslash escaped it.
type WordChar = (char, bool);

fn noun(scope: Scope<'_>) -> &'static str {
    if scope.is_some() { "value" } else { "term" }
}

fn is_field_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

/// Characters that end an unquoted word (unless escaped).
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

/// Characters that end a keyword, so that `OR` is a keyword in `a OR(b)` and
/// `TO` in `[1 TO]`, but not in `ORDER` or `OR:x`.
fn ends_keyword(c: char) -> bool {
    ends_word(c) || matches!(c, ']' | '}')
}

fn plain(word: &[WordChar]) -> String {
    word.iter().map(|(c, _)| *c).collect()
}

/// A bare unescaped `*`: "has a value" as a field value, an open range bound.
fn is_star(word: &[WordChar]) -> bool {
    word == [('*', false)]
}

/// An unquoted word is a wildcard pattern when it has an unescaped `*` or `?`.
fn word_matcher(word: &[WordChar]) -> Matcher {
    if !word
        .iter()
        .any(|&(c, escaped)| !escaped && matches!(c, '*' | '?'))
    {
        return Matcher::Exact(plain(word));
    }
    let mut pattern = String::new();
    for &(c, escaped) in word {
        if escaped && matches!(c, '*' | '?' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    Matcher::Wildcard(pattern)
}

/// The field a word before ':' names, if it is a field name at all.
fn field_ref(word: &[WordChar]) -> Option<FieldRef> {
    let (attribute, name) = match word.first() {
        Some(('@', false)) => (true, &word[1..]),
        _ => (false, word),
    };
    let valid = !name.is_empty()
        && name
            .iter()
            .all(|&(c, escaped)| !escaped && is_field_char(c));
    valid.then(|| FieldRef {
        name: plain(name),
        attribute,
    })
}

fn term(field: Option<FieldRef>, matcher: Matcher) -> Query {
    Query::Term(Term { field, matcher })
}

/// A single part stands alone; several are combined with `combine`.
fn combine(mut parts: Vec<Query>, combine: fn(Vec<Query>) -> Query) -> Query {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        combine(parts)
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn error(&self, message: impl Into<String>) -> ParseError {
        self.error_at(message, self.at)
    }

    fn error_at(&self, message: impl Into<String>, position: usize) -> ParseError {
        ParseError {
            message: message.into(),
            position,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn at_end(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// Whether the uppercase keyword `kw` stands at the cursor as a whole word.
    fn at_keyword(&self, kw: &str) -> bool {
        let n = kw.chars().count();
        self.chars
            .get(self.at..self.at + n)
            .is_some_and(|s| s.iter().copied().eq(kw.chars()))
            && self.chars.get(self.at + n).is_none_or(|&c| ends_keyword(c))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        let found = self.at_keyword(kw);
        if found {
            self.at += kw.chars().count();
        }
        found
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("search nests deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// After AND, OR or NOT there must be an operand, not the end, a ')' or
    /// another AND/OR.
    fn expect_operand(&mut self, kw: &str, scope: Scope<'_>) -> Result<(), ParseError> {
        self.skip_space();
        if self.at_end()
            || self.peek() == Some(')')
            || self.at_keyword("AND")
            || self.at_keyword("OR")
        {
            return Err(self.error(format!("{kw} needs a {} after it", noun(scope))));
        }
        Ok(())
    }

    fn or(&mut self, scope: Scope<'_>) -> Result<Query, ParseError> {
        let mut parts = vec![self.and(scope)?];
        // `and` returns with spaces skipped, at the end, a ')' or an OR.
        while self.eat_keyword("OR") {
            self.expect_operand("OR", scope)?;
            parts.push(self.and(scope)?);
        }
        Ok(combine(parts, Query::Or))
    }

    fn and(&mut self, scope: Scope<'_>) -> Result<Query, ParseError> {
        let mut parts = vec![self.unary(scope)?];
        loop {
            self.skip_space();
            if self.at_end() || self.peek() == Some(')') || self.at_keyword("OR") {
                break;
            }
            // AND is optional: terms side by side are joined by AND anyway.
            if self.eat_keyword("AND") {
                self.expect_operand("AND", scope)?;
            }
            parts.push(self.unary(scope)?);
        }
        Ok(combine(parts, Query::And))
    }

    fn unary(&mut self, scope: Scope<'_>) -> Result<Query, ParseError> {
        self.skip_space();
        if self.eat_keyword("NOT") {
            self.expect_operand("NOT", scope)?;
            return self
                .nested(|p| p.unary(scope))
                .map(|q| Query::Not(Box::new(q)));
        }
        // A '-' negates only when glued to what follows; a lone '-' is a word.
        if self.peek() == Some('-')
            && self
                .peek_at(1)
                .is_some_and(|c| !c.is_whitespace() && c != ')')
        {
            self.at += 1;
            return self
                .nested(|p| p.unary(scope))
                .map(|q| Query::Not(Box::new(q)));
        }
        self.primary(scope)
    }

    fn primary(&mut self, scope: Scope<'_>) -> Result<Query, ParseError> {
        self.skip_space();
        for kw in ["AND", "OR"] {
            if self.at_keyword(kw) {
                return Err(self.error(format!("{kw} needs a {} before it", noun(scope))));
            }
        }
        match (self.peek(), scope) {
            (None, _) => Err(self.error(format!("expected a {}", noun(scope)))),
            (Some(')'), _) => Err(self.error("unexpected ')' without a matching '('")),
            (Some('('), _) => self.nested(|p| p.group(scope)),
            (Some(_), None) => self.term(),
            (Some(_), Some(field)) => self.value(field),
        }
    }

    /// `( ... )`; the cursor is on the '('.
    fn group(&mut self, scope: Scope<'_>) -> Result<Query, ParseError> {
        let open = self.at;
        self.at += 1;
        self.skip_space();
        if self.peek() == Some(')') {
            let what = if scope.is_some() {
                "empty value group"
            } else {
                "empty parentheses"
            };
            return Err(self.error(what));
        }
        if self.at_end() {
            return Err(self.error_at("'(' is never closed", open));
        }
        let query = self.or(scope)?;
        if self.peek() != Some(')') {
            return Err(self.error_at("'(' is never closed", open));
        }
        self.at += 1;
        Ok(query)
    }

    /// A top-level term: `field:value`, `_exists_:field`, a phrase or a word.
    fn term(&mut self) -> Result<Query, ParseError> {
        let start = self.at;
        if self.peek() == Some('"') {
            return Ok(term(None, Matcher::Exact(self.phrase()?)));
        }
        let head = self.word(|c| ends_word(c) || c == ':');
        if self.peek() != Some(':') {
            return Ok(term(None, word_matcher(&head)));
        }
        if head.is_empty() {
            return Err(self.error("':' needs a field name before it"));
        }
        if head == [('@', false)] {
            return Err(self.error_at("'@' needs an attribute name after it", start));
        }
        let Some(field) = field_ref(&head) else {
            // Not a field name (say `a*b:c`): the colon is part of a free-text word.
            self.at = start;
            let word = self.word(ends_word);
            return Ok(term(None, word_matcher(&word)));
        };
        self.at += 1;
        if field.name == "_exists_" && !field.attribute {
            return self.exists_target();
        }
        self.value(&field)
    }

    /// The field named after `_exists_:`.
    fn exists_target(&mut self) -> Result<Query, ParseError> {
        let start = self.at;
        let word = self.word(ends_word);
        if word.is_empty() {
            return Err(self.error("_exists_ needs a field name after it"));
        }
        match field_ref(&word) {
            Some(field) => Ok(term(Some(field), Matcher::Exists)),
            None => Err(self.error_at(format!("'{}' is not a field name", plain(&word)), start)),
        }
    }

    /// The value of `field`, right after its ':' or inside its value group.
    fn value(&mut self, field: &FieldRef) -> Result<Query, ParseError> {
        let matcher = match self.peek() {
            None | Some(')') => return Err(self.missing_value(field)),
            Some(c) if c.is_whitespace() => return Err(self.missing_value(field)),
            Some('(') => return self.nested(|p| p.group(Some(field))),
            Some('"') => Matcher::Exact(self.phrase()?),
            Some('[' | '{') => self.range()?,
            Some('>' | '<') => self.comparison()?,
            Some(_) => {
                let word = self.word(ends_word);
                if is_star(&word) {
                    Matcher::Exists
                } else {
                    word_matcher(&word)
                }
            }
        };
        Ok(term(Some(field.clone()), matcher))
    }

    fn missing_value(&self, field: &FieldRef) -> ParseError {
        self.error(format!("missing value after '{}:'", field.display_name()))
    }

    /// `>500`, `>=500`, `<"b"`, `<=0.5`; the cursor is on the '>' or '<'.
    fn comparison(&mut self) -> Result<Matcher, ParseError> {
        let start = self.at;
        let op = match (self.peek(), self.peek_at(1)) {
            (Some('>'), Some('=')) => CompareOp::Ge,
            (Some('>'), _) => CompareOp::Gt,
            (Some(_), Some('=')) => CompareOp::Le,
            _ => CompareOp::Lt,
        };
        self.at += op.symbol().len();
        let value = match self.peek() {
            Some('"') => self.phrase()?,
            _ => plain(&self.word(ends_word)),
        };
        if value.is_empty() {
            return Err(self.error_at(format!("'{}' needs a value after it", op.symbol()), start));
        }
        Ok(Matcher::Compare(op, value))
    }

    /// `[low TO high]`, with `{`/`}` for exclusive ends; the cursor is on the
    /// opening bracket.
    fn range(&mut self) -> Result<Matcher, ParseError> {
        let open = self.at;
        let low_inclusive = self.peek() == Some('[');
        self.at += 1;
        self.skip_space();
        if self.at_keyword("TO") || matches!(self.peek(), Some(']' | '}')) {
            return Err(self.error("range needs a lower bound (use * for none)"));
        }
        let low = self.bound(open)?;
        self.skip_space();
        if !self.eat_keyword("TO") {
            if self.at_end() {
                return Err(self.unclosed_range(open));
            }
            return Err(self.error("range needs TO between its bounds, like [100 TO 500]"));
        }
        self.skip_space();
        if matches!(self.peek(), Some(']' | '}')) {
            return Err(self.error("range needs an upper bound (use * for none)"));
        }
        let high = self.bound(open)?;
        self.skip_space();
        let high_inclusive = match self.peek() {
            Some(']') => true,
            Some('}') => false,
            None => return Err(self.unclosed_range(open)),
            Some(_) => return Err(self.error("expected ']' or '}' to close the range")),
        };
        self.at += 1;
        Ok(Matcher::Range {
            low,
            high,
            low_inclusive,
            high_inclusive,
        })
    }

    fn unclosed_range(&self, open: usize) -> ParseError {
        self.error_at("range is never closed with ']' or '}'", open)
    }

    /// One bound of a range: a phrase, `*` (open) or a word.
    fn bound(&mut self, open: usize) -> Result<Option<String>, ParseError> {
        match self.peek() {
            None => Err(self.unclosed_range(open)),
            Some('"') => Ok(Some(self.phrase()?)),
            Some(_) => {
                let word = self.word(|c| c.is_whitespace() || matches!(c, '"' | ']' | '}'));
                Ok((!is_star(&word)).then(|| plain(&word)))
            }
        }
    }

    /// A quoted phrase, where only `\"` and `\\` are escapes; the cursor is
    /// on the opening quote.
    fn phrase(&mut self) -> Result<String, ParseError> {
        let open = self.at;
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error_at("unterminated quoted phrase", open)),
                Some('"') => {
                    self.at += 1;
                    return Ok(text);
                }
                Some('\\') if matches!(self.peek_at(1), Some('"' | '\\')) => {
                    text.push(self.chars[self.at + 1]);
                    self.at += 2;
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// An unquoted word up to an unescaped character for which `stop` holds.
    /// A backslash makes the next character literal; a trailing backslash
    /// stands for itself.
    fn word(&mut self, stop: impl Fn(char) -> bool) -> Vec<WordChar> {
        let mut word = Vec::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                word.push((self.peek_at(1).unwrap_or('\\'), true));
                self.at = (self.at + 2).min(self.chars.len());
                continue;
            }
            if stop(c) {
                break;
            }
            word.push((c, false));
            self.at += 1;
        }
        word
    }
}
