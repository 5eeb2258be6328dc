//! Byte offsets to 1-based line and character columns.
//!
//! oxc spans are byte offsets, while sites report columns in characters (what editors show), so
//! every position goes through one table built once per file.

/// Start offsets of every line of one text, for offset → (line, column) lookups.
pub(crate) struct LineIndex<'s> {
    text: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    /// Indexes `text`; `\n` ends a line (a preceding `\r` stays part of the line's bytes).
    pub(crate) fn new(text: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and 1-based character column of byte `offset` (clamped to the text).
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (clamp_u32(line + 1), clamp_u32(column))
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn counts_columns_in_characters() {
        let idx = LineIndex::new("ab\néé x\r\nz");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // "éé " is 5 bytes but 3 characters.
        assert_eq!(idx.position(8), (2, 4));
        assert_eq!(idx.position(11), (3, 1));
        assert_eq!(idx.position(999), (3, 2));
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let idx = LineIndex::new("é");
        assert_eq!(idx.position(1), (1, 1));
    }
}
