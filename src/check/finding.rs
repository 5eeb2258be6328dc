//! A finding: one way in which the code and the catalog disagree, or the catalog is unsound.

use crate::vocab::diagnostic::{Location, Severity};
use crate::vocab::Rule;
use serde::Serialize;

/// One problem found by `check` or `lint`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule (serialised as its id, `EV001`); its name is `rule.name()`.
    pub rule: Rule,
    /// How much it matters: the rule's severity.
    pub severity: Severity,
    /// One sentence, naming the event and what is wrong.
    pub message: String,
    /// The event concerned, when there is one.
    pub event: Option<String>,
    /// Where in the code (a site), when the finding is about code.
    pub code: Option<Location>,
    /// Where in the catalog, when the finding is about a catalog entry.
    pub catalog: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Finding {
    /// The location shown first: the code when there is one, else the catalog.
    pub fn primary(&self) -> Option<&Location> {
        self.code.as_ref().or(self.catalog.as_ref())
    }

    /// A fingerprint that survives line moves: rule, event, file and message. Used by baselines.
    pub fn fingerprint(&self) -> String {
        let file = self.primary().map(|l| l.file.as_str()).unwrap_or("");
        format!(
            "{}|{}|{}|{}",
            self.rule,
            self.event.as_deref().unwrap_or(""),
            file,
            self.message
        )
    }
}
