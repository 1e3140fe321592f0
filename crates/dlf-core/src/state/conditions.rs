//! Edge conditions and the multi-IF vote (JOBS.md §5.6 steps 4–5).
//!
//! Each condition's `#{…}` expression is rendered by the EL engine; [`condition_is_true`] turns
//! the text into a boolean, and [`vote`] combines the node's conditional edges under the
//! workspace multi-IF policy. A false vote skips the node; the skip propagates when any of the
//! false conditions has `skipPolicy` `SKIP_ALL` (the default). An evaluation error never reaches
//! the vote: it fails the node, whose own `failPolicy` then applies.

use super::readiness::Readiness;
use crate::model::Condition;

/// How far a false condition's skip reaches (extension field `skipPolicy`, §5.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SkipPolicy {
    /// `SKIP_ALL` (default): the skipped node's descendants are skipped too.
    #[default]
    SkipAll,
    /// `SKIP_NEXT`: only the node is skipped; its descendants treat it as finished.
    SkipNext,
}

impl SkipPolicy {
    /// Parses the wire string (`SKIP_ALL`, `SKIP_NEXT`).
    pub fn parse(s: &str) -> Option<SkipPolicy> {
        match s {
            "SKIP_ALL" => Some(SkipPolicy::SkipAll),
            "SKIP_NEXT" => Some(SkipPolicy::SkipNext),
            _ => None,
        }
    }

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipPolicy::SkipAll => "SKIP_ALL",
            SkipPolicy::SkipNext => "SKIP_NEXT",
        }
    }

    /// A condition's policy; absent or unrecognised means `SKIP_ALL`.
    pub fn of(condition: &Condition) -> SkipPolicy {
        condition.skip_policy.as_deref().and_then(SkipPolicy::parse).unwrap_or_default()
    }
}

/// The workspace multi-IF policy: how several conditional edges into one node combine (§5.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MultiIfPolicy {
    /// `OR` (default): the node runs if at least one condition is true.
    #[default]
    Or,
    /// `AND`: the node runs only if every condition is true.
    And,
}

impl MultiIfPolicy {
    /// Parses `OR` / `AND`.
    pub fn parse(s: &str) -> Option<MultiIfPolicy> {
        match s {
            "OR" => Some(MultiIfPolicy::Or),
            "AND" => Some(MultiIfPolicy::And),
            _ => None,
        }
    }

    /// The setting's string.
    pub fn as_str(self) -> &'static str {
        match self {
            MultiIfPolicy::Or => "OR",
            MultiIfPolicy::And => "AND",
        }
    }
}

/// One evaluated condition of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionResult {
    /// The condition's `preNodeName` (kept for logs and messages).
    pub upstream: String,
    /// Whether the rendered expression was true ([`condition_is_true`]).
    pub value: bool,
    /// The condition's skip policy.
    pub skip_policy: SkipPolicy,
}

/// Whether a rendered condition expression means true: trimmed, equal to `true` ignoring case.
pub fn condition_is_true(rendered: &str) -> bool {
    rendered.trim().eq_ignore_ascii_case("true")
}

/// The vote of a node's conditional edges: [`Readiness::Run`] or [`Readiness::Skip`].
/// No conditions at all vote true (edges without a condition do not take part).
pub fn vote(results: &[ConditionResult], policy: MultiIfPolicy) -> Readiness {
    let passes = match policy {
        MultiIfPolicy::Or => results.is_empty() || results.iter().any(|r| r.value),
        MultiIfPolicy::And => results.iter().all(|r| r.value),
    };
    if passes {
        return Readiness::Run;
    }
    let propagates = results.iter().any(|r| !r.value && r.skip_policy == SkipPolicy::SkipAll);
    Readiness::Skip { propagates }
}
