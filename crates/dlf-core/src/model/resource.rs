//! `ResourceInfo`: a named pointer to a file (R1–R5), and the `obs://bucket/key` addresses of
//! dlf's own object store that a resource's `location` may hold.
//!
//! Validation follows API.md §0.11 and §0.10: `name` 1–32 characters (letters, digits, Chinese
//! characters, `_`, `-`), `type` one of [`RESOURCE_TYPES`] (DLF.6263), `location` required and at
//! most 1,023 characters (DLF.6264), `desc` at most 255 characters (DLF.6265), `dependFiles` and
//! the locations of `dependPackages` at most 10,240 characters in all. An `obs://` location must
//! be a valid [`ObjectPath`] (DLF.6264): it is where the bytes are found when a node uses the
//! resource. Any other location (a cloud path, an HDFS URL) is stored and returned as sent but
//! never resolves to bytes in dlf.

use crate::error::{DlfError, ErrorCode};
use serde::{Deserialize, Serialize};

/// The resource types of the reference (the OpenAPI enum; the docs omit `pyFile`).
pub const RESOURCE_TYPES: [&str; 4] = ["archive", "file", "jar", "pyFile"];
/// Longest `name`, in characters.
pub const NAME_MAX: usize = 32;
/// Longest `location`, in characters (API.md §0.10: the current docs' 1,023).
pub const LOCATION_MAX: usize = 1023;
/// Longest `desc`, in characters.
pub const DESC_MAX: usize = 255;
/// Longest `dependFiles` (and `dependPackages` locations), all items together, in characters.
pub const DEPEND_MAX: usize = 10_240;
/// Longest `directory`, in characters.
pub const DIRECTORY_MAX: usize = 1023;

/// A file a jar or script depends on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependPackage {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A job (or script) that references a resource (ShowResource's `jobRelation`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    pub relation_type: String,
    pub task_name: String,
    pub task_id: i64,
    pub deleted: bool,
}

/// A resource as sent on create/update and returned by show/list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depend_files: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depend_packages: Option<Vec<DependPackage>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_relation: Option<Vec<Relation>>,
}

/// ListResources body (R2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceList {
    pub total: i64,
    pub resources: Vec<ResourceInfo>,
}

/// CreateResource body (R1).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedResource {
    pub resource_id: String,
}

fn invalid(code: ErrorCode, detail: impl std::fmt::Display) -> DlfError {
    DlfError::with_message(code, format!("{} {detail}", code.default_message()))
}

impl ResourceInfo {
    /// Parses a request body (an empty body is `{}`); `id` and `jobRelation` are the server's
    /// and dropped. Errors name the JSON path of the offending value.
    pub fn from_json_bytes(body: &[u8]) -> Result<ResourceInfo, String> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ResourceInfo::default());
        }
        let de = &mut serde_json::Deserializer::from_slice(body);
        let mut info: ResourceInfo = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
        })?;
        de.end().map_err(|e| format!("unexpected text after the JSON document: {e}"))?;
        info.id = None;
        info.job_relation = None;
        Ok(info)
    }

    /// Checks a complete resource (R1, and R4 after merging): every field present is valid and
    /// `name`, `type` and `location` are present. Fills `directory` with `/` when absent.
    pub fn check(&mut self) -> Result<(), DlfError> {
        let name = self.name.as_deref().unwrap_or("");
        check_name(name)?;
        match self.resource_type.as_deref() {
            None | Some("") => return Err(invalid(ErrorCode::ResourceTypeInvalid, "type is required.")),
            Some(t) if !RESOURCE_TYPES.contains(&t) => {
                return Err(invalid(
                    ErrorCode::ResourceTypeInvalid,
                    format!("'{t}' is not one of {}.", RESOURCE_TYPES.join(", ")),
                ));
            }
            Some(_) => {}
        }
        check_location(self.location.as_deref().unwrap_or(""), "location")?;
        if let Some(desc) = &self.desc
            && desc.chars().count() > DESC_MAX
        {
            return Err(invalid(
                ErrorCode::ResourceDescriptionInvalid,
                format!("desc has more than {DESC_MAX} characters."),
            ));
        }
        let directory = self.directory.get_or_insert_with(|| "/".to_string());
        if directory.is_empty() {
            *directory = "/".to_string();
        }
        if directory.chars().count() > DIRECTORY_MAX || directory.chars().any(char::is_control) {
            return Err(DlfError::invalid_param(format!(
                "directory must be at most {DIRECTORY_MAX} characters without control characters"
            )));
        }
        let mut total = 0;
        for (i, file) in self.depend_files.iter().flatten().enumerate() {
            check_location(file, &format!("dependFiles[{i}]"))?;
            total += file.chars().count();
        }
        if total > DEPEND_MAX {
            return Err(DlfError::invalid_param(format!("dependFiles has more than {DEPEND_MAX} characters in all")));
        }
        let mut total = 0;
        for (i, package) in self.depend_packages.iter().flatten().enumerate() {
            let location = package.location.as_deref().unwrap_or("");
            check_location(location, &format!("dependPackages[{i}].location"))?;
            total += location.chars().count();
        }
        if total > DEPEND_MAX {
            return Err(DlfError::invalid_param(format!(
                "dependPackages has more than {DEPEND_MAX} characters of locations in all"
            )));
        }
        Ok(())
    }
}

/// DLF.3051 unless `name` is 1–32 letters, digits, Chinese characters, `_` or `-`.
pub fn check_name(name: &str) -> Result<(), DlfError> {
    let count = name.chars().count();
    if count == 0 || count > NAME_MAX {
        return Err(DlfError::invalid_param(format!("name must be 1 to {NAME_MAX} characters")));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || is_chinese(c);
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Err(DlfError::invalid_param(format!(
            "name may hold only letters, digits, Chinese characters, '_' and '-', not '{c}'"
        )));
    }
    Ok(())
}

/// CJK unified ideographs (the basic block and extension A) and compatibility ideographs.
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// DLF.6264 unless `location` is 1–1,023 characters without control characters, and, when it is
/// an `obs://` address, a valid [`ObjectPath`].
fn check_location(location: &str, field: &str) -> Result<(), DlfError> {
    if location.trim().is_empty() {
        return Err(invalid(ErrorCode::ResourceLocationInvalid, format!("{field} is required.")));
    }
    if location.chars().count() > LOCATION_MAX {
        return Err(invalid(
            ErrorCode::ResourceLocationInvalid,
            format!("{field} has more than {LOCATION_MAX} characters."),
        ));
    }
    if location.chars().any(char::is_control) {
        return Err(invalid(ErrorCode::ResourceLocationInvalid, format!("{field} contains a control character.")));
    }
    if let Some(parsed) = ObjectPath::parse_location(location) {
        parsed.map_err(|why| invalid(ErrorCode::ResourceLocationInvalid, format!("{field}: {why}.")))?;
    }
    Ok(())
}

/// Longest bucket name (OBS and S3: 3–63 characters).
pub const BUCKET_MAX: usize = 63;
/// Longest object key, in bytes (OBS and S3: 1,024).
pub const KEY_MAX: usize = 1024;

/// An object of dlf's object store: a bucket and a key, both checked so that, as a path under
/// the project's directory, they can never leave it (no `..`, no `.`, no empty segment, no
/// absolute key, no NUL, no backslash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPath {
    pub bucket: String,
    pub key: String,
}

impl ObjectPath {
    /// A checked bucket and key.
    pub fn new(bucket: &str, key: &str) -> Result<ObjectPath, String> {
        check_segment(bucket, "the bucket")?;
        if bucket.len() > BUCKET_MAX {
            return Err(format!("the bucket name has more than {BUCKET_MAX} characters"));
        }
        if !bucket.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err("the bucket name may hold only letters, digits, '-', '_' and '.'".into());
        }
        if key.is_empty() {
            return Err("the object key is empty".into());
        }
        if key.starts_with('/') {
            return Err("the object key must not be absolute (start with '/')".into());
        }
        if key.len() > KEY_MAX {
            return Err(format!("the object key has more than {KEY_MAX} bytes"));
        }
        for segment in key.split('/') {
            check_segment(segment, "a segment of the object key")?;
        }
        Ok(ObjectPath { bucket: bucket.to_string(), key: key.to_string() })
    }

    /// `Some` when `location` is an `obs://bucket/key` address, with the result of checking it.
    pub fn parse_location(location: &str) -> Option<Result<ObjectPath, String>> {
        let rest = location.strip_prefix("obs://")?;
        Some(match rest.split_once('/') {
            Some((bucket, key)) => ObjectPath::new(bucket, key),
            None => Err("an obs:// location needs a bucket and a key: obs://bucket/key".into()),
        })
    }

    /// The key's last segment: the name the file gets in a node's working directory.
    pub fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }

    /// `obs://bucket/key`.
    pub fn location(&self) -> String {
        format!("obs://{}/{}", self.bucket, self.key)
    }
}

fn check_segment(segment: &str, what: &str) -> Result<(), String> {
    if segment.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if segment == "." || segment == ".." {
        return Err(format!("{what} is '{segment}'"));
    }
    if segment.contains(['\0', '\\']) || segment.chars().any(char::is_control) {
        return Err(format!("{what} contains a control character or a backslash"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(json: &str) -> ResourceInfo {
        ResourceInfo::from_json_bytes(json.as_bytes()).expect("parses")
    }

    fn code(json: &str) -> &'static str {
        info(json).check().unwrap_err().code.code()
    }

    #[test]
    fn a_complete_resource_passes_and_gets_a_directory() {
        let mut r = info(
            r#"{"id":"x","name":"资源_a-1","type":"pyFile","location":"obs://b/dir/a.py","dependFiles":["obs://b/d.jar"]}"#,
        );
        r.check().unwrap();
        assert_eq!((r.id, r.directory.as_deref()), (None, Some("/")));
    }

    #[test]
    fn each_rule_has_its_code() {
        assert_eq!(code(r#"{"type":"jar","location":"obs://b/k"}"#), "DLF.3051");
        assert_eq!(code(r#"{"name":"a b","type":"jar","location":"obs://b/k"}"#), "DLF.3051");
        assert_eq!(
            code(&format!(r#"{{"name":"{}","type":"jar","location":"obs://b/k"}}"#, "a".repeat(33))),
            "DLF.3051"
        );
        assert_eq!(code(r#"{"name":"a","type":"exe","location":"obs://b/k"}"#), "DLF.6263");
        assert_eq!(code(r#"{"name":"a","location":"obs://b/k"}"#), "DLF.6263");
        assert_eq!(code(r#"{"name":"a","type":"jar"}"#), "DLF.6264");
        assert_eq!(code(r#"{"name":"a","type":"jar","location":"obs://b/../k"}"#), "DLF.6264");
        assert_eq!(code(&format!(r#"{{"name":"a","type":"jar","location":"/{}"}}"#, "x".repeat(1023))), "DLF.6264");
        assert_eq!(
            code(&format!(r#"{{"name":"a","type":"jar","location":"obs://b/k","desc":"{}"}}"#, "d".repeat(256))),
            "DLF.6265"
        );
        assert_eq!(code(r#"{"name":"a","type":"jar","location":"obs://b/k","dependFiles":[""]}"#), "DLF.6264");
        let many = vec![format!("\"obs://b/{}\"", "k".repeat(1000)); 11].join(",");
        assert_eq!(
            code(&format!(r#"{{"name":"a","type":"jar","location":"obs://b/k","dependFiles":[{many}]}}"#)),
            "DLF.3051"
        );
    }

    #[test]
    fn object_paths_stay_inside_their_bucket() {
        assert_eq!(ObjectPath::new("b", "dir/a.txt").unwrap().file_name(), "a.txt");
        for bad_key in ["", "/abs", "a/../b", "..", "./a", "a//b", "a/", "a\\b", "a\0b"] {
            assert!(ObjectPath::new("b", bad_key).is_err(), "{bad_key:?} must be refused");
        }
        for bad_bucket in ["", "..", "a/b", "a b", &"b".repeat(64)] {
            assert!(ObjectPath::new(bad_bucket, "k").is_err(), "{bad_bucket:?} must be refused");
        }
        assert!(ObjectPath::parse_location("/data/x.jar").is_none());
        assert!(ObjectPath::parse_location("obs://bucket").unwrap().is_err());
        assert_eq!(ObjectPath::parse_location("obs://b/k/x").unwrap().unwrap().location(), "obs://b/k/x");
    }
}
