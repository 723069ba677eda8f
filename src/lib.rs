//! ossc: an Alibaba Cloud OSS client built for requester-pays buckets, with a C ABI.
//!
//! The Rust core (everything but [`ffi`]) has no C types in it: [`Bucket`] is the client,
//! [`Error`] the error value. The `ffi` module is a thin layer that checks and converts
//! arguments for C callers; `include/ossc.h` is generated from it by build.rs.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod crc64;
pub mod credentials;
pub mod encode;
pub mod sign;
pub mod time;

pub use credentials::Credentials;
