//! Shared helpers for the integration tests: an in-process ossemu and clients for its demo
//! identities.
#![allow(dead_code)]

use ossc::{Bucket, Config, Credentials, Payer, SignatureVersion};

pub const OWNER_UID: &str = "1000000000000001";
pub const REQUESTER_UID: &str = "1000000000000002";
pub const ROLE_OWNER_UID: &str = "1000000000000003";

pub fn server() -> ossemu::Server {
    ossemu::start(ossemu::Options::default()).expect("start ossemu")
}

pub enum Who {
    Owner,
    Requester,
    Sts,
    Stranger,
}

pub fn client(
    server: &ossemu::Server,
    bucket: &str,
    who: Who,
    version: SignatureVersion,
) -> Bucket {
    let creds = match who {
        Who::Owner => Credentials::new("demo-owner-ak", "demo-owner-sk", None),
        Who::Requester => Credentials::new("demo-requester-ak", "demo-requester-sk", None),
        Who::Sts => Credentials::new(
            "STS.demo-role-ak",
            "demo-role-sk",
            Some("demo-role-token".into()),
        ),
        Who::Stranger => Credentials::new("nobody-ak", "nobody-sk", None),
    };
    let mut cfg = Config::new(&server.endpoint(), bucket, creds);
    cfg.region = "cn-hangzhou".into();
    cfg.signature_version = version;
    Bucket::new(cfg).expect("client")
}

/// Creates `bucket` as the owner, grants the requester and the STS role's account object access
/// and listing by policy, and switches requester pays on.
pub fn requester_pays_bucket(server: &ossemu::Server, bucket: &str) -> Bucket {
    let owner = client(server, bucket, Who::Owner, SignatureVersion::V4);
    owner.create_bucket(None).expect("create bucket");
    owner
        .put_policy(&format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Principal":["{REQUESTER_UID}","{ROLE_OWNER_UID}"],"Action":["oss:GetObject","oss:PutObject","oss:DeleteObject","oss:ListObjects"],"Resource":["acs:oss:*:{OWNER_UID}:{bucket}","acs:oss:*:{OWNER_UID}:{bucket}/*"]}}]}}"#
        ))
        .expect("policy");
    owner
        .set_request_payment(Payer::Requester)
        .expect("requester pays");
    owner
}
