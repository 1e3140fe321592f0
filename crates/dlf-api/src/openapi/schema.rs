//! Small constructors for OpenAPI schema objects, so the tables in [`super::schemas`] read like
//! the field tables of API.md: one line per wire name.

use serde_json::{Map, Value, json};

/// `{"$ref": "#/components/schemas/<name>"}`.
pub fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A string.
pub fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

/// A string restricted to `values`.
pub fn enumeration(values: &[&str], description: &str) -> Value {
    json!({ "type": "string", "enum": values, "description": description })
}

/// A 32-bit JSON integer.
pub fn int32(description: &str) -> Value {
    json!({ "type": "integer", "format": "int32", "description": description })
}

/// A 64-bit JSON integer (ids, epoch milliseconds).
pub fn int64(description: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "description": description })
}

/// Epoch milliseconds (UTC) as a JSON integer (API.md §0.8).
pub fn epoch_ms(description: &str) -> Value {
    int64(&format!("{description} (epoch milliseconds)."))
}

/// A 32-bit integer in `[min, max]`.
pub fn int_range(min: i64, max: i64, description: &str) -> Value {
    json!({ "type": "integer", "format": "int32", "minimum": min, "maximum": max, "description": description })
}

/// A JSON boolean.
pub fn boolean(description: &str) -> Value {
    json!({ "type": "boolean", "description": description })
}

/// A floating-point number.
pub fn double(description: &str) -> Value {
    json!({ "type": "number", "format": "double", "description": description })
}

/// An array of `items`.
pub fn array(items: Value, description: &str) -> Value {
    json!({ "type": "array", "items": items, "description": description })
}

/// A free-form object whose values match `values` (`{}` = any JSON value).
pub fn map_of(values: Value, description: &str) -> Value {
    json!({ "type": "object", "additionalProperties": values, "description": description })
}

/// An object with these properties, in wire order. Unknown keys are not part of the contract
/// unless [`Refine::open`] says so.
pub fn object<'a>(
    description: &str,
    required: &[&str],
    properties: impl IntoIterator<Item = (&'a str, Value)>,
) -> Value {
    let properties: Map<String, Value> = properties.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let mut schema = json!({ "type": "object", "description": description, "properties": properties });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// Refinements chained onto a schema: `string("...").with("default", "/").extension()`.
pub trait Refine {
    /// Adds `key: value` (`default`, `example`, `minLength`, `enum`, `readOnly` ...).
    fn with(self, key: &str, value: impl Into<Value>) -> Value;
    /// Marks a field (or operation) that dlf adds to the DLF v1 contract.
    fn extension(self) -> Value;
    /// Marks an object whose unknown fields dlf stores and returns verbatim (the `extra` maps
    /// of `dlf_core::model`; JOBS.md §2.1: imports from the cloud must round-trip).
    fn open(self) -> Value;
}

impl Refine for Value {
    fn with(mut self, key: &str, value: impl Into<Value>) -> Value {
        self[key] = value.into();
        self
    }

    fn extension(self) -> Value {
        self.with("x-dlf-extension", true)
    }

    fn open(self) -> Value {
        self.with("additionalProperties", true)
    }
}
