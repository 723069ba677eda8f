//! Permissions, listing, conditional and range GETs, copy, append, multipart, batch delete.

mod common;
use common::*;

fn setup(a: std::net::SocketAddr, bucket: &str) -> ossc::Credentials {
    let owner = creds(OWNER);
    assert_eq!(
        Req::new("PUT", Some(bucket), None)
            .v4(&owner)
            .send(a)
            .status,
        200
    );
    owner
}

#[test]
fn acl_and_policy_decide_for_non_owners_and_deny_wins() {
    let s = start();
    let a = s.addr();
    let owner = setup(a, "perm");
    let other = creds(REQUESTER);
    Req::new("PUT", Some("perm"), Some("pub/x"))
        .body(b"x")
        .v4(&owner)
        .send(a);
    Req::new("PUT", Some("perm"), Some("priv/x"))
        .body(b"x")
        .v4(&owner)
        .send(a);
    assert_eq!(
        Req::new("GET", Some("perm"), Some("pub/x"))
            .v4(&other)
            .send(a)
            .status,
        403
    );
    assert_eq!(
        Req::new("GET", Some("perm"), Some("pub/x")).send(a).status,
        403
    );
    Req::new("PUT", Some("perm"), None)
        .sub("acl", None)
        .header("x-oss-acl", "public-read")
        .v4(&owner)
        .send(a);
    assert_eq!(
        Req::new("GET", Some("perm"), Some("pub/x")).send(a).status,
        200,
        "anonymous read"
    );
    assert_eq!(
        Req::new("PUT", Some("perm"), Some("new"))
            .body(b"n")
            .send(a)
            .status,
        403,
        "no anonymous write"
    );
    let policy = format!(
        r#"{{"Version":"1","Statement":[
        {{"Effect":"Allow","Principal":["{REQUESTER_UID}"],"Action":["oss:PutObject","oss:DeleteObject"],"Resource":["acs:oss:*:{OWNER_UID}:perm/pub/*"]}},
        {{"Effect":"Deny","Principal":["*"],"Action":["oss:Get*"],"Resource":["acs:oss:*:*:perm/priv/*"]}}]}}"#
    );
    assert_eq!(
        Req::new("PUT", Some("perm"), None)
            .sub("policy", None)
            .body(policy.as_bytes())
            .v4(&owner)
            .send(a)
            .status,
        200
    );
    assert_eq!(
        Req::new("PUT", Some("perm"), Some("pub/y"))
            .body(b"y")
            .v4(&other)
            .send(a)
            .status,
        200
    );
    assert_eq!(
        Req::new("PUT", Some("perm"), Some("other/y"))
            .body(b"y")
            .v4(&other)
            .send(a)
            .status,
        403
    );
    assert_eq!(
        Req::new("GET", Some("perm"), Some("priv/x"))
            .v4(&other)
            .send(a)
            .status,
        403,
        "deny beats public-read"
    );
    assert_eq!(
        Req::new("HEAD", Some("perm"), Some("priv/x"))
            .v4(&other)
            .send(a)
            .status,
        403,
        "HEAD needs GetObject"
    );
    assert_eq!(
        Req::new("GET", Some("perm"), Some("priv/x"))
            .v4(&owner)
            .send(a)
            .status,
        200,
        "the owner is not bound"
    );
    // Bucket configuration is the owner's, ACL or not.
    assert_eq!(
        Req::new("GET", Some("perm"), None)
            .sub("policy", None)
            .v4(&other)
            .send(a)
            .status,
        403
    );
    assert_eq!(
        Req::new("DELETE", Some("perm"), None)
            .v4(&other)
            .send(a)
            .status,
        403
    );
    // Policies with elements ossemu cannot enforce are refused, not half-applied.
    let r = Req::new("PUT", Some("perm"), None)
        .sub("policy", None)
        .body(br#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"oss:*","Resource":"acs:oss:*:*:perm","Condition":{}}]}"#)
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (400, Some("InvalidPolicyDocument"))
    );
}

#[test]
fn listing_v1_and_v2_with_prefix_delimiter_and_paging() {
    let s = start();
    let a = s.addr();
    let owner = setup(a, "list");
    for k in ["a/1", "a/2", "a/b/3", "b/4", "c"] {
        Req::new("PUT", Some("list"), Some(k))
            .body(k.as_bytes())
            .v4(&owner)
            .send(a);
    }
    let r = Req::new("GET", Some("list"), None)
        .sub("prefix", Some("a/"))
        .sub("delimiter", Some("/"))
        .v1(&owner)
        .send(a);
    let t = r.text();
    assert!(
        t.contains("<Key>a/1</Key>")
            && t.contains("<Key>a/2</Key>")
            && !t.contains("<Key>a/b/3</Key>"),
        "{t}"
    );
    assert!(
        t.contains("<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes>"),
        "{t}"
    );
    let r = Req::new("GET", Some("list"), None)
        .sub("max-keys", Some("2"))
        .v1(&owner)
        .send(a);
    assert!(
        r.text().contains("<IsTruncated>true</IsTruncated>")
            && r.text().contains("<NextMarker>a/2</NextMarker>")
    );
    let r = Req::new("GET", Some("list"), None)
        .sub("marker", Some("a/2"))
        .v1(&owner)
        .send(a);
    assert!(!r.text().contains("<Key>a/2</Key>") && r.text().contains("<Key>a/b/3</Key>"));
    // V2: continuation tokens (signed, V1) page through everything exactly once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q = Req::new("GET", Some("list"), None)
            .sub("list-type", Some("2"))
            .sub("max-keys", Some("2"));
        if let Some(t) = &token {
            q = q.sub("continuation-token", Some(t));
        }
        let r = q.v1(&owner).send(a);
        assert_eq!(r.status, 200, "{}", r.text());
        let t = r.text();
        for part in t.split("<Key>").skip(1) {
            seen.push(part.split("</Key>").next().unwrap().to_string());
        }
        match r.xml("NextContinuationToken") {
            Some(n) => token = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ["a/1", "a/2", "a/b/3", "b/4", "c"]);
    let r = Req::new("GET", Some("list"), None)
        .sub("max-keys", Some("0"))
        .v1(&owner)
        .send(a);
    assert_eq!(r.status, 400);
}

#[test]
fn ranges_conditions_and_response_overrides() {
    let s = start();
    let a = s.addr();
    let owner = setup(a, "get");
    let put = Req::new("PUT", Some("get"), Some("k"))
        .body(b"0123456789")
        .header("Content-Type", "text/plain")
        .v4(&owner)
        .send(a);
    let etag = put.header("etag").unwrap().to_string();
    assert_eq!(
        put.header("x-oss-hash-crc64ecma").unwrap(),
        ossc::crc64::checksum(b"0123456789").to_string()
    );
    for (range, status, body) in [
        ("bytes=2-4", 206, &b"234"[..]),
        ("bytes=7-", 206, b"789"),
        ("bytes=-3", 206, b"789"),
        ("bytes=8-100", 206, b"89"),
        ("bytes=5-2", 200, b"0123456789"),
        ("bytes=1-2,4-5", 200, b"0123456789"),
    ] {
        let r = Req::new("GET", Some("get"), Some("k"))
            .header("Range", range)
            .v4(&owner)
            .send(a);
        assert_eq!((r.status, r.body.as_slice()), (status, body), "{range}");
        // The header is the whole object's CRC even for a range.
        assert_eq!(
            r.header("x-oss-hash-crc64ecma").unwrap(),
            put.header("x-oss-hash-crc64ecma").unwrap()
        );
    }
    let r = Req::new("GET", Some("get"), Some("k"))
        .header("Range", "bytes=10-")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (416, Some("InvalidRange"))
    );
    let future = ossc::time::rfc1123(ossc::time::now_unix() + 3600);
    let past = ossc::time::rfc1123(ossc::time::now_unix() - 3600);
    let conditional = |h: &str, v: &str| {
        Req::new("GET", Some("get"), Some("k"))
            .header(h, v)
            .v4(&owner)
            .send(a)
            .status
    };
    assert_eq!(conditional("If-Match", &etag), 200);
    assert_eq!(conditional("If-Match", "\"nope\""), 412);
    assert_eq!(conditional("If-None-Match", &etag), 304);
    assert_eq!(conditional("If-Modified-Since", &future), 304);
    assert_eq!(conditional("If-Modified-Since", &past), 200);
    assert_eq!(conditional("If-Unmodified-Since", &past), 412);
    let r = Req::new("GET", Some("get"), Some("k"))
        .sub("response-content-type", Some("application/json"))
        .sub("response-content-disposition", Some("attachment"))
        .v1(&owner)
        .send(a);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("content-disposition"), Some("attachment"));
    let r = Req::new("HEAD", Some("get"), Some("k")).v4(&owner).send(a);
    assert_eq!(
        (r.header("content-length"), r.header("content-type")),
        (Some("10"), Some("text/plain"))
    );
    assert!(r.body.is_empty());
    let r = Req::new("GET", Some("get"), Some("k"))
        .sub("objectMeta", None)
        .v4(&owner)
        .send(a);
    assert_eq!((r.status, r.header("etag")), (200, Some(etag.as_str())));
}

#[test]
fn copy_append_and_batch_delete() {
    let s = start();
    let a = s.addr();
    let owner = setup(a, "ops");
    Req::new("PUT", Some("ops"), Some("src"))
        .body(b"source")
        .header("x-oss-meta-color", "red")
        .v4(&owner)
        .send(a);
    let r = Req::new("PUT", Some("ops"), Some("dst"))
        .header("x-oss-copy-source", "/ops/src")
        .v4(&owner)
        .send(a);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = Req::new("GET", Some("ops"), Some("dst")).v4(&owner).send(a);
    assert_eq!(
        (r.body.as_slice(), r.header("x-oss-meta-color")),
        (&b"source"[..], Some("red"))
    );
    let r = Req::new("PUT", Some("ops"), Some("dst2"))
        .header("x-oss-copy-source", "/ops/src")
        .header("x-oss-metadata-directive", "REPLACE")
        .header("x-oss-meta-shape", "round")
        .v4(&owner)
        .send(a);
    assert_eq!(r.status, 200);
    let r = Req::new("HEAD", Some("ops"), Some("dst2"))
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.header("x-oss-meta-color"), r.header("x-oss-meta-shape")),
        (None, Some("round"))
    );

    let r = Req::new("POST", Some("ops"), Some("log"))
        .sub("append", None)
        .sub("position", Some("0"))
        .body(b"abc")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.header("x-oss-next-append-position")),
        (200, Some("3"))
    );
    let r = Req::new("POST", Some("ops"), Some("log"))
        .sub("append", None)
        .sub("position", Some("1"))
        .body(b"x")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (409, Some("PositionNotEqualToLength"))
    );
    let r = Req::new("POST", Some("ops"), Some("log"))
        .sub("append", None)
        .sub("position", Some("3"))
        .body(b"def")
        .v4(&owner)
        .send(a);
    assert_eq!(
        r.header("x-oss-hash-crc64ecma").unwrap(),
        ossc::crc64::checksum(b"abcdef").to_string()
    );
    assert_eq!(
        Req::new("GET", Some("ops"), Some("log"))
            .v4(&owner)
            .send(a)
            .body,
        b"abcdef"
    );
    let r = Req::new("POST", Some("ops"), Some("src"))
        .sub("append", None)
        .sub("position", Some("6"))
        .body(b"!")
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (409, Some("ObjectNotAppendable"))
    );

    let body = b"<Delete><Quiet>false</Quiet><Object><Key>src</Key></Object><Object><Key>dst</Key></Object><Object><Key>missing</Key></Object></Delete>";
    let r = Req::new("POST", Some("ops"), None)
        .sub("delete", None)
        .body(body)
        .v4(&owner)
        .send(a);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text().matches("<Deleted>").count(), 3);
    assert_eq!(
        Req::new("HEAD", Some("ops"), Some("src"))
            .v4(&owner)
            .send(a)
            .status,
        404
    );
    assert_eq!(
        Req::new("HEAD", Some("ops"), Some("dst2"))
            .v4(&owner)
            .send(a)
            .status,
        200
    );
    let r = Req::new("DELETE", Some("ops"), None).v4(&owner).send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (409, Some("BucketNotEmpty"))
    );
}

#[test]
fn multipart_upload_with_part_copy_and_listing() {
    let s = start();
    let a = s.addr();
    let owner = setup(a, "mpu");
    Req::new("PUT", Some("mpu"), Some("src"))
        .body(&vec![b's'; 300 * 1024])
        .v4(&owner)
        .send(a);
    let r = Req::new("POST", Some("mpu"), Some("big"))
        .sub("uploads", None)
        .header("Content-Type", "x/y")
        .v4(&owner)
        .send(a);
    let id = r.xml("UploadId").unwrap();
    let p1 = vec![b'1'; 200 * 1024];
    let r1 = Req::new("PUT", Some("mpu"), Some("big"))
        .sub("partNumber", Some("1"))
        .sub("uploadId", Some(&id))
        .body(&p1)
        .v1(&owner)
        .send(a);
    assert_eq!(r1.status, 200);
    let r2 = Req::new("PUT", Some("mpu"), Some("big"))
        .sub("partNumber", Some("2"))
        .sub("uploadId", Some(&id))
        .header("x-oss-copy-source", "/mpu/src")
        .header("x-oss-copy-source-range", "bytes=0-102399")
        .v4(&owner)
        .send(a);
    assert_eq!(r2.status, 200, "{}", r2.text());
    let r3 = Req::new("PUT", Some("mpu"), Some("big"))
        .sub("partNumber", Some("3"))
        .sub("uploadId", Some(&id))
        .body(b"tail")
        .v4(&owner)
        .send(a);
    let lp = Req::new("GET", Some("mpu"), Some("big"))
        .sub("uploadId", Some(&id))
        .v4(&owner)
        .send(a);
    assert_eq!(lp.text().matches("<Part>").count(), 3);
    let lu = Req::new("GET", Some("mpu"), None)
        .sub("uploads", None)
        .v4(&owner)
        .send(a);
    assert!(lu.text().contains(&id));
    let tags = [
        r1.header("etag").unwrap().to_string(),
        r2.xml("ETag").unwrap().replace("&quot;", "\""),
        r3.header("etag").unwrap().to_string(),
    ];
    // Out of order: refused.
    let bad = format!("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>", tags[1], tags[0]);
    let r = Req::new("POST", Some("mpu"), Some("big"))
        .sub("uploadId", Some(&id))
        .body(bad.as_bytes())
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (400, Some("InvalidPartOrder"))
    );
    let body: String = tags
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{t}</ETag></Part>",
                i + 1
            )
        })
        .collect();
    let body = format!("<CompleteMultipartUpload>{body}</CompleteMultipartUpload>");
    let r = Req::new("POST", Some("mpu"), Some("big"))
        .sub("uploadId", Some(&id))
        .body(body.as_bytes())
        .v4(&owner)
        .send(a);
    assert_eq!(r.status, 200, "{}", r.text());
    let mut want = p1.clone();
    want.extend(vec![b's'; 100 * 1024]);
    want.extend(b"tail");
    assert_eq!(
        r.header("x-oss-hash-crc64ecma").unwrap(),
        ossc::crc64::checksum(&want).to_string()
    );
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.ends_with("-3\""), "{etag}");
    let g = Req::new("GET", Some("mpu"), Some("big")).v4(&owner).send(a);
    assert_eq!(g.body, want);
    assert_eq!(g.header("content-type"), Some("x/y"));
    assert_eq!(g.header("x-oss-object-type"), Some("Multipart"));
    // The upload is gone; a second complete or an abort finds nothing.
    let r = Req::new("DELETE", Some("mpu"), Some("big"))
        .sub("uploadId", Some(&id))
        .v4(&owner)
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (404, Some("NoSuchUpload"))
    );
    // Abort of a live upload.
    let id2 = Req::new("POST", Some("mpu"), Some("x"))
        .sub("uploads", None)
        .v4(&owner)
        .send(a)
        .xml("UploadId")
        .unwrap();
    assert_eq!(
        Req::new("DELETE", Some("mpu"), Some("x"))
            .sub("uploadId", Some(&id2))
            .v4(&owner)
            .send(a)
            .status,
        204
    );
}
