//! The properties of Rest Client (`RESTAPI`) and HTTP Trigger (`HttpTrigger`) nodes that can be
//! checked when the job is saved (JOBS.md §3.2), so a wrong value is a `DLF.3051` naming the
//! property instead of a node that fails at run time. A value holding EL (`#{`, `${`) is only
//! known when the node starts and is checked by its runner then.

use crate::error::DlfError;
use crate::model::Node;

fn has_el(value: &str) -> bool {
    value.contains("#{") || value.contains("${")
}

/// Checks node `field` of type Rest Client or HTTP Trigger; other types pass.
pub fn check(field: &str, node: &Node) -> Result<(), DlfError> {
    let prop = |k: &str| node.property(k).map(str::trim).filter(|v| !v.is_empty() && !has_el(v));
    let bad = |k: &str, v: &str, why: &str| Err(DlfError::invalid_param(format!("{field}.properties {k} '{v}' {why}")));
    if node.node_type == "RESTAPI" {
        if let Some(m) = prop("method")
            && !["GET", "POST", "PUT", "DELETE"].contains(&m.to_ascii_uppercase().as_str())
        {
            return bad("method", m, "is not one of GET, POST, PUT, DELETE");
        }
        if let Some(a) = prop("securityAuthentication")
            && !["NONE", "IAM"].contains(&a.to_ascii_uppercase().as_str())
        {
            return bad("securityAuthentication", a, "is not NONE or IAM");
        }
        if let Some(c) = prop("checkReturnValue")
            && !["YES", "NO", "TRUE", "FALSE"].contains(&c.to_ascii_uppercase().as_str())
        {
            return bad("checkReturnValue", c, "is not YES or NO");
        }
        if let Some(i) = prop("checkInterval")
            && i.parse::<u64>().ok().filter(|s| (1..=3600).contains(s)).is_none()
        {
            return bad("checkInterval", i, "must be a whole number of seconds in [1,3600]");
        }
        if prop("checkReturnValue").is_some_and(|c| c.eq_ignore_ascii_case("YES")) && prop("propertyPath").is_none() {
            return Err(DlfError::invalid_param(format!(
                "{field}: checkReturnValue is YES, so the property 'propertyPath' is required"
            )));
        }
    }
    if node.node_type.eq_ignore_ascii_case("HttpTrigger")
        && let Some(h) = prop("maxWaitHours")
        && h.parse::<u64>().ok().filter(|h| (1..=24).contains(h)).is_none()
    {
        return bad("maxWaitHours", h, "must be a whole number of hours in [1,24]");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Property;

    fn node(node_type: &str, props: &[(&str, &str)]) -> Node {
        Node {
            name: "n".into(),
            node_type: node_type.into(),
            properties: props
                .iter()
                .map(|(k, v)| Property { name: k.to_string(), value: v.to_string(), ..Default::default() })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn wrong_values_are_refused_naming_the_property() {
        let e = check("nodes[0]", &node("RESTAPI", &[("method", "PATCH")])).unwrap_err();
        assert!(e.to_string().contains("method 'PATCH'"), "{e}");
        assert!(check("nodes[0]", &node("RESTAPI", &[("method", "post")])).is_ok());
        assert!(check("nodes[0]", &node("RESTAPI", &[("method", "#{Job.getParam(\"m\")}")])).is_ok());
        assert!(check("nodes[0]", &node("RESTAPI", &[("checkInterval", "0")])).is_err());
        assert!(check("nodes[0]", &node("RESTAPI", &[("checkReturnValue", "YES")])).is_err());
        for bad in ["0", "25", "x", "1.5"] {
            let e = check("nodes[0]", &node("HttpTrigger", &[("maxWaitHours", bad)])).unwrap_err();
            assert!(e.to_string().contains("maxWaitHours"), "{e}");
        }
        assert!(check("nodes[0]", &node("HttpTrigger", &[("maxWaitHours", "24")])).is_ok());
        assert!(check("nodes[0]", &node("HttpTrigger", &[])).is_ok());
    }
}
