//! Grouping errors into issues. An error's fingerprint is a hash of its type,
//! its message with the variable parts (numbers, hex ids) replaced, and its
//! top in-app stack frame (function and file, not the line, which moves with
//! every deploy). A fingerprint the client supplies wins.
//!
//! Stack traces are read in the forms their runtimes print: Java/Kotlin and
//! .NET (`at pkg.Class.method(File.java:42)`), JavaScript (`at fn
//! (src/file.ts:1:2)`), Python (`File "app.py", line 3, in handler`, newest
//! call last), Go (function line, then a tab-indented `file.go:42`) and Ruby
//! (`app/x.rb:42:in 'method'`).

/// Longest message part hashed (after normalisation).
const MAX_HASHED_MESSAGE: usize = 512;

/// One frame of a stack trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: Option<u32>,
    pub in_app: bool,
}

impl Frame {
    /// `function (file:line)`, as an issue's culprit.
    pub fn culprit(&self) -> String {
        let location = match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        };
        match (self.function.is_empty(), location.is_empty()) {
            (false, false) => format!("{} ({location})", self.function),
            (false, true) => self.function.clone(),
            _ => location,
        }
    }
}

/// 64-bit FNV-1a over parts joined by a 0xff byte: stable across versions
/// and platforms, unlike std's hasher.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The message with what varies between occurrences replaced: digit runs
/// become `<n>`, words of hex digits (with at least one digit) `<hex>`.
pub fn normalise_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_HASHED_MESSAGE));
    let mut chars = message.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if out.len() >= MAX_HASHED_MESSAGE {
            break;
        }
        if !c.is_ascii_alphanumeric() {
            out.push(c);
            chars.next();
            continue;
        }
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_ascii_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let word = &message[start..end];
        let has_digit = word.bytes().any(|b| b.is_ascii_digit());
        if !has_digit {
            out.push_str(word);
        } else if word.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str("<n>");
        } else if word.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("<hex>");
        } else {
            let mut in_digits = false;
            for ch in word.chars() {
                if ch.is_ascii_digit() {
                    if !in_digits {
                        out.push_str("<n>");
                    }
                    in_digits = true;
                } else {
                    out.push(ch);
                    in_digits = false;
                }
            }
        }
    }
    out
}

const LIBRARY_PREFIXES: &[&str] = &[
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "kotlinx.",
    "scala.",
    "org.springframework.",
    "org.apache.",
    "org.hibernate.",
    "org.postgresql.",
    "org.eclipse.",
    "org.junit.",
    "com.zaxxer.",
    "com.mysql.",
    "com.fasterxml.",
    "io.netty.",
    "io.grpc.",
    "reactor.",
    "okhttp3.",
    "feign.",
    "retrofit2.",
    "software.amazon.",
    "com.amazonaws.",
    "System.",
    "Microsoft.",
    "runtime.",
    "net/http.",
    "database/sql.",
];

fn library_function(function: &str) -> bool {
    LIBRARY_PREFIXES.iter().any(|p| function.starts_with(p))
}

fn library_path(path: &str) -> bool {
    path.contains("node_modules")
        || path.starts_with("node:")
        || path.starts_with("internal/")
        || path.contains("site-packages")
        || path.contains("dist-packages")
        || path.contains("/lib/python")
        || path.starts_with("<frozen")
        || path.contains("/gems/")
        || path.contains("/usr/local/go/")
        || path.contains("/go/pkg/mod/")
}

/// Splits `path:line[:column]` into path and line.
fn path_line(location: &str) -> (String, Option<u32>) {
    let mut parts = location.rsplitn(3, ':');
    let last = parts.next().unwrap_or("");
    let middle = parts.next();
    let first = parts.next();
    match (first, middle) {
        (Some(path), Some(line)) if line.parse::<u32>().is_ok() && last.parse::<u32>().is_ok() => {
            (path.to_owned(), line.parse().ok())
        }
        _ => match location.rsplit_once(':') {
            Some((path, line)) if line.parse::<u32>().is_ok() => {
                (path.to_owned(), line.parse().ok())
            }
            _ => (location.to_owned(), None),
        },
    }
}

/// The file name without directories (paths differ between hosts and builds).
fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Frames of a stack trace, newest call first, whatever the runtime.
pub fn parse_frames(stack: &str) -> Vec<Frame> {
    let lines: Vec<&str> = stack.lines().collect();
    let mut frames = Vec::new();
    let mut python = false;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim();
        i += 1;
        if let Some(rest) = line.strip_prefix("at ") {
            // Java, Kotlin, .NET, JavaScript.
            let rest = rest.strip_prefix("async ").unwrap_or(rest);
            if let Some(open) = rest.find('(') {
                let function = rest[..open].trim().to_owned();
                let inside = rest[open + 1..].trim_end_matches(')');
                let (file, line_no) = if let Some((_, loc)) = rest.split_once(") in ") {
                    // .NET: `at N.C.M(args) in /src/File.cs:line 42`
                    match loc.rsplit_once(":line ") {
                        Some((f, l)) => (f.to_owned(), l.trim().parse().ok()),
                        None => (loc.to_owned(), None),
                    }
                } else {
                    path_line(inside)
                };
                let in_app = !library_function(&function) && !library_path(&file);
                frames.push(Frame {
                    function,
                    file,
                    line: line_no,
                    in_app,
                });
            } else {
                let (file, line_no) = path_line(rest);
                let in_app = !library_path(&file);
                frames.push(Frame {
                    function: String::new(),
                    file,
                    line: line_no,
                    in_app,
                });
            }
        } else if let Some(rest) = line.strip_prefix("File \"") {
            // Python: File "path", line N, in function
            python = true;
            let (file, tail) = rest.split_once('"').unwrap_or((rest, ""));
            let line_no = tail
                .split(", ")
                .find_map(|p| p.strip_prefix("line "))
                .and_then(|n| n.trim().parse().ok());
            let function = tail
                .split(", ")
                .find_map(|p| p.strip_prefix("in "))
                .unwrap_or("")
                .trim()
                .to_owned();
            frames.push(Frame {
                in_app: !library_path(file),
                function,
                file: file.to_owned(),
                line: line_no,
            });
        } else if !raw.starts_with(char::is_whitespace)
            && raw.contains('(')
            && i < lines.len()
            && lines[i].starts_with('\t')
            && lines[i].contains(".go:")
        {
            // Go: `pkg.function(args)` then `\t/path/file.go:42 +0x1d`.
            let function = raw[..raw.rfind('(').unwrap_or(raw.len())].to_owned();
            let location = lines[i].trim().split(' ').next().unwrap_or("");
            i += 1;
            let (file, line_no) = path_line(location);
            frames.push(Frame {
                in_app: !library_function(&function) && !library_path(&file),
                function,
                file,
                line: line_no,
            });
        } else if let Some((location, function)) = line.split_once(":in ") {
            // Ruby: app/models/user.rb:42:in 'method'
            let (file, line_no) = path_line(location);
            frames.push(Frame {
                in_app: !library_path(&file),
                function: function.trim_matches(|c| c == '`' || c == '\'').to_owned(),
                file,
                line: line_no,
            });
        }
    }
    if python {
        frames.reverse();
    }
    frames
}

/// The frame an issue is blamed on: the newest in-app frame, else the
/// newest frame.
pub fn top_frame(stack: &str) -> Option<Frame> {
    let frames = parse_frames(stack);
    frames.iter().find(|f| f.in_app).or(frames.first()).cloned()
}

/// An error's fingerprint (16 hex digits) and the frame it is blamed on.
pub fn fingerprint(
    error_type: &str,
    message: &str,
    stack: Option<&str>,
    client_fingerprint: Option<&str>,
) -> (String, Option<Frame>) {
    let frame = stack.and_then(top_frame);
    if let Some(client) = client_fingerprint.filter(|f| !f.trim().is_empty()) {
        return (format!("{:016x}", fnv1a(&["client", client.trim()])), frame);
    }
    let normalised = normalise_message(message);
    let (function, file) = frame
        .as_ref()
        .map(|f| (f.function.as_str(), base_name(&f.file)))
        .unwrap_or(("", ""));
    (
        format!("{:016x}", fnv1a(&[error_type, &normalised, function, file])),
        frame,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn messages_lose_their_variable_parts() {
        assert_eq!(
            normalise_message(
                "Error 111 connecting to reco-prod.cache.internal:6379. Connection refused."
            ),
            "Error <n> connecting to reco-prod.cache.internal:<n>. Connection refused."
        );
        assert_eq!(
            normalise_message("order 4f2a9c1e-77aa-4b1c-9a0d-1234567890ab not found for user42"),
            normalise_message("order 0b2a9c1e-11aa-4b1c-9a0d-aaaa567890ab not found for user7")
        );
        assert_eq!(normalise_message("Network Error"), "Network Error");
        assert_eq!(normalise_message("한글 42개"), "한글 <n>개");
    }

    #[test]
    fn java_top_in_app_frame() {
        let stack = "com.remember.jobs.infra.db.QueryTimeoutError: canceling statement
\tat com.remember.jobs.infra.db.JdbcExceptionTranslator.translate(JdbcExceptionTranslator.kt:41)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)
Caused by: org.postgresql.util.PSQLException: ERROR
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)";
        let f = top_frame(stack).unwrap();
        assert_eq!(
            f.function,
            "com.remember.jobs.infra.db.JdbcExceptionTranslator.translate"
        );
        assert_eq!(
            f.culprit(),
            "com.remember.jobs.infra.db.JdbcExceptionTranslator.translate (JdbcExceptionTranslator.kt:41)"
        );
        let lib = "java.lang.NullPointerException\n\tat java.util.Objects.requireNonNull(Objects.java:209)\n\tat com.acme.App.run(App.java:7)";
        assert_eq!(top_frame(lib).unwrap().function, "com.acme.App.run");
    }

    #[test]
    fn javascript_python_go_ruby_dotnet() {
        let js = "AxiosError: Network Error\n    at XMLHttpRequest.handleError (node_modules/axios/lib/adapters/xhr.js:110:14)\n    at async fetchJobs (src/api/jobs.ts:42:13)";
        let f = top_frame(js).unwrap();
        assert_eq!(
            (f.function.as_str(), f.file.as_str(), f.line),
            ("fetchJobs", "src/api/jobs.ts", Some(42))
        );
        let py = "Traceback (most recent call last):\n  File \"/usr/lib/python3.12/site-packages/flask/app.py\", line 880, in full_dispatch_request\n  File \"/app/orders/views.py\", line 31, in create_order\n  File \"/app/orders/db.py\", line 12, in insert\nKeyError: 'user_id'";
        let f = top_frame(py).unwrap();
        assert_eq!((f.function.as_str(), f.line), ("insert", Some(12)));
        let go = "goroutine 1 [running]:\nruntime.panic(0x1)\n\t/usr/local/go/src/runtime/panic.go:12 +0x1\nmain.handler(0xc000)\n\t/app/main.go:42 +0x1d";
        let f = top_frame(go).unwrap();
        assert_eq!(
            (f.function.as_str(), f.file.as_str(), f.line),
            ("main.handler", "/app/main.go", Some(42))
        );
        let rb = "/usr/lib/ruby/gems/3.2/rack.rb:10:in `call'\napp/models/user.rb:42:in `save'";
        assert_eq!(top_frame(rb).unwrap().function, "save");
        let net = "System.InvalidOperationException: x\n   at Acme.Orders.Service.Place(Order o) in /src/Orders/Service.cs:line 42";
        let f = top_frame(net).unwrap();
        assert_eq!(
            (f.function.as_str(), f.line),
            ("Acme.Orders.Service.Place", Some(42))
        );
    }

    #[test]
    fn fingerprints_group_and_separate() {
        let s1 = "E\n\tat com.acme.A.run(A.java:10)";
        let s2 = "E\n\tat com.acme.A.run(A.java:99)";
        let (a, _) = fingerprint("E", "user 1 missing", Some(s1), None);
        let (b, _) = fingerprint("E", "user 2 missing", Some(s2), None);
        assert_eq!(a, b, "line numbers and ids do not split an issue");
        let (c, _) = fingerprint("F", "user 1 missing", Some(s1), None);
        assert_ne!(a, c);
        let (d, _) = fingerprint(
            "E",
            "user 1 missing",
            Some("E\n\tat com.acme.B.run(B.java:10)"),
            None,
        );
        assert_ne!(a, d);
        let (e, _) = fingerprint("E", "x", None, Some("checkout-timeout"));
        let (f, _) = fingerprint("G", "y", Some(s1), Some("checkout-timeout"));
        assert_eq!(e, f, "the client's fingerprint wins");
        assert_eq!(a.len(), 16);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,400}") {
            let _ = parse_frames(&s);
            let _ = normalise_message(&s);
            let _ = fingerprint(&s, &s, Some(&s), None);
        }
    }
}
