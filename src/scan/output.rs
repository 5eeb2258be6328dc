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
        Format::Json => write_json(result, out, json_workers(result.sites.len())),
        Format::Csv => write_csv(result, out),
        Format::Markdown => write_markdown(result, out),
        Format::Table => write_table(result, out),
    }
}

/// Sites per thread below which the JSON is printed on one thread.
const SITES_PER_JSON_WORKER: usize = 2_000;

fn json_workers(sites: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (sites / SITES_PER_JSON_WORKER).clamp(1, cores.min(8))
}

/// The JSON contract, exactly as `serde_json::to_vec_pretty` prints it plus a newline, in one
/// write (many small writes cost more than the scan). The sites, nearly all of the document,
/// are printed on `workers` threads and spliced into the rest: on a big tree, printing them on
/// one thread took a sixth of `evdoc scan`.
fn write_json(result: &ScanResult, out: &mut dyn Write, workers: usize) -> io::Result<()> {
    // Every field but the sites; no `..`, so that a new field cannot be forgotten here.
    let frame = ScanResult {
        version: result.version,
        root: result.root.clone(),
        files_scanned: result.files_scanned,
        skipped: result.skipped.clone(),
        parse_errors: result.parse_errors.clone(),
        sites: Vec::new(),
        stack: result.stack,
    };
    let mut text = serde_json::to_vec_pretty(&frame)?;
    // `"sites"` is a top-level key: two spaces deep, and no string prints a bare quote.
    const EMPTY: &[u8] = b"\n  \"sites\": []";
    let at = memchr::memmem::find(&text, EMPTY)
        .map(|i| i + EMPTY.len() - 1)
        .ok_or_else(|| io::Error::other("no sites key in the scan JSON"))?;
    let tail = text.split_off(at);
    if !result.sites.is_empty() {
        let size = result.sites.len().div_ceil(workers.max(1));
        let chunks: Vec<io::Result<Vec<u8>>> = std::thread::scope(|scope| {
            let printing: Vec<_> = result
                .sites
                .chunks(size)
                .map(|chunk| scope.spawn(|| print_sites(chunk)))
                .collect();
            printing
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("printing failed")))
                })
                .collect()
        });
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            text.extend_from_slice(&chunk?);
        }
        text.extend_from_slice(b"\n  ");
    }
    text.extend_from_slice(&tail);
    text.push(b'\n');
    out.write_all(&text)
}

/// Sites as elements of the top-level `sites` array: each on a new line, four spaces deep,
/// separated by commas.
fn print_sites(sites: &[Site]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(sites.len() * 600);
    for (i, site) in sites.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Nested::default());
        serde::Serialize::serialize(site, &mut ser)?;
    }
    Ok(out)
}

/// serde_json's `PrettyFormatter` (two spaces per level) starting two levels deep, where the
/// elements of the top-level `sites` array are; serde_json cannot start one deeper.
#[derive(Default)]
struct Nested {
    /// Levels below the array element.
    depth: usize,
    has_value: bool,
}

impl Nested {
    /// `lead` (a newline, after a comma or not), then the indentation of the current depth.
    fn line<W: ?Sized + Write>(&self, w: &mut W, lead: &[u8]) -> io::Result<()> {
        w.write_all(lead)?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn newline<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, if first { b"\n    " } else { b",\n    " })
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, b"\n    ")?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The document printed on several threads is byte for byte serde_json's.
    #[test]
    fn json_printed_in_parallel_is_serde_jsons_document() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scan");
        let mut result =
            crate::scan::scan(std::path::Path::new(fixtures), &Default::default(), None).unwrap();
        assert!(result.sites.len() > 50, "{} sites", result.sites.len());
        // A string holding a newline and what looks like the spliced key.
        let mut odd = result.sites[0].clone();
        odd.room = Some("a\nb\n  \"sites\": []".into());
        result.sites.insert(1, odd);
        let empty = crate::scan::ScanResult {
            sites: Vec::new(),
            ..result.clone()
        };
        for r in [&result, &empty] {
            let mut expected = serde_json::to_vec_pretty(r).unwrap();
            expected.push(b'\n');
            for workers in [1, 2, 3, 7, r.sites.len() + 5] {
                let mut printed = Vec::new();
                write_json(r, &mut printed, workers).unwrap();
                assert_eq!(
                    String::from_utf8(printed).unwrap(),
                    String::from_utf8(expected.clone()).unwrap(),
                    "{workers} workers, {} sites",
                    r.sites.len()
                );
            }
        }
    }
}
