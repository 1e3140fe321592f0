//! Java SimpleDateFormat patterns (placeholder; implemented by the EL work).
