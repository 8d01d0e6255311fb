//! The scopes of a token, split as RFC 6749 splits them.

/// The scopes of a token, from [`Claims::scopes`](super::Claims::scopes): the words of `scope`
/// between spaces (`%x20`), runs of spaces counting as one.
#[derive(Clone, Debug)]
pub struct Scopes<'a>(std::str::Split<'a, char>);

impl<'a> Scopes<'a> {
    pub(crate) fn new(list: &'a str) -> Self {
        Scopes(list.split(' '))
    }
}

impl<'a> Iterator for Scopes<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.by_ref().find(|scope| !scope.is_empty())
    }
}
