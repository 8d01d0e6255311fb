//! Route patterns (`"DELETE /orders/*"`) and the matching API Gateway applies to the resources of
//! an IAM policy, so a rule and the policy statement made from it select the same requests.

use std::fmt;

use crate::error::RulesError;

/// The longest route pattern accepted, in bytes.
pub(crate) const MAX_PATTERN_LEN: usize = 1024;

/// A method and path pattern, kept as the tail of an `execute-api` resource ARN
/// (`GET/orders/*`): the form matched against requests and written into policies.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RoutePattern {
    /// `METHOD` + path, `*` standing for any run of characters (`/` included), as in IAM.
    glob: Box<str>,
    /// The pattern as the user wrote it, for messages.
    written: Box<str>,
}

impl RoutePattern {
    /// Parses `"METHOD /path"`: `METHOD` is an upper-case HTTP method, or `*` / `ANY` for every
    /// method; the path starts with `/`; a `{name}` or `{name+}` segment (API Gateway's path
    /// parameters) stands for `*`.
    pub(crate) fn parse(written: &str) -> Result<RoutePattern, RulesError> {
        let invalid = |reason: &'static str| RulesError::new(written, reason);
        if written.len() > MAX_PATTERN_LEN {
            return Err(invalid("longer than 1024 bytes"));
        }
        let Some((method, path)) = written.split_once(' ') else {
            return Err(invalid("not `METHOD /path`"));
        };
        let method = match method {
            "*" | "ANY" => "*",
            m if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) => m,
            _ => {
                return Err(invalid(
                    "the method is not upper-case letters, `*` or `ANY`",
                ));
            }
        };
        if !path.starts_with('/') {
            return Err(invalid("the path does not start with `/`"));
        }
        if !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "the path has spaces, control or non-ASCII characters",
            ));
        }
        if path.contains('?') {
            // `?` is IAM's one-character wildcard; a query string is never part of a route.
            return Err(invalid("the path contains `?`"));
        }
        let mut glob = String::with_capacity(method.len() + path.len());
        glob.push_str(method);
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                glob.push('/');
            }
            let is_parameter =
                segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}');
            if is_parameter {
                glob.push('*');
            } else if segment.contains(['{', '}']) {
                return Err(invalid(
                    "a `{` or `}` outside a whole `{parameter}` segment",
                ));
            } else {
                glob.push_str(segment);
            }
        }
        Ok(RoutePattern {
            glob: glob.into(),
            written: written.into(),
        })
    }

    /// The tail of a resource ARN, e.g. `GET/orders/*`.
    pub(crate) fn arn_tail(&self) -> &str {
        &self.glob
    }

    /// Whether the request tail (`GET/orders/17`) is one of this pattern's.
    pub(crate) fn matches(&self, tail: &str) -> bool {
        glob_matches(self.glob.as_bytes(), tail.as_bytes())
    }

    /// Whether some request matches both patterns.
    pub(crate) fn overlaps(&self, other: &RoutePattern) -> bool {
        globs_overlap(self.glob.as_bytes(), other.glob.as_bytes())
    }
}

impl fmt::Display for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl fmt::Debug for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.written)
    }
}

/// IAM resource matching with `*` only: `*` matches any run of bytes, `/` included; every other
/// byte matches itself. Linear backtracking to the last `*`, so at most
/// `pattern.len() * subject.len()` steps.
pub(crate) fn glob_matches(pattern: &[u8], subject: &[u8]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < subject.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, s));
                p += 1;
            }
            Some(&c) if c == subject[s] => {
                p += 1;
                s += 1;
            }
            _ => match star {
                Some((star_p, star_s)) => {
                    p = star_p + 1;
                    s = star_s + 1;
                    star = Some((star_p, star_s + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether two `*` patterns have a string in common, by dynamic programming over the positions
/// of both: a `*` on either side may stand for nothing or swallow the other side's next byte.
pub(crate) fn globs_overlap(a: &[u8], b: &[u8]) -> bool {
    let width = b.len() + 1;
    // reach[i * width + j]: the suffixes a[i..] and b[j..] have a string in common.
    let mut reach = vec![false; (a.len() + 1) * width];
    for i in (0..=a.len()).rev() {
        for j in (0..=b.len()).rev() {
            let at = |i: usize, j: usize| reach[i * width + j];
            let value = match (a.get(i), b.get(j)) {
                (None, None) => true,
                (Some(b'*'), _) if at(i + 1, j) => true,
                (_, Some(b'*')) if at(i, j + 1) => true,
                (Some(b'*'), Some(_)) => at(i, j + 1),
                (Some(_), Some(b'*')) => at(i + 1, j),
                (Some(x), Some(y)) => x == y && at(i + 1, j + 1),
                _ => false,
            };
            reach[i * width + j] = value;
        }
    }
    reach[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(s: &str) -> RoutePattern {
        RoutePattern::parse(s).unwrap()
    }

    #[test]
    fn star_matches_across_slashes_as_iam_does() {
        let p = pattern("GET /orders/*");
        assert!(p.matches("GET/orders/17"));
        assert!(p.matches("GET/orders/17/items"));
        assert!(p.matches("GET/orders/"));
        assert!(!p.matches("GET/orders"));
        assert!(!p.matches("POST/orders/17"));
    }

    #[test]
    fn any_method_is_a_star_before_the_path() {
        let p = pattern("ANY /orders");
        assert_eq!(p.arn_tail(), "*/orders");
        assert!(p.matches("DELETE/orders"));
        // As in IAM, the method star also swallows leading path segments.
        assert!(p.matches("GET/admin/orders"));
        assert!(!p.matches("GET/orders/1"));
    }

    #[test]
    fn path_parameters_become_stars() {
        let p = pattern("GET /orders/{id}/items/{proxy+}");
        assert_eq!(p.arn_tail(), "GET/orders/*/items/*");
        assert!(p.matches("GET/orders/{id}/items/{proxy+}"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "GET",
            "get /orders",
            "GET orders",
            "GET /orders?x=1",
            "GET /or ders",
            "GET /or{ders",
            "GET /{}",
            " /x",
            "GET /ordérs",
        ] {
            assert!(RoutePattern::parse(bad).is_err(), "{bad}");
        }
        assert!(RoutePattern::parse(&format!("GET /{}", "a".repeat(MAX_PATTERN_LEN))).is_err());
    }

    #[test]
    fn overlap_is_decided_for_stars_on_both_sides() {
        let ov = |a: &str, b: &str| pattern(a).overlaps(&pattern(b));
        assert!(ov("GET /public/*", "* /admin/*"));
        assert!(ov("* /*", "DELETE /orders/1"));
        assert!(ov("GET /a/*/c", "GET /a/b/*"));
        assert!(!ov("GET /orders/*", "POST /orders/*"));
        assert!(!ov("GET /orders", "GET /orders/*"));
        assert!(!ov("GET /a/*/c", "GET /a/*/d"));
        assert!(ov("* /x", "GET /*"));
    }

    #[test]
    fn overlap_agrees_with_matching_on_every_short_string() {
        // Every pair of patterns over {a, /, *} up to three bytes: they overlap exactly when
        // some subject of up to six bytes over {a, b, /} matches both (a shortest common
        // string is never longer than the two patterns' literal bytes together).
        let alphabet = *b"a/*";
        let words = |alphabet: &[u8], max: usize| {
            let mut all = vec![Vec::new()];
            let mut frontier = vec![Vec::new()];
            for _ in 0..max {
                let mut next = Vec::new();
                for w in &frontier {
                    for &c in alphabet {
                        let mut v: Vec<u8> = w.clone();
                        v.push(c);
                        next.push(v);
                    }
                }
                all.extend(next.iter().cloned());
                frontier = next;
            }
            all
        };
        let patterns = words(&alphabet, 3);
        let subjects = words(b"ab/", 6);
        for a in &patterns {
            for b in &patterns {
                let witnessed = subjects
                    .iter()
                    .any(|s| glob_matches(a, s) && glob_matches(b, s));
                assert_eq!(globs_overlap(a, b), witnessed, "{a:?} {b:?}");
            }
        }
    }
}
