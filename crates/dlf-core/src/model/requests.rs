//! Small request bodies (StartJob / RunOnce), and the one JSON-body parser every operation uses.

use super::job::JobParam;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// StartJob / RunOnce body: `{"jobParams": [...]}`; the SDK may send no body at all.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartJobBody {
    #[serde(default)]
    pub job_params: Option<Vec<JobParam>>,
}

/// Parses a JSON request body. An empty (or all-whitespace) body is `T::default()` — the SDK
/// sends optional bodies as `Content-Length: 0` (API.md §0.9). Errors name the JSON path.
pub fn parse_json_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
    })?;
    de.end().map_err(|e| format!("unexpected text after the JSON document: {e}"))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_aliased_bodies() {
        assert_eq!(parse_json_body::<StartJobBody>(b"").unwrap(), StartJobBody::default());
        assert_eq!(parse_json_body::<StartJobBody>(b"{}").unwrap(), StartJobBody::default());
        let body: StartJobBody =
            parse_json_body(br#"{"jobParams":[{"name":"a","value":"1","paramType":"constants"}]}"#).unwrap();
        let p = &body.job_params.unwrap()[0];
        assert_eq!((p.name.as_str(), p.value.as_deref(), p.param_type.as_deref()), ("a", Some("1"), Some("constants")));
        let err = parse_json_body::<StartJobBody>(br#"{"jobParams":"x"}"#).unwrap_err();
        assert!(err.starts_with("jobParams: "), "{err}");
        let err = parse_json_body::<StartJobBody>(br#"{} {"and":"more"}"#).unwrap_err();
        assert!(err.contains("after the JSON document"), "{err}");
        assert!(parse_json_body::<StartJobBody>(b"{}\n").is_ok(), "trailing whitespace is fine");
    }
}
