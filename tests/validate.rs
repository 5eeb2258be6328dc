//! `evdoc validate`: captured traffic against a catalog, as a user runs it — both record
//! formats, acks matched by id, binary placeholders, and every kind of bad input reported with
//! its line, never a panic.

use assert_cmd::Command;
use evdoc::validate::{self, Contract, Options, Report};
use proptest::prelude::*;
use std::io::Write;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CATALOG: &str = "tests/fixtures/serve/catalog.yaml";
const CAPTURE: &str = "tests/fixtures/traffic/capture.txt";

fn evdoc() -> Command {
    let mut c = Command::cargo_bin("evdoc").unwrap();
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

fn run(args: &[&str], stdin: Option<Vec<u8>>) -> (String, String, i32) {
    let mut c = evdoc();
    c.arg("validate").args(["--catalog", CATALOG]).args(args);
    if let Some(input) = stdin {
        c.write_stdin(input);
    }
    let out = c.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn contract() -> Contract {
    let cat = evdoc::catalog::load(&root().join(CATALOG)).unwrap();
    Contract::new(&cat.catalog).unwrap()
}

fn judge(bytes: &[u8], limit: usize) -> Report {
    let opts = Options {
        max_line_bytes: limit,
        max_failures: 50,
        direction: None,
    };
    let mut report = Report::default();
    validate::run(&contract(), &mut &bytes[..], "t", &opts, &mut report).unwrap();
    report
}

fn codes(r: &Report) -> Vec<(u64, &'static str)> {
    r.failures.iter().map(|f| (f.line, f.code)).collect()
}

#[test]
fn capture_report_as_text_and_json() {
    let (text, _, code) = run(&[CAPTURE], None);
    assert_eq!(code, 1);
    insta::assert_snapshot!("validate_text", text);
    let (json, _, code) = run(&[CAPTURE, "--format", "json"], None);
    assert_eq!(code, 1);
    insta::assert_snapshot!("validate_json", json);
}

#[test]
fn every_record_of_the_capture_is_judged_where_it_stands() {
    let r = judge(&std::fs::read(root().join(CAPTURE)).unwrap(), 1 << 20);
    assert_eq!(
        codes(&r),
        [
            (2, "PayloadError"),
            (3, "PayloadError"),
            (4, "PayloadError"),
            (8, "PayloadError"),
            (10, "UnknownEvent"),
            (11, "WrongDirection"),
            (13, "NotJson"),
            (14, "Malformed"),
        ]
    );
    // The ack packet found its event by id; the binary placeholder was judged as bytes.
    assert_eq!(r.events["chat:send"].acks, 1);
    assert_eq!(r.events["file:upload"].valid, 1);
    assert!(r
        .failures
        .iter()
        .all(|f| !f.message.contains("_placeholder")));
    assert_eq!(r.other, 1);
}

#[test]
fn a_clean_capture_exits_0_and_stdin_works() {
    let line = b"> 42[\"ping:echo\",{\"seq\":1}]\r\n{\"event\":\"news:item\",\"namespace\":\"/public\",\"direction\":\"s2c\",\"args\":[{\"title\":\"x\"}]}\n".to_vec();
    let (text, _, code) = run(&["-"], Some(line));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("2 record(s) in 2 line(s): 0 failure(s)"),
        "{text}"
    );
    let (text, _, code) = run(&["-"], Some(Vec::new()));
    assert_eq!(code, 0);
    assert!(text.contains("0 record(s)"), "{text}");
}

#[test]
fn a_100_mb_line_is_reported_and_skipped_without_holding_it() {
    let mut input = b"> 42[\"ping:echo\",{\"seq\":1}]\n> 42[\"ping:echo\",{\"seq\":\"".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100 << 20));
    input.extend_from_slice(b"\"}]\n> 42[\"ping:echo\",{\"seq\":3}]\n");
    let (text, _, code) = run(&["-", "--max-line-bytes", "65536"], Some(input));
    assert_eq!(code, 1);
    let long = 25 + (100 << 20) + 3;
    let said = format!("-:2: TooLong: line of {long} bytes is longer than the limit (65536 bytes");
    assert!(text.contains(&said), "{text}");
    assert!(
        text.contains("2 record(s) in 2 line(s): 1 failure(s)"),
        "{text}"
    );
}

#[test]
fn invalid_utf8_truncation_and_garbage_are_line_numbered() {
    let r = judge(
        b"\xff\xfe\n> 42[\"ping:echo\"\n42[\"ping:echo\",{}]\n> 4\n\x00\x01\n",
        1 << 20,
    );
    assert_eq!(
        codes(&r),
        [
            (1, "InvalidUtf8"),
            (2, "NotJson"),
            (3, "NoDirection"),
            (4, "Malformed"),
            (5, "Malformed")
        ]
    );
}

#[test]
fn acks_are_judged_against_the_ack_schema_and_unmatched_acks_counted() {
    let r = judge(
        b"> 4212[\"chat:send\",\"general\",{\"text\":\"hi\"}]\n< 4312[5]\n< 4399[{}]\n",
        1 << 20,
    );
    assert_eq!(codes(&r), [(2, "AckError")]);
    assert_eq!(r.failures[0].path, "/ack");
    assert_eq!(r.unmatched_acks, 1);
}

#[test]
fn unusable_catalogs_and_inputs_exit_2() {
    let mut c = evdoc();
    let out = c
        .args(["validate", "--catalog", "no/such", CAPTURE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (_, err, code) = run(&["no-such-capture.jsonl"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-capture.jsonl"), "{err}");
}

#[test]
fn help_has_examples() {
    let out = evdoc().args(["validate", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Examples:"));
    insta::assert_snapshot!("help_validate", text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Whatever the bytes, validate returns a report; every line is counted once at most.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), limit in 1usize..512) {
        let r = judge(&bytes, limit);
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        prop_assert!(r.lines <= lines);
    }

    /// Packet-shaped noise (digits, brackets, quotes, slashes) is read as records or reported.
    #[test]
    fn packet_shaped_noise_never_panics(text in "[<> ]{0,2}4[0-6][0-9/,\\-\\[\\]\"{}a-z:]{0,60}") {
        let mut input = text.into_bytes();
        input.push(b'\n');
        let _ = judge(&input, 1 << 20);
    }
}

#[test]
fn a_long_stream_keeps_counts_not_failures() {
    let mut input = Vec::new();
    for i in 0..5_000 {
        writeln!(input, "> 42[\"ping:echo\",{{\"seq\":\"{i}\"}}]").unwrap();
    }
    let r = judge(&input, 1 << 20);
    assert_eq!(r.failures_total, 5_000);
    assert_eq!(r.failures.len(), 50);
    assert_eq!(r.events["ping:echo"].invalid, 5_000);
}
