//! Hand-written Markdown pages that live beside the generated ones in the output folder
//! (`catalog-format.md`, a team's own `runbook.md`): `render` leaves them alone, the index lists
//! them, the site includes them, and a generated page links one only when it is there, so the
//! docs of a project without it have no dead link.

use serde::Serialize;

/// One hand-written page, as the index lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HandWritten {
    /// File name in the output folder (`catalog-format.md`).
    pub path: String,
    /// Its first `# ` heading, else the file name.
    pub title: String,
    /// The first sentence of its first paragraph (at most 200 characters), or empty.
    pub summary: String,
}

impl HandWritten {
    /// Read the title and summary of page `path` from its Markdown.
    pub fn read(path: &str, markdown: &str) -> HandWritten {
        let mut lines = markdown.lines().map(str::trim);
        let title = lines
            .by_ref()
            .find_map(|l| l.strip_prefix("# "))
            .map(str::trim)
            .unwrap_or(path)
            .to_string();
        let paragraph: Vec<&str> = lines
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let prose = paragraph.first().is_some_and(|l| {
            !l.starts_with(['#', '|', '-', '*', '>', '!', '<']) && !l.starts_with("```")
        });
        let summary = if prose {
            first_sentence(&paragraph.join(" "))
        } else {
            String::new()
        };
        HandWritten {
            path: path.to_string(),
            title,
            summary,
        }
    }
}

/// Up to the first `. ` that ends a sentence (or the end), cut at a word boundary past 200
/// characters.
fn first_sentence(text: &str) -> String {
    // A word with a dot inside (`a.m.`, `e.g.`) is an abbreviation, not a sentence's end.
    let end = text
        .match_indices(". ")
        .find(|(i, _)| {
            let word = text[..*i].rsplit(' ').next().unwrap_or("");
            !word.contains('.')
        })
        .map_or(text.len(), |(i, _)| i + 1);
    let sentence = &text[..end];
    if sentence.chars().count() <= 200 {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(200).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_first_sentence() {
        let p = HandWritten::read(
            "runbook.md",
            "# Runbook\n\nWhat to do at 3 a.m. when the\nsockets drop. Then more.\n\n## Next\n",
        );
        assert_eq!(p.title, "Runbook");
        assert_eq!(p.summary, "What to do at 3 a.m. when the sockets drop.");
    }

    #[test]
    fn no_heading_no_prose() {
        let p = HandWritten::read("x.md", "| a | b |\n|---|---|\n");
        assert_eq!((p.title.as_str(), p.summary.as_str()), ("x.md", ""));
        let long = format!("# T\n\n{}", "word ".repeat(80));
        assert!(HandWritten::read("t.md", &long).summary.ends_with('…'));
    }
}
