//! Every requester-pays rule of PROTOCOL.md, driven with raw HTTP.

mod common;
use common::*;

#[test]
fn anonymous_requests_are_refused_with_701() {
    let s = start();
    requester_pays_bucket(s.addr(), "rp-anon");
    let r = Req::new("GET", Some("rp-anon"), Some("k")).send(s.addr());
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (403, Some("AccessDenied"))
    );
    assert_eq!(r.xml("EC").as_deref(), Some("0003-00000701"));
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("Access denied for requester pay bucket")
    );
    assert_eq!(r.xml("BucketName").as_deref(), Some("rp-anon"));
    assert_eq!(r.header("x-oss-ec"), Some("0003-00000701"));
    // Even with the header: anonymous is never enough.
    let r = Req::new("GET", Some("rp-anon"), Some("k"))
        .payer()
        .send(s.addr());
    assert_eq!(r.xml("EC").as_deref(), Some("0003-00000701"));
}

#[test]
fn header_signed_requests_need_the_payer_header_on_every_operation() {
    let s = start();
    let a = s.addr();
    requester_pays_bucket(a, "rp-hdr");
    let req = creds(REQUESTER);
    let cases: Vec<Req> = vec![
        Req::new("PUT", Some("rp-hdr"), Some("k")).body(b"data"),
        Req::new("GET", Some("rp-hdr"), Some("k")),
        Req::new("HEAD", Some("rp-hdr"), Some("k")),
        Req::new("DELETE", Some("rp-hdr"), Some("k")),
        Req::new("GET", Some("rp-hdr"), None),
        Req::new("GET", Some("rp-hdr"), None).sub("list-type", Some("2")),
        Req::new("POST", Some("rp-hdr"), Some("k")).sub("uploads", None),
        Req::new("POST", Some("rp-hdr"), Some("k"))
            .sub("append", None)
            .sub("position", Some("0"))
            .body(b"x"),
        Req::new("PUT", Some("rp-hdr"), Some("copy")).header("x-oss-copy-source", "/rp-hdr/k"),
        Req::new("GET", Some("rp-hdr"), Some("k")).sub("objectMeta", None),
    ];
    for (i, c) in cases.into_iter().enumerate() {
        // Missing, and present with a wrong value: both 703.
        for value in [None, Some("bucketOwner"), Some("Requester ")] {
            let mut c2 = Req {
                sr: c.sr.clone(),
                body: c.body.clone(),
            };
            if let Some(v) = value {
                c2 = c2.header("x-oss-request-payer", v);
            }
            let r = c2.v4(&req).send(a);
            assert_eq!(r.status, 403, "case {i} {value:?}");
            if c.sr.method == "HEAD" {
                use base64::Engine;
                let xml = base64::engine::general_purpose::STANDARD
                    .decode(r.header("x-oss-err").unwrap())
                    .unwrap();
                let xml = String::from_utf8(xml).unwrap();
                assert!(xml.contains("<EC>0003-00000703</EC>"), "{xml}");
                assert!(r.body.is_empty());
            } else {
                assert_eq!(
                    r.xml("EC").as_deref(),
                    Some("0003-00000703"),
                    "case {i}: {}",
                    r.text()
                );
            }
        }
    }
    // Nothing was stored by the refused requests.
    let owner = creds(OWNER);
    assert_eq!(
        Req::new("HEAD", Some("rp-hdr"), Some("k"))
            .v4(&owner)
            .send(a)
            .status,
        404
    );
    // Every refusal was charged to the owner.
    let refused: Vec<_> = s.ledger().into_iter().filter(|e| e.status == 403).collect();
    assert_eq!(refused.len(), 30);
    assert!(refused
        .iter()
        .all(|e| e.payer == OWNER_UID && e.requester == REQUESTER_UID));
}

#[test]
fn the_flag_makes_requests_succeed_and_charges_the_requester() {
    let s = start();
    let a = s.addr();
    requester_pays_bucket(a, "rp-ok");
    for (c, uid) in [(creds(REQUESTER), REQUESTER_UID), (sts(), ROLE_OWNER_UID)] {
        let r = Req::new("PUT", Some("rp-ok"), Some("dir/a b"))
            .body(b"hello")
            .payer()
            .v1(&c)
            .send(a);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("x-oss-request-charged"), Some("requester"));
        let r = Req::new("GET", Some("rp-ok"), Some("dir/a b"))
            .payer()
            .v4(&c)
            .send(a);
        assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
        assert_eq!(r.header("x-oss-request-charged"), Some("requester"));
        let last = s.ledger().pop().unwrap();
        assert_eq!(
            (last.requester.as_str(), last.payer.as_str(), last.bytes_out),
            (uid, uid, 5)
        );
    }
    // The owner needs no flag and is never "charged".
    let r = Req::new("GET", Some("rp-ok"), Some("dir/a b"))
        .v4(&creds(OWNER))
        .send(a);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-oss-request-charged"), None);
    let usage: serde_json::Value = serde_json::from_str(
        &raw(
            a,
            b"GET /_ossemu/usage HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap()
        .text(),
    )
    .unwrap();
    assert_eq!(usage[REQUESTER_UID]["requests"], 2);
    assert_eq!(usage[ROLE_OWNER_UID]["requests"], 2);
}

#[test]
fn presigned_urls_need_the_payer_parameter_702() {
    let s = start();
    let a = s.addr();
    requester_pays_bucket(a, "rp-url");
    let owner = creds(OWNER);
    Req::new("PUT", Some("rp-url"), Some("k"))
        .body(b"v")
        .v4(&owner)
        .send(a);
    let req = creds(REQUESTER);
    for presign in [
        Req::presign_v1 as fn(Req, &ossc::Credentials) -> Req,
        Req::presign_v4,
    ] {
        let r = presign(Req::new("GET", Some("rp-url"), Some("k")), &req).send(a);
        assert_eq!(
            r.xml("EC").as_deref(),
            Some("0003-00000702"),
            "{}",
            r.text()
        );
        let r = presign(
            Req::new("GET", Some("rp-url"), Some("k"))
                .sub("x-oss-request-payer", Some("requester")),
            &req,
        )
        .send(a);
        assert_eq!((r.status, r.body.as_slice()), (200, &b"v"[..]));
        // A wrong value in the URL is no better than none.
        let r = presign(
            Req::new("GET", Some("rp-url"), Some("k")).sub("x-oss-request-payer", Some("owner")),
            &req,
        )
        .send(a);
        assert_eq!(r.xml("EC").as_deref(), Some("0003-00000702"));
        // The payer as a signed header (as alibabacloud-oss-v2 presigns it) is accepted.
        let r = presign(Req::new("GET", Some("rp-url"), Some("k")).payer(), &req).send(a);
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

#[test]
fn request_payment_configuration_round_trips_in_both_query_forms() {
    let s = start();
    let a = s.addr();
    let owner = creds(OWNER);
    Req::new("PUT", Some("rp-cfg"), None).v1(&owner).send(a);
    let r = Req::new("GET", Some("rp-cfg"), None)
        .sub("requestPayment", Some(""))
        .v1(&owner)
        .send(a);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert!(
        r.text().contains("<Payer>BucketOwner</Payer>"),
        "{}",
        r.text()
    );
    for (payer, form) in [("Requester", None), ("BucketOwner", Some(""))] {
        let body = format!(
            "<RequestPaymentConfiguration><Payer>{payer}</Payer></RequestPaymentConfiguration>"
        );
        let md5 = {
            use base64::Engine;
            use md5::Digest;
            base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body.as_bytes()))
        };
        let r = Req::new("PUT", Some("rp-cfg"), None)
            .sub("requestPayment", form)
            .header("Content-MD5", &md5)
            .header("Content-Type", "application/xml")
            .body(body.as_bytes())
            .v1(&owner)
            .send(a);
        assert_eq!(r.status, 200, "{}", r.text());
        let r = Req::new("GET", Some("rp-cfg"), None)
            .sub("requestPayment", None)
            .v4(&owner)
            .send(a);
        assert!(r.text().contains(&format!("<Payer>{payer}</Payer>")));
    }
    // Only the owner may change it.
    let body =
        b"<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>";
    let r = Req::new("PUT", Some("rp-cfg"), None)
        .sub("requestPayment", None)
        .body(body)
        .v4(&creds(REQUESTER))
        .send(a);
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (403, Some("AccessDenied"))
    );
    // Malformed and wrong values.
    for bad in [
        &b"<RequestPaymentConfiguration><Payer>Me</Payer></RequestPaymentConfiguration>"[..],
        b"<Req",
        b"",
    ] {
        let r = Req::new("PUT", Some("rp-cfg"), None)
            .sub("requestPayment", None)
            .body(bad)
            .v4(&owner)
            .send(a);
        assert_eq!(
            (r.status, r.xml("Code").as_deref()),
            (400, Some("MalformedXML")),
            "{:?}",
            bad
        );
    }
}

#[test]
fn keys_may_arrive_with_encoded_or_plain_slashes() {
    let s = start();
    let a = s.addr();
    let owner = creds(OWNER);
    Req::new("PUT", Some("rp-path"), None).v4(&owner).send(a);
    Req::new("PUT", Some("rp-path"), Some("dir/sub/x y.txt"))
        .body(b"1")
        .v4(&owner)
        .send(a);
    // oss2 sends %2F; the signature covers the decoded key either way.
    let mut r = Req::new("GET", Some("rp-path"), Some("dir/sub/x y.txt")).v1(&owner);
    let bytes = String::from_utf8(r.bytes(a))
        .unwrap()
        .replace("/dir/sub/x%20y.txt", "/dir%2Fsub%2Fx%20y.txt");
    let resp = raw(a, bytes.as_bytes()).unwrap();
    assert_eq!(
        (resp.status, resp.body.as_slice()),
        (200, &b"1"[..]),
        "{}",
        resp.text()
    );
    r = Req::new("GET", Some("rp-path"), Some("dir/sub/x y.txt")).v4(&owner);
    assert_eq!(r.send(a).status, 200);
}
