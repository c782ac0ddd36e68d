//! Just enough of Rust's syntax for the architecture check: tokens
//! (identifiers, `::` and punctuation, with comments, strings and character
//! literals left out), which belong to a `#[cfg(test)]` item, and the paths
//! a file names (`use` trees and `crate::`/`super::`/`self::`/`std::` paths).

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// An identifier, keyword or number.
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

impl Token {
    fn is_ident(&self, name: &str) -> bool {
        matches!(self, Token::Ident(s) if s == name)
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `source`.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = block_comment_end(&chars, i);
        } else if c == '"' {
            i = string_end(&chars, i + 1);
        } else if c == '\'' {
            i = char_literal_end(&chars, i).unwrap_or_else(|| {
                tokens.push(Token::Punct('\'')); // a lifetime or label
                i + 1
            });
        } else if let Some(end) = raw_string_end(&chars, i) {
            i = end;
        } else if is_ident_char(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && next == Some(':') {
            tokens.push(Token::PathSep);
            i += 2;
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// The index after the block comment opening at `i` (they nest).
fn block_comment_end(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    i
}

/// The index after the closing quote of a string whose content starts at `i`.
fn string_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The index after the character literal opening at `i`, or `None` when the
/// quote starts a lifetime or label.
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i + 1) == Some(&'\\') {
        let close = (i + 3..chars.len()).find(|&j| chars[j] == '\'')?;
        return Some(close + 1);
    }
    (chars.get(i + 2) == Some(&'\'')).then_some(i + 3)
}

/// The index after a raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i`.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

/// Marks the tokens of every item under `#[cfg(test)]`.
fn test_only(tokens: &[Token]) -> Vec<bool> {
    let mut marks = vec![false; tokens.len()];
    let mut i = 0;
    while i < tokens.len() {
        if starts_cfg_test(&tokens[i..]) {
            let end = item_end(tokens, i);
            marks[i..end].fill(true);
            i = end;
        } else {
            i += 1;
        }
    }
    marks
}

fn starts_cfg_test(tokens: &[Token]) -> bool {
    let pattern = [
        Token::Punct('#'),
        Token::Punct('['),
        Token::Ident("cfg".into()),
        Token::Punct('('),
        Token::Ident("test".into()),
        Token::Punct(')'),
        Token::Punct(']'),
    ];
    tokens.starts_with(&pattern)
}

/// The index after the item whose attributes start at `start`: its `;` or
/// its closing brace.
fn item_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0i32;
    for (j, token) in tokens.iter().enumerate().skip(start) {
        match token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']') => depth -= 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            Token::Punct(';') if depth == 0 => return j + 1,
            _ => {}
        }
    }
    tokens.len()
}

/// A path named in a file.
pub(crate) struct Reference {
    /// The module it is named in: the file's, then any inline `mod` blocks.
    pub(crate) scope: Vec<String>,
    pub(crate) segments: Vec<String>,
    /// The name `as` gives it (in a `use` item; elsewhere a cast's type).
    pub(crate) alias: Option<String>,
    /// Named by a `use` item (and then possibly relative to `scope`).
    pub(crate) in_use: bool,
    pub(crate) test_only: bool,
}

/// Keywords that start a path worth following outside `use` items.
const PATH_STARTS: &[&str] = &["crate", "super", "self", "std"];

/// What a file names.
pub(crate) struct ParsedFile {
    pub(crate) references: Vec<Reference>,
    /// Child modules declared `#[cfg(test)] mod name;`.
    pub(crate) test_modules: Vec<String>,
}

/// The paths `text`, the file of `module`, names.
pub(crate) fn parse(module: &[String], text: &str) -> ParsedFile {
    let tokens = tokenize(text);
    let marks = test_only(&tokens);
    let mut parsed = ParsedFile {
        references: Vec::new(),
        test_modules: Vec::new(),
    };
    // Inline modules open, with the brace depth inside each.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let starts_path = |t: &Token| {
            PATH_STARTS.iter().any(|k| t.is_ident(k))
                && tokens.get(i + 1) == Some(&Token::PathSep)
                && (i == 0 || tokens[i - 1] != Token::PathSep)
        };
        match &tokens[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            t if t.is_ident("mod") => match (tokens.get(i + 1), tokens.get(i + 2)) {
                (Some(Token::Ident(name)), Some(Token::Punct('{'))) => {
                    inline.push((name.clone(), depth + 1));
                }
                (Some(Token::Ident(name)), Some(Token::Punct(';'))) if marks[i] => {
                    parsed.test_modules.push(name.clone());
                }
                _ => {}
            },
            t if t.is_ident("use") || starts_path(t) => {
                let in_use = t.is_ident("use");
                let start = if in_use { i + 1 } else { i };
                let mut paths = Vec::new();
                let end = use_tree(&tokens, start, &[], &mut paths);
                let scope: Vec<String> = module
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(name, _)| name.clone()))
                    .collect();
                parsed
                    .references
                    .extend(paths.into_iter().map(|(segments, alias)| Reference {
                        scope: scope.clone(),
                        segments,
                        alias,
                        in_use,
                        test_only: marks[i],
                    }));
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// Reads the path or `use` tree at `i` (`a::b`, `a::{b, c::*}`, `a as b`)
/// into `out`, one full path per leaf with the name after its `as`;
/// returns the index after it.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, Option<String>)>,
) -> usize {
    let mut path = prefix.to_vec();
    let mut alias = None;
    if tokens.get(i) == Some(&Token::PathSep) {
        i += 1;
    }
    loop {
        match tokens.get(i) {
            Some(Token::Ident(segment)) => {
                path.push(segment.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::PathSep) {
                    i += 1;
                    continue;
                }
                if let (Some(as_), Some(Token::Ident(name))) = (tokens.get(i), tokens.get(i + 1))
                    && as_.is_ident("as")
                {
                    alias = Some(name.clone());
                    i += 2;
                }
            }
            Some(Token::Punct('{')) => {
                i += 1;
                while let Some(token) = tokens.get(i) {
                    if *token == Token::Punct('}') {
                        return i + 1;
                    }
                    let next = use_tree(tokens, i, &path, out);
                    i = next.max(i + 1);
                    if tokens.get(i) == Some(&Token::Punct(',')) {
                        i += 1;
                    }
                }
                return i;
            }
            Some(Token::Punct('*')) => {
                path.push("*".into());
                i += 1;
            }
            _ => {}
        }
        break;
    }
    if path.len() > prefix.len() {
        out.push((path, alias));
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<String> {
        tokenize(source)
            .into_iter()
            .map(|t| match t {
                Token::Ident(s) => s,
                Token::PathSep => "::".into(),
                Token::Punct(c) => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_characters_are_left_out() {
        let source = r###"
            // crate::a in a comment
            /* crate::b /* nested */ still a comment */
            let s = "crate::c \" {";
            let r = r#"crate::d " {"#;
            let b = br"crate::e";
            let c = '{';
            let q = '\'';
            fn f<'a>(x: &'a str) {}
        "###;
        let tokens = idents(source);
        let joined = tokens.join(" ");
        assert!(!joined.contains("crate"), "{joined}");
        assert_eq!(tokens.iter().filter(|t| *t == "{").count(), 1, "{joined}");
        assert!(joined.contains("' a"), "lifetimes stay: {joined}");
    }

    #[test]
    fn paths_keep_their_separators() {
        assert_eq!(
            idents("use crate::{a, b::C};"),
            [
                "use", "crate", "::", "{", "a", ",", "b", "::", "C", "}", ";"
            ]
        );
    }

    #[test]
    fn cfg_test_items_are_marked_to_their_end() {
        let source = "fn a() {} #[cfg(test)] #[allow(x)] mod tests { fn t() { x(); } } fn b() {}\n\
                      #[cfg(test)] mod more; #[cfg(test)] const N: [u8; 2] = [1, 2]; fn c() {}";
        let tokens = tokenize(source);
        let marks = test_only(&tokens);
        let marked: Vec<&Token> = tokens
            .iter()
            .zip(&marks)
            .filter(|(_, m)| **m)
            .map(|(t, _)| t)
            .collect();
        for name in ["tests", "t", "more", "N"] {
            assert!(
                marked.iter().any(|t| t.is_ident(name)),
                "{name} is test-only"
            );
        }
        for name in ["a", "b", "c"] {
            assert!(!marked.iter().any(|t| t.is_ident(name)), "{name} is not");
        }
    }
}
