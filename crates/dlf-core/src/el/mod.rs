//! The DLF expression language (placeholder; implemented by the EL work).
