//! Status values as they travel on the wire (JOBS.md §2.7, §5.1, §5.2).
//!
//! Instance statuses are lower-case and hyphenated (`manual-stop`) except the two camel-case
//! ones (`forceSuccess`, `ignoreSuccess`); job statuses are upper-case. Each enum owns its exact
//! strings so the rest of the code never spells them.

use std::fmt;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire string.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the exact wire string.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// The scheduling status of a job (ListJobs `status`).
    JobStatus {
        Scheduling => "SCHEDULING",
        Stopped => "STOPPED",
        Paused => "PAUSED",
        Starting => "STARTING",
        Normal => "NORMAL",
        Exception => "EXCEPTION",
        Stopping => "STOPPING",
    }
}

wire_enum! {
    /// The status of a script run (S6–S8, API.md S7).
    ScriptRunStatus {
        Launching => "LAUNCHING",
        Running => "RUNNING",
        Finished => "FINISHED",
        Failed => "FAILED",
    }
}

impl ScriptRunStatus {
    /// `FINISHED` or `FAILED`: the run is over.
    pub fn is_terminal(self) -> bool {
        matches!(self, ScriptRunStatus::Finished | ScriptRunStatus::Failed)
    }
}

wire_enum! {
    /// The status of a job instance (JOBS.md §5.1).
    InstanceStatus {
        Waiting => "waiting",
        WaitingConfirm => "waiting-confirm",
        Running => "running",
        RunningException => "running-exception",
        Pause => "pause",
        Freeze => "freeze",
        Success => "success",
        IgnoreSuccess => "ignoreSuccess",
        ForceSuccess => "forceSuccess",
        Fail => "fail",
        ManualStop => "manual-stop",
        SkipByDepend => "skip-by-depend",
    }
}

wire_enum! {
    /// The status of one node inside an instance (JOBS.md §5.2).
    NodeStatus {
        Waiting => "waiting",
        Running => "running",
        Success => "success",
        Fail => "fail",
        Skip => "skip",
        Pause => "pause",
        ManualStop => "manual-stop",
    }
}

impl InstanceStatus {
    /// Whether the instance has ended (no further transition without an operator's rerun).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            InstanceStatus::Success
                | InstanceStatus::IgnoreSuccess
                | InstanceStatus::ForceSuccess
                | InstanceStatus::Fail
                | InstanceStatus::ManualStop
                | InstanceStatus::SkipByDepend
        )
    }

    /// `success`, `forceSuccess`, `ignoreSuccess`.
    pub fn is_success_class(self) -> bool {
        matches!(self, InstanceStatus::Success | InstanceStatus::IgnoreSuccess | InstanceStatus::ForceSuccess)
    }

    /// Satisfies a downstream dependency check: success-class or `skip-by-depend` (§4.6).
    pub fn satisfies_dependency(self) -> bool {
        self.is_success_class() || self == InstanceStatus::SkipByDepend
    }

    /// Counts as a failure for dependency decisions: `fail`, `manual-stop`, `freeze` (§5.1).
    pub fn fails_dependency(self) -> bool {
        matches!(self, InstanceStatus::Fail | InstanceStatus::ManualStop | InstanceStatus::Freeze)
    }

    /// Holds one of its job's concurrency slots (§4.8): `running`, `running-exception`, `pause`
    /// — the statuses an instance has between its gates opening and its end.
    pub fn holds_slot(self) -> bool {
        matches!(self, InstanceStatus::Running | InstanceStatus::RunningException | InstanceStatus::Pause)
    }

    /// Every status that has not ended, in declaration order.
    pub fn open() -> impl Iterator<Item = InstanceStatus> {
        InstanceStatus::ALL.iter().copied().filter(|s| !s.is_terminal())
    }
}

impl NodeStatus {
    /// `success`, `fail`, `skip`, `manual-stop`.
    pub fn is_terminal(self) -> bool {
        matches!(self, NodeStatus::Success | NodeStatus::Fail | NodeStatus::Skip | NodeStatus::ManualStop)
    }
}

/// Who created an instance (`instanceType`, JOBS.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceType {
    /// 0: the cron scheduler (and event triggers).
    Normal,
    /// 2: run-now and test runs.
    Manual,
    /// 5: PatchData.
    PatchData,
    /// 6: Subjob / For Each children.
    SubJob,
    /// 7: starting an `EXECUTE_ONCE` job.
    Once,
}

impl InstanceType {
    /// Every type, in code order.
    pub const ALL: &'static [InstanceType] = &[
        InstanceType::Normal,
        InstanceType::Manual,
        InstanceType::PatchData,
        InstanceType::SubJob,
        InstanceType::Once,
    ];

    /// The wire and database code.
    pub fn code(self) -> i64 {
        match self {
            InstanceType::Normal => 0,
            InstanceType::Manual => 2,
            InstanceType::PatchData => 5,
            InstanceType::SubJob => 6,
            InstanceType::Once => 7,
        }
    }

    /// The type of a code, `None` for an unknown one.
    pub fn from_code(code: i64) -> Option<InstanceType> {
        InstanceType::ALL.iter().copied().find(|t| t.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip() {
        for s in InstanceStatus::ALL {
            assert_eq!(InstanceStatus::parse(s.as_str()), Some(*s));
        }
        for s in NodeStatus::ALL {
            assert_eq!(NodeStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(InstanceStatus::ManualStop.as_str(), "manual-stop");
        assert_eq!(InstanceStatus::IgnoreSuccess.as_str(), "ignoreSuccess");
        assert_eq!(InstanceStatus::parse("Success"), None);
        assert_eq!(InstanceType::from_code(7), Some(InstanceType::Once));
        assert_eq!(InstanceType::from_code(1), None);
    }

    #[test]
    fn dependency_classes() {
        assert!(InstanceStatus::SkipByDepend.satisfies_dependency());
        assert!(!InstanceStatus::SkipByDepend.is_success_class());
        assert!(InstanceStatus::Freeze.fails_dependency());
        assert!(!InstanceStatus::RunningException.is_terminal());
    }
}
