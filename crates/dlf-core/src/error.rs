//! The `DLF.xxxx` error catalogue (spec/ERRORS.md) as one type.
//!
//! Every business error travels as HTTP 400 with `{"error_code","error_msg"}`; gateway-level
//! errors (auth, unknown route, body too large) carry their own HTTP status. Keeping the code,
//! the HTTP status and the default message together here means a handler can only ever answer
//! with a code the catalogue knows, and the message texts clients match on stay in one place.

use std::fmt;

/// A catalogue entry: code, HTTP status, and the message Huawei's examples use (clients match on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    JobNotFound,
    JobQuota,
    JobNameTaken,
    BatchOnly,
    InstanceNotFound,
    ScriptCreateFailed,
    ScriptNameTaken,
    ScriptModifyFailed,
    SystemTaskNotFound,
    /// DLF.0803: an `obs://` path (or an import path) is malformed or not allowed.
    ObsPathInvalid,
    /// DLF.0815: the file an import names cannot be read.
    ObsFileUnreadable,
    /// DLF.1242: the bucket of an `obs://` path does not exist.
    ObsBucketNotFound,
    JobHasNoNodes,
    InvalidProcessType,
    JobNameEmpty,
    JobNameInvalid,
    ScheduleInvalid,
    JobDescriptionInvalid,
    InvalidParameter,
    ScriptNotFound,
    ScriptInstanceNotFound,
    ResourceNotFound,
    /// DLF.6259: a resource of that name exists (names are unique per workspace in dlf).
    ResourceNameTaken,
    /// DLF.6263: a resource's `type` is not `archive`, `file`, `jar` or `pyFile`.
    ResourceTypeInvalid,
    /// DLF.6264: a resource's `location` is invalid.
    ResourceLocationInvalid,
    /// DLF.6265: a resource's `desc` is invalid (over 255 characters).
    ResourceDescriptionInvalid,
    ScriptTypeMissing,
    ScriptQuota,
    ConnectionNameTaken,
    ConnectionNotFound,
    /// DLF.6271: a workspace has one DLI connection at most.
    DliConnectionExists,
    /// DLF.6323: a connection's type cannot change.
    ConnectionTypeFixed,
    /// DLF.6418: a DWS connection needs a cluster name or an address and port.
    DwsAddressMissing,
    PermissionDenied,
    /// 401 APIGW.0301
    Unauthenticated,
    /// 403 APIGW.0302
    Forbidden,
    /// 404 APIGW.0101
    ApiNotFound,
    /// 400 APIGW.0201
    BadRequest,
    /// 413 APIGW.0201
    PayloadTooLarge,
    /// 414 APIGW.0201
    UriTooLong,
    /// 500 DLF.9999 (project-defined)
    Internal,
}

impl ErrorCode {
    /// The wire code, e.g. `DLF.0100`.
    pub fn code(self) -> &'static str {
        use ErrorCode::*;
        match self {
            JobNotFound => "DLF.0100",
            JobQuota => "DLF.0101",
            JobNameTaken => "DLF.0102",
            BatchOnly => "DLF.0136",
            InstanceNotFound => "DLF.0137",
            ScriptCreateFailed => "DLF.0201",
            ScriptNameTaken => "DLF.0202",
            ScriptModifyFailed => "DLF.0203",
            SystemTaskNotFound => "DLF.0810",
            ObsPathInvalid => "DLF.0803",
            ObsFileUnreadable => "DLF.0815",
            ObsBucketNotFound => "DLF.1242",
            JobHasNoNodes => "DLF.1006",
            InvalidProcessType => "DLF.2014",
            JobNameEmpty => "DLF.3004",
            JobNameInvalid => "DLF.3018",
            ScheduleInvalid => "DLF.3025",
            JobDescriptionInvalid => "DLF.3050",
            InvalidParameter => "DLF.3051",
            ScriptNotFound => "DLF.6201",
            ScriptInstanceNotFound => "DLF.6205",
            ResourceNotFound => "DLF.6241",
            ResourceNameTaken => "DLF.6259",
            ResourceTypeInvalid => "DLF.6263",
            ResourceLocationInvalid => "DLF.6264",
            ResourceDescriptionInvalid => "DLF.6265",
            ScriptTypeMissing => "DLF.6247",
            ScriptQuota => "DLF.6253",
            ConnectionNameTaken => "DLF.6309",
            ConnectionNotFound => "DLF.6322",
            DliConnectionExists => "DLF.6271",
            ConnectionTypeFixed => "DLF.6323",
            DwsAddressMissing => "DLF.6418",
            PermissionDenied => "DLF.6888",
            Unauthenticated => "APIGW.0301",
            Forbidden => "APIGW.0302",
            ApiNotFound => "APIGW.0101",
            BadRequest | PayloadTooLarge | UriTooLong => "APIGW.0201",
            Internal => "DLF.9999",
        }
    }

    /// The HTTP status the code travels with.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            Unauthenticated => 401,
            Forbidden => 403,
            ApiNotFound => 404,
            PayloadTooLarge => 413,
            UriTooLong => 414,
            Internal => 500,
            _ => 400,
        }
    }

    /// The message Huawei's examples carry for this code (used when no detail is given).
    pub fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            JobNotFound => "The job does not exists.",
            JobQuota => "The number of jobs exceeds the quota.",
            JobNameTaken => "The job name already exists.",
            BatchOnly => "This API can be called only for batch jobs.",
            InstanceNotFound => "Job instance does not exist.",
            ScriptCreateFailed => "Failed to create the script.",
            ScriptNameTaken => "The script name already exists.",
            ScriptModifyFailed => "Failed to modify the script.",
            SystemTaskNotFound => "The task does not exist.",
            ObsPathInvalid => "The OBS path is invalid.",
            ObsFileUnreadable => "Fail to read OBS file.",
            ObsBucketNotFound => "The OBS bucket does not exist.",
            JobHasNoNodes => "The job has no nodes.",
            InvalidProcessType => "The job process type is invalid.",
            JobNameEmpty => "The job name is empty.",
            JobNameInvalid => "The job name is invalid.",
            ScheduleInvalid => "The job scheduling configuration is invalid.",
            JobDescriptionInvalid => "The job description is invalid.",
            InvalidParameter => "The request parameter is invalid.",
            ScriptNotFound => "The script does not exist.",
            ScriptInstanceNotFound => "The script running history does not exist.",
            ResourceNotFound => "The resource information does not exist.",
            ResourceNameTaken => "Files of the same name exist in the directory.",
            ResourceTypeInvalid => "The resource type is invalid.",
            ResourceLocationInvalid => "The OBS path of the resource file is invalid.",
            ResourceDescriptionInvalid => "The resource description is invalid.",
            ScriptTypeMissing => "The script type is not specified.",
            ScriptQuota => "The number of scripts exceeds the quota.",
            ConnectionNameTaken => "The name already exists.",
            ConnectionNotFound => "The data connection does not exist.",
            DliConnectionExists => "Only one DLI connection is allowed.",
            ConnectionTypeFixed => "The type of a data connection cannot be changed.",
            DwsAddressMissing => "A DWS connection needs a cluster name, or an IP address and a port.",
            PermissionDenied => "The account does not have the permission.",
            Unauthenticated => "Incorrect IAM authentication information",
            Forbidden => "The IAM user is not authorized to access the API.",
            ApiNotFound => "The API does not exist or has not been published in the environment.",
            BadRequest => "API request error.",
            PayloadTooLarge => "Request entity too large.",
            UriTooLong => "Request URI too large.",
            Internal => "Internal error",
        }
    }
}

/// A DLF error: a catalogue code and the message sent as `error_msg`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DlfError {
    pub code: ErrorCode,
    pub message: String,
}

impl DlfError {
    /// The code with its catalogue message.
    pub fn new(code: ErrorCode) -> Self {
        DlfError { code, message: code.default_message().to_string() }
    }

    /// The code with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        DlfError { code, message: message.into() }
    }

    /// `DLF.3051` with detail appended: `The request parameter is invalid: <detail>`.
    pub fn invalid_param(detail: impl fmt::Display) -> Self {
        DlfError::with_message(ErrorCode::InvalidParameter, format!("The request parameter is invalid: {detail}"))
    }

    /// `DLF.3025` naming what is wrong with the schedule.
    pub fn schedule(detail: impl fmt::Display) -> Self {
        DlfError::with_message(
            ErrorCode::ScheduleInvalid,
            format!("The job scheduling configuration is invalid: {detail}"),
        )
    }

    /// `DLF.0100`.
    pub fn job_not_found() -> Self {
        DlfError::new(ErrorCode::JobNotFound)
    }

    /// `DLF.0137`.
    pub fn instance_not_found() -> Self {
        DlfError::new(ErrorCode::InstanceNotFound)
    }

    /// `APIGW.0301` with its detail: `Incorrect IAM authentication information: <detail>`.
    pub fn unauthenticated(detail: impl fmt::Display) -> Self {
        DlfError::with_message(
            ErrorCode::Unauthenticated,
            format!("Incorrect IAM authentication information: {detail}"),
        )
    }

    /// `DLF.9999` for a server fault; the message carries only a reference id, never internals.
    pub fn internal(reference: impl fmt::Display) -> Self {
        DlfError::with_message(ErrorCode::Internal, format!("Internal error: {reference}"))
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl fmt::Display for DlfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

impl std::error::Error for DlfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_job_missing_is_the_documented_body() {
        let e = DlfError::job_not_found();
        assert_eq!(e.code.code(), "DLF.0100");
        assert_eq!(e.message, "The job does not exists.");
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn gateway_codes_carry_their_status() {
        assert_eq!(ErrorCode::Unauthenticated.http_status(), 401);
        assert_eq!(ErrorCode::Forbidden.http_status(), 403);
        assert_eq!(ErrorCode::ApiNotFound.http_status(), 404);
        assert_eq!(ErrorCode::PayloadTooLarge.http_status(), 413);
        assert_eq!(ErrorCode::PayloadTooLarge.code(), "APIGW.0201");
        assert!(
            DlfError::unauthenticated("bad signature")
                .message
                .starts_with("Incorrect IAM authentication information: ")
        );
    }
}
