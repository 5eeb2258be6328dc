//! Printing a scan: the "spreadsheet" of every event site, as a terminal table, CSV, Markdown or
//! the stable JSON contract. Sites are grouped by domain (`crate::vocab::domain_of`).

use super::{Direction, ScanResult, Site};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Output formats of `evdoc scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people, grouped by domain.
    Table,
    /// One row per site with a header row.
    Csv,
    /// A GitHub-flavoured table per domain.
    Markdown,
    /// The stable contract (README.md, "Scan JSON").
    Json,
}

/// The domain a site is listed under: its event's ([`crate::vocab::domain_of`]), or
/// `(dynamic)` when the name is computed at run time.
pub fn domain(site: &Site) -> String {
    match &site.event {
        None => "(dynamic)".into(),
        Some(e) => crate::vocab::domain_of(e, &[]),
    }
}

/// Direction as the task list writes it.
fn arrow(d: Option<Direction>) -> &'static str {
    match d {
        Some(Direction::C2s) => "C→S",
        Some(Direction::S2c) => "S→C",
        Some(Direction::Both) => "both",
        None => "?",
    }
}

fn event_text(s: &Site) -> String {
    match (&s.event, &s.expr) {
        (Some(e), _) => e.clone(),
        (None, Some(x)) => format!("<{x}>"),
        (None, None) => "<dynamic>".into(),
    }
}

/// The columns of a row, shared by every tabular format.
fn row(s: &Site) -> [String; 7] {
    [
        event_text(s),
        format!("{:?}", s.role).to_lowercase(),
        arrow(s.direction).to_owned(),
        s.side.map_or("?", |x| x.as_str()).to_owned(),
        s.file.clone(),
        s.line.to_string(),
        s.room.clone().unwrap_or_default(),
    ]
}

const HEADER: [&str; 7] = ["Event", "Role", "Direction", "Side", "File", "Line", "Room"];

fn grouped(result: &ScanResult) -> BTreeMap<String, Vec<&Site>> {
    let mut groups: BTreeMap<String, Vec<&Site>> = BTreeMap::new();
    for s in &result.sites {
        groups.entry(domain(s)).or_default().push(s);
    }
    for sites in groups.values_mut() {
        sites.sort_by(|a, b| (&a.event, &a.file, a.line).cmp(&(&b.event, &b.file, b.line)));
    }
    groups
}

/// Write `result` in `format`.
pub fn write(format: Format, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            // One write of the finished document: many small writes cost more than the scan.
            let mut text = serde_json::to_vec_pretty(result)?;
            text.push(b'\n');
            out.write_all(&text)
        }
        Format::Csv => write_csv(result, out),
        Format::Markdown => write_markdown(result, out),
        Format::Table => write_table(result, out),
    }
}

fn write_csv(result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["Domain"];
    header.extend(HEADER);
    w.write_record(&header)?;
    for (domain, sites) in grouped(result) {
        for s in sites {
            let mut rec = vec![domain.clone()];
            rec.extend(row(s));
            w.write_record(&rec)?;
        }
    }
    w.flush()
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn write_markdown(result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# Socket.IO event sites\n")?;
    writeln!(
        out,
        "{} sites in {} files.\n",
        result.sites.len(),
        result.files_scanned
    )?;
    for (domain, sites) in grouped(result) {
        writeln!(out, "## {}\n", md_cell(&domain))?;
        writeln!(out, "| {} |", HEADER.join(" | "))?;
        writeln!(out, "|{}", "---|".repeat(HEADER.len()))?;
        for s in sites {
            let mut cells = row(s).map(|c| md_cell(&c));
            cells[0] = format!("`{}`", cells[0]);
            if !cells[6].is_empty() {
                cells[6] = format!("`{}`", cells[6]);
            }
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        writeln!(out)?;
    }
    write_skipped(result, out, "- ")
}

fn write_skipped(result: &ScanResult, out: &mut dyn Write, bullet: &str) -> io::Result<()> {
    if !result.skipped.is_empty() {
        writeln!(out, "Skipped {} files:", result.skipped.len())?;
        for s in &result.skipped {
            writeln!(out, "{bullet}{} ({})", s.file, s.reason)?;
        }
    }
    if !result.parse_errors.is_empty() {
        writeln!(
            out,
            "Read by the fallback scanner because they do not parse:"
        )?;
        for p in &result.parse_errors {
            writeln!(out, "{bullet}{}: {}", p.file, p.message)?;
        }
    }
    Ok(())
}

fn write_table(result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
    let groups = grouped(result);
    let rows: Vec<[String; 7]> = result.sites.iter().map(row).collect();
    let mut width = HEADER.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from("  ");
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        s.trim_end().to_owned()
    };
    writeln!(out, "{}", line(&HEADER.map(str::to_owned)))?;
    for (domain, sites) in groups {
        writeln!(out, "{domain}")?;
        for s in sites {
            writeln!(out, "{}", line(&row(s)))?;
        }
    }
    writeln!(
        out,
        "\n{} sites, {} files scanned, {} skipped.",
        result.sites.len(),
        result.files_scanned,
        result.skipped.len()
    )?;
    write_skipped(result, out, "  ")
}

/// How `site` was found and what decided its side, for `evdoc scan --explain`.
pub fn explain(site: &Site) -> String {
    use super::SideFrom;
    let role = match site.role {
        super::Role::Emit => "emit",
        super::Role::Listen => "listen",
    };
    let event = match (&site.event, &site.expr) {
        (Some(e), _) => format!("`{e}`"),
        (None, Some(x)) => format!("a name computed at run time (`{x}`)"),
        (None, None) => "a name computed at run time".into(),
    };
    let mut out = format!(
        "{}:{}:{}  {role} {event}\n",
        site.file, site.line, site.column
    );
    out.push_str(&format!("  call: `{}`", site.call));
    match &site.via {
        Some(w) => out.push_str(&format!(
            ", through the wrapper `{w}` (a function that emits or listens for its caller)\n"
        )),
        None => out.push('\n'),
    }
    if let Some(ns) = &site.namespace {
        out.push_str(&format!("  namespace: `{ns}`\n"));
    }
    if let Some(room) = &site.room {
        out.push_str(&format!("  room: {room}\n"));
    }
    let why = match site.side_from {
        Some(SideFrom::Flow) => "the socket value the call uses: where it was created (io(), new Server(), a connection or gateway handler) and the variables, parameters, imports, fields and wrappers it travelled through to this call",
        Some(SideFrom::Type) => "the declared TypeScript type of the value (socket.io's or socket.io-client's)",
        Some(SideFrom::Import) => "the file's own Socket.IO imports and APIs (socket.io vs socket.io-client, io.on('connection') vs io(url))",
        Some(SideFrom::Framework) => "the file's framework: a component or page runs in the browser",
        Some(SideFrom::Package) => "the dependencies of the nearest package.json (socket.io only, or socket.io-client only)",
        Some(SideFrom::Catalog) => "the catalog's scan.server / scan.client globs",
        Some(SideFrom::Declared) => "the side of the catalog-declared wrapper it was called through",
        Some(SideFrom::Path) => "the folder names on its path (server/, client/, public/…)",
        None => "nothing places it: add the file to the catalog's scan.server or scan.client globs",
    };
    for e in &site.evidence {
        out.push_str(&format!("  flow: {e}\n"));
    }
    let side = site.side.map_or("unknown", |s| s.as_str());
    let direction = site.direction.map_or("unknown", |d| d.as_str());
    out.push_str(&format!(
        "  side: {side} (direction {direction}), from {}: {why}\n",
        site.side_from.map_or("none", |f| f.as_str())
    ));
    out
}
