//! Reading a package: a zip in either job layout (or a connection export), or one bare `.job` /
//! `.conn` file. A package is hostile input, so the reader checks its structure before anything
//! uses it, and the whole package is refused (nothing imported) when:
//!
//! - an entry name is absolute, has a `..` component, or otherwise does not stay inside the
//!   package (zip-slip);
//! - an entry is a symbolic link;
//! - the package holds more than [`MAX_ENTRIES`] entries;
//! - its entries expand to more than [`MAX_PACKAGE_BYTES`] (counted on the bytes actually
//!   decompressed, never on the sizes the archive declares: a zip bomb stops at the cap);
//! - two entries would import the same object (same kind, same name) with different contents
//!   (a batch export repeats a script two jobs share in both folders, JOBS.md §7.1: identical
//!   copies are one object, read once);
//! - it is not a zip and not a single `.job` / `.conn` file.
//!
//! A problem inside one document (invalid JSON in one `.job`, a job whose DAG has a cycle) does
//! not refuse the package: it fails only that object's subtask (JOBS.md §7.2's task rules), and
//! the importer reports it there. [`Entry::json`] names the entry in its error.

use super::{CONNECTION_EXT, JOB_EXT, MAX_PACKAGE_BYTES, RESOURCE_EXT, SCRIPT_EXT};
use dlf_core::DlfError;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Component, Path};

/// The most entries a package may hold (directories and ignored files included). A batch
/// export of 100 jobs (JOBS.md §8) with their scripts and resources stays far below it.
pub const MAX_ENTRIES: usize = 1_000;

/// What an entry holds, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    Script,
    Resource,
    Job,
    Connection,
}

impl EntryKind {
    fn of(name: &str) -> Option<EntryKind> {
        let ext = Path::new(name).extension()?.to_str()?;
        [
            (JOB_EXT, EntryKind::Job),
            (SCRIPT_EXT, EntryKind::Script),
            (RESOURCE_EXT, EntryKind::Resource),
            (CONNECTION_EXT, EntryKind::Connection),
        ]
        .into_iter()
        .find(|(e, _)| ext.eq_ignore_ascii_case(e))
        .map(|(_, kind)| kind)
    }

    /// The word used in messages ("job", "script" ...).
    pub fn word(self) -> &'static str {
        match self {
            EntryKind::Script => "script",
            EntryKind::Resource => "resource",
            EntryKind::Job => "job",
            EntryKind::Connection => "connection",
        }
    }
}

/// One file of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The entry's path inside the package.
    pub path: String,
    pub kind: EntryKind,
    /// The file name without its extension (the object's name in both layouts).
    pub stem: String,
    pub bytes: Vec<u8>,
}

impl Entry {
    /// The entry as a JSON object; the error names the entry.
    pub fn json(&self) -> Result<serde_json::Map<String, Value>, DlfError> {
        match serde_json::from_slice::<Value>(&self.bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(DlfError::invalid_param(format!("{} is not a JSON object", self.path))),
            Err(e) => Err(DlfError::invalid_param(format!("{} is not valid JSON: {e}", self.path))),
        }
    }
}

/// A package's entries of the known kinds, in package order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Package {
    pub entries: Vec<Entry>,
}

impl Package {
    /// The entries of one kind.
    pub fn of(&self, kind: EntryKind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }
}

fn refused(why: impl std::fmt::Display) -> DlfError {
    DlfError::invalid_param(format!("the package is refused: {why}"))
}

/// Whether `bytes` start like a zip archive.
fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Reads the package at `path` (the name decides what a bare file is).
pub fn read(path: &str, bytes: &[u8]) -> Result<Package, DlfError> {
    if bytes.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(refused(format!("it is larger than {} MB", MAX_PACKAGE_BYTES / (1024 * 1024))));
    }
    if is_zip(bytes) {
        return read_zip(bytes);
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    match EntryKind::of(file) {
        Some(kind @ (EntryKind::Job | EntryKind::Connection)) => Ok(Package {
            entries: vec![Entry { path: file.to_string(), kind, stem: stem(file), bytes: bytes.to_vec() }],
        }),
        _ => Err(refused(format!("{path} is neither a zip nor a .{JOB_EXT} or .{CONNECTION_EXT} file"))),
    }
}

fn stem(name: &str) -> String {
    Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string()
}

/// An entry name that stays inside the package: relative, no `..`, no root or drive prefix.
fn checked_name(raw: &str, enclosed: bool) -> Result<(), DlfError> {
    let bad = !enclosed
        || raw.starts_with('/')
        || raw.starts_with('\\')
        || raw.contains('\0')
        || raw.split(['/', '\\']).any(|part| part == "..")
        || Path::new(raw).components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        || raw.get(1..2) == Some(":");
    if bad {
        return Err(refused(format!("the entry name '{raw}' leaves the package (absolute or with '..')")));
    }
    Ok(())
}

const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

fn read_zip(bytes: &[u8]) -> Result<Package, DlfError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| refused(format!("it is not a readable zip ({e})")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(refused(format!("it holds {} entries, more than {MAX_ENTRIES}", archive.len())));
    }
    let mut left = MAX_PACKAGE_BYTES;
    let mut seen_paths = HashSet::new();
    let mut seen_objects: HashMap<(EntryKind, String), usize> = HashMap::new();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(|e| refused(format!("entry {index} is unreadable ({e})")))?;
        let raw = file.name().map_err(|e| refused(format!("entry {index} has an unreadable name ({e})")))?.to_string();
        checked_name(&raw, file.enclosed_name().is_some())?;
        if file.is_symlink() || file.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err(refused(format!("the entry '{raw}' is a symbolic link")));
        }
        if !seen_paths.insert(raw.clone()) {
            return Err(refused(format!("the entry '{raw}' appears twice")));
        }
        if file.is_dir() {
            continue;
        }
        // Read at most what is left of the budget, plus one byte to notice going over it.
        let mut data = Vec::new();
        (&mut file)
            .take(left + 1)
            .read_to_end(&mut data)
            .map_err(|e| refused(format!("the entry '{raw}' cannot be decompressed ({e})")))?;
        let used = data.len() as u64;
        if used > left {
            return Err(refused(format!(
                "it expands to more than {} MB (a zip bomb?)",
                MAX_PACKAGE_BYTES / (1024 * 1024)
            )));
        }
        left -= used;
        let Some(kind) = EntryKind::of(&raw) else { continue };
        let file_stem = stem(&raw);
        if let Some(&first) = seen_objects.get(&(kind, file_stem.clone())) {
            let earlier: &Entry = &entries[first];
            if same_document(&earlier.bytes, &data) {
                continue;
            }
            return Err(refused(format!(
                "two entries hold different {}s {file_stem} ('{}' and '{raw}')",
                kind.word(),
                earlier.path
            )));
        }
        seen_objects.insert((kind, file_stem.clone()), entries.len());
        entries.push(Entry { path: raw, kind, stem: file_stem, bytes: data });
    }
    Ok(Package { entries })
}

/// Whether two copies of an object say the same (byte for byte, or as equal JSON).
fn same_document(a: &[u8], b: &[u8]) -> bool {
    a == b
        || matches!(
            (serde_json::from_slice::<Value>(a), serde_json::from_slice::<Value>(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::{batch, connection_entry, single};
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn refusal(bytes: &[u8]) -> String {
        let e = read("obs://b/p.zip", bytes).unwrap_err();
        assert_eq!(e.code, dlf_core::ErrorCode::InvalidParameter);
        e.message
    }

    #[test]
    fn both_layouts_and_bare_files_are_read_by_extension() {
        let single_zip = zip_of(&[
            (&single::job("a"), b"{\"name\":\"a\"}"),
            (&single::script("s"), b"{}"),
            (&single::resource("r"), b"{}"),
            ("README.txt", b"ignored"),
        ]);
        let p = read("obs://b/DLF_a.zip", &single_zip).unwrap();
        let kinds: Vec<(EntryKind, &str)> = p.entries.iter().map(|e| (e.kind, e.stem.as_str())).collect();
        assert_eq!(kinds, [(EntryKind::Job, "a"), (EntryKind::Script, "s"), (EntryKind::Resource, "r")]);
        assert_eq!(p.entries[0].json().unwrap()["name"], "a");

        let batch_zip =
            zip_of(&[(&batch::job("a"), b"{}"), (&batch::script("a", "s"), b"{}"), (&batch::job("b"), b"{}")]);
        let p = read("obs://b/jobs.zip", &batch_zip).unwrap();
        assert_eq!(p.of(EntryKind::Job).count(), 2);
        assert_eq!(p.of(EntryKind::Script).count(), 1);

        let conns = zip_of(&[(&connection_entry("c"), b"{}")]);
        assert_eq!(read("obs://b/x.zip", &conns).unwrap().entries[0].kind, EntryKind::Connection);

        let bare = read("obs://b/dir/one.job", b"{\"name\":\"one\"}").unwrap();
        assert_eq!((bare.entries[0].kind, bare.entries[0].stem.as_str()), (EntryKind::Job, "one"));
        assert!(refusal(b"plain text").contains("neither a zip"));
    }

    #[test]
    fn names_that_leave_the_package_are_refused() {
        for name in ["../x.job", "jobs/../../x.job", "/etc/x.job", "jobs/../x.job", "C:/x.job", "\\x.job"] {
            let message = refusal(&zip_of(&[(name, b"{}")]));
            assert!(message.contains("leaves the package"), "{name}: {message}");
        }
    }

    #[test]
    fn symbolic_links_are_refused() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("jobs/a.job", SimpleFileOptions::default()).unwrap();
        w.write_all(b"{}").unwrap();
        w.add_symlink("jobs/b.job", "/etc/passwd", SimpleFileOptions::default()).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(refusal(&bytes).contains("'jobs/b.job' is a symbolic link"));
    }

    #[test]
    fn a_zip_bomb_stops_at_the_expanded_cap() {
        // 11 MB of zeros compress to a few KB; the declared size is not what is checked.
        let zeros = vec![0u8; 11 * 1024 * 1024];
        let bytes = zip_of(&[("jobs/a.job", &zeros)]);
        assert!(bytes.len() < 100 * 1024, "small compressed: {}", bytes.len());
        assert!(refusal(&bytes).contains("expands to more than 10 MB"));
        // Several entries under the cap each, over it together.
        let six = vec![b' '; 6 * 1024 * 1024];
        let bytes = zip_of(&[("a.txt", &six), ("b.txt", &six)]);
        assert!(refusal(&bytes).contains("expands to more than 10 MB"));
    }

    #[test]
    fn too_many_entries_are_refused() {
        let names: Vec<String> = (0..5_000).map(|i| format!("x/{i}.txt")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        assert!(refusal(&zip_of(&files)).contains("5000 entries, more than 1000"));
    }

    #[test]
    fn a_script_two_jobs_share_is_read_once() {
        let shared = br#"{"name":"s","type":"Shell","content":"echo"}"#;
        let spaced = br#"{ "name": "s", "type": "Shell", "content": "echo" }"#;
        let p = read(
            "obs://b/jobs.zip",
            &zip_of(&[
                (&batch::script("a", "s"), shared),
                (&batch::script("b", "s"), spaced),
                (&batch::job("a"), b"{}"),
            ]),
        )
        .unwrap();
        let scripts: Vec<&str> =
            p.entries.iter().filter(|e| e.kind == EntryKind::Script).map(|e| e.path.as_str()).collect();
        assert_eq!(scripts, ["jobs/a/s.script"]);
    }

    #[test]
    fn duplicates_and_garbage_are_refused() {
        let same_job = zip_of(&[(&batch::job("a"), b"{}"), ("other/a.job", br#"{"x":1}"#)]);
        assert!(refusal(&same_job).contains("two entries hold different jobs a"), "{}", refusal(&same_job));
        let mut truncated = zip_of(&[("jobs/a.job", b"{}")]);
        truncated.truncate(20);
        assert!(refusal(&truncated).contains("not a readable zip"));
        assert!(refusal(&vec![0u8; 11 * 1024 * 1024]).contains("larger than 10 MB"));
    }

    #[test]
    fn invalid_json_is_reported_for_its_entry_only() {
        let p = read("obs://b/p.zip", &zip_of(&[("jobs/bad.job", b"{not json"), ("jobs/ok.job", b"{}")])).unwrap();
        assert_eq!(p.entries.len(), 2, "the package itself is readable");
        let e = p.entries[0].json().unwrap_err();
        assert!(e.message.contains("jobs/bad.job is not valid JSON"), "{}", e.message);
        assert!(p.entries[1].json().is_ok());
        let list = read("obs://b/p.zip", &zip_of(&[("jobs/l.job", b"[1]")])).unwrap();
        assert!(list.entries[0].json().unwrap_err().message.contains("not a JSON object"));
    }
}
