//! How deep a file's brackets nest, estimated without lexing.
//!
//! Both parsers (oxc, syn) recurse once per nesting level, and a stack overflow aborts the
//! process instead of panicking: extractors check this estimate before parsing.

/// The deepest `(`/`[`/`{` nesting in `source`. Brackets inside strings and comments count too,
/// which only makes a guard built on it more careful.
pub fn depth(source: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for byte in source.bytes() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_the_deepest_run() {
        assert_eq!(super::depth("a(b[c]{d})(e)"), 2);
        assert_eq!(super::depth(")))((("), 3);
        assert_eq!(super::depth(""), 0);
    }
}
