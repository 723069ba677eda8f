//! ossc: an Alibaba Cloud OSS client built for requester-pays buckets, with a C ABI.
//!
//! The Rust core (everything but [`ffi`]) has no C types in it: [`Bucket`] is the client,
//! [`Error`] the error value. The `ffi` module is a thin layer that checks and converts
//! arguments for C callers; `include/ossc.h` is generated from it by build.rs.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod crc64;
pub mod credentials;
pub mod encode;
pub mod error;
pub mod sign;
pub mod time;
pub mod xml;

pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
pub mod client;
pub mod config;
pub mod transport;

pub use client::{Bucket, ContentMd5, ObjectMeta, PresignMethod, PutOptions, PutResult, Range};
pub use config::{Addressing, Config};
pub use sign::SignatureVersion;
pub use xml::{Acl, Payer};
pub mod ffi;
