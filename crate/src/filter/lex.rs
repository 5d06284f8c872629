//! Splits a filter expression into tokens, each with its position counted in characters.
//!
//! Owns the spelling of operators, keywords and quoted text. It never interprets a word: whether
//! `10.0.0.0/8` is a network or `tcp` a protocol is the parser's business, because that depends
//! on which field the word is compared with.

use super::FilterError;

/// Where a token sits in the expression, in characters (not bytes), for error carets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub at: usize,
    pub len: usize,
}

impl Span {
    /// The span from the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        let end = other.at.saturating_add(other.len).max(self.at);
        Span {
            at: self.at,
            len: end - self.at,
        }
    }
}

/// Comparison operators, in symbol or word form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CmpOp {
    Eq,
    /// `!=`: Wireshark 4's "all not equal".
    Ne,
    /// `===`: every occurrence equal.
    AllEq,
    /// `!==`: some occurrence not equal.
    AnyNe,
    Lt,
    Gt,
    Le,
    Ge,
    Contains,
    /// `&`: the field has some of the mask's bits set.
    BitAnd,
}

impl CmpOp {
    pub fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::AllEq => "===",
            CmpOp::AnyNe => "!==",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::BitAnd => "&",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    And,
    Or,
    Not,
    In,
    Cmp(CmpOp),
    /// A run of name characters: a field name, a number, an address, a bare text value.
    Word(String),
    /// Double-quoted text with its escapes resolved.
    Str(String),
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::Comma => "`,`".into(),
            Tok::And => "`and`".into(),
            Tok::Or => "`or`".into(),
            Tok::Not => "`not`".into(),
            Tok::In => "`in`".into(),
            Tok::Cmp(op) => format!("`{}`", op.text()),
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(_) => "a quoted text".into(),
        }
    }
}

/// Characters a field name or an unquoted value may hold: names (`tcp.flags.syn`), numbers
/// (`0x1f`, `-3`), addresses (`fe80::1`, `10.0.0.0/8`, `00:11:22:33:44:55`) and ranges (`1..9`).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
}

fn is_op_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>' | '&' | '|' | '~')
}

/// Symbol operators, longest first so a greedy split finds `===` before `==`.
const SYMBOLS: [&str; 15] = [
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "&", "|", "~", "=",
];

fn err(at: usize, len: usize, message: impl Into<String>) -> FilterError {
    FilterError {
        at,
        len: len.max(1),
        message: message.into(),
    }
}

pub(super) fn lex(chars: &[char]) -> Result<Vec<(Tok, Span)>, FilterError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, Span { at: i, len: 1 }));
            i += 1;
        } else if c == '"' {
            let (s, next) = string(chars, i)?;
            out.push((
                Tok::Str(s),
                Span {
                    at: start,
                    len: next - start,
                },
            ));
            i = next;
        } else if is_word_char(c) {
            while chars.get(i).is_some_and(|&c| is_word_char(c)) {
                i += 1;
            }
            let w: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
            let span = Span {
                at: start,
                len: i - start,
            };
            out.push((keyword(&w).unwrap_or(Tok::Word(w)), span));
        } else if is_op_char(c) {
            while chars.get(i).is_some_and(|&c| is_op_char(c)) {
                i += 1;
            }
            let run: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
            operators(&run, start, &mut out)?;
        } else if c == '\'' {
            return Err(err(i, 1, "text goes in double quotes: \"like this\""));
        } else if c == '[' {
            return Err(err(i, 1, "byte slices (`field[0:2]`) are not supported"));
        } else {
            return Err(err(i, 1, format!("unexpected character `{c}`")));
        }
    }
    Ok(out)
}

/// Word-form operators and connectives, in any letter case as Wireshark accepts them.
fn keyword(w: &str) -> Option<Tok> {
    let lower = w.to_ascii_lowercase();
    Some(match lower.as_str() {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        "eq" => Tok::Cmp(CmpOp::Eq),
        "ne" => Tok::Cmp(CmpOp::Ne),
        "all_eq" => Tok::Cmp(CmpOp::AllEq),
        "any_ne" => Tok::Cmp(CmpOp::AnyNe),
        "lt" => Tok::Cmp(CmpOp::Lt),
        "gt" => Tok::Cmp(CmpOp::Gt),
        "le" => Tok::Cmp(CmpOp::Le),
        "ge" => Tok::Cmp(CmpOp::Ge),
        "contains" => Tok::Cmp(CmpOp::Contains),
        "bitwise_and" | "bitand" => Tok::Cmp(CmpOp::BitAnd),
        _ => return None,
    })
}

/// Splits a run of operator characters. A run is one operator followed only by `!`s
/// (`&&!`, `==`, `!!`); anything else (`<>`, `=>`) is a mistyped operator, reported whole.
fn operators(run: &str, start: usize, out: &mut Vec<(Tok, Span)>) -> Result<(), FilterError> {
    let mut parts: Vec<(&str, usize)> = Vec::new();
    let mut rest = run;
    let mut at = start;
    while !rest.is_empty() {
        let Some(sym) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) else {
            break;
        };
        parts.push((sym, at));
        at += sym.len();
        rest = rest.get(sym.len()..).unwrap_or("");
    }
    let run_len = run.chars().count();
    let tail_ok = parts.iter().skip(1).all(|(s, _)| *s == "!");
    if !rest.is_empty() || !tail_ok {
        return Err(err(
            start,
            run_len,
            format!("unknown operator `{run}`: use ==, !=, <, >, <=, >=, &&, || or !"),
        ));
    }
    for (sym, at) in parts {
        let len = sym.len();
        let tok = match sym {
            "===" => Tok::Cmp(CmpOp::AllEq),
            "!==" => Tok::Cmp(CmpOp::AnyNe),
            "==" => Tok::Cmp(CmpOp::Eq),
            "!=" => Tok::Cmp(CmpOp::Ne),
            "<=" => Tok::Cmp(CmpOp::Le),
            ">=" => Tok::Cmp(CmpOp::Ge),
            "<" => Tok::Cmp(CmpOp::Lt),
            ">" => Tok::Cmp(CmpOp::Gt),
            "&" => Tok::Cmp(CmpOp::BitAnd),
            "&&" => Tok::And,
            "||" => Tok::Or,
            "!" => Tok::Not,
            "=" => {
                return Err(err(
                    at,
                    1,
                    "a single `=` is not an operator: use `==` to compare",
                ))
            }
            "|" => {
                return Err(err(
                    at,
                    1,
                    "a single `|` is not an operator: use `||` or `or`",
                ))
            }
            _ => {
                return Err(err(
                    at,
                    len,
                    "regular expressions (`~`, `matches`) are not supported: use `contains`",
                ))
            }
        };
        out.push((tok, Span { at, len }));
    }
    Ok(())
}

/// A double-quoted text starting at `open`; returns the text and the index after the closing
/// quote. Escapes follow Wireshark: `\"`, `\\`, `\n`, `\r`, `\t`, `\xHH`.
fn string(chars: &[char], open: usize) -> Result<(String, usize), FilterError> {
    let mut s = String::new();
    let mut i = open + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(err(
                open,
                chars.len().saturating_sub(open),
                "this text has no closing `\"`",
            ));
        };
        match c {
            '"' => return Ok((s, i + 1)),
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(err(
                        open,
                        chars.len().saturating_sub(open),
                        "this text has no closing `\"`",
                    ));
                };
                match e {
                    '"' | '\\' => s.push(e),
                    'n' => s.push('\n'),
                    'r' => s.push('\r'),
                    't' => s.push('\t'),
                    'x' => {
                        let hex: String = chars.get(i + 2..i + 4).unwrap_or(&[]).iter().collect();
                        let byte = (hex.len() == 2)
                            .then(|| u8::from_str_radix(&hex, 16).ok())
                            .flatten();
                        match byte {
                            Some(b) => s.push(char::from(b)),
                            None => {
                                return Err(err(i, 2, "`\\x` needs two hex digits, as in `\\x41`"))
                            }
                        }
                        i += 2;
                    }
                    other => {
                        return Err(err(
                            i,
                            2,
                            format!(
                                "unknown escape `\\{other}`: use \\\" \\\\ \\n \\r \\t or \\xHH"
                            ),
                        ))
                    }
                }
                i += 2;
            }
            other => {
                s.push(other);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let chars: Vec<char> = s.chars().collect();
        lex(&chars).unwrap().into_iter().map(|(t, _)| t).collect()
    }

    fn lex_err(s: &str) -> FilterError {
        let chars: Vec<char> = s.chars().collect();
        lex(&chars).unwrap_err()
    }

    #[test]
    fn words_keep_addresses_and_networks_whole() {
        assert_eq!(
            toks("ip.addr==10.0.0.0/8&&!eth.src eq 00:11:22:33:44:55"),
            vec![
                Tok::Word("ip.addr".into()),
                Tok::Cmp(CmpOp::Eq),
                Tok::Word("10.0.0.0/8".into()),
                Tok::And,
                Tok::Not,
                Tok::Word("eth.src".into()),
                Tok::Cmp(CmpOp::Eq),
                Tok::Word("00:11:22:33:44:55".into()),
            ]
        );
        assert_eq!(
            toks("ipv6.addr == ::1 OR Not x"),
            vec![
                Tok::Word("ipv6.addr".into()),
                Tok::Cmp(CmpOp::Eq),
                Tok::Word("::1".into()),
                Tok::Or,
                Tok::Not,
                Tok::Word("x".into()),
            ]
        );
    }

    #[test]
    fn operator_runs_split_only_into_one_operator_and_nots() {
        assert_eq!(toks("!!a"), vec![Tok::Not, Tok::Not, Tok::Word("a".into())]);
        assert_eq!(
            toks("a===1"),
            vec![
                Tok::Word("a".into()),
                Tok::Cmp(CmpOp::AllEq),
                Tok::Word("1".into())
            ]
        );
        let e = lex_err("a <> 1");
        assert_eq!((e.at, e.len), (2, 2));
        assert!(e.message.contains("unknown operator `<>`"), "{}", e.message);
        let e = lex_err("a = 1");
        assert_eq!((e.at, e.len), (2, 1));
        assert!(e.message.contains("use `==`"), "{}", e.message);
        let e = lex_err("a | b");
        assert_eq!((e.at, e.len), (2, 1));
        let e = lex_err("a ~ \"x\"");
        assert_eq!((e.at, e.len), (2, 1));
        assert!(e.message.contains("not supported"));
    }

    #[test]
    fn strings_resolve_escapes_and_report_where_they_open() {
        assert_eq!(toks(r#""a\"b\\c\x41""#), vec![Tok::Str("a\"b\\cA".into())]);
        let e = lex_err("x == \"abc");
        assert_eq!((e.at, e.len), (5, 4));
        assert!(e.message.contains("no closing"));
        let e = lex_err(r#"x == "a\qb""#);
        assert_eq!((e.at, e.len), (7, 2));
        let e = lex_err(r#"x == "\x4""#);
        assert_eq!(e.at, 6);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let e = lex_err("\"é\" ü");
        assert_eq!((e.at, e.len), (4, 1));
    }
}
