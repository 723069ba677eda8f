"""The official alibabacloud-oss-v2 SDK (V4) runs a requester-pays session against ossemu,
with its own CRC-64 checks on (its default)."""
import pytest
import requests

import alibabacloud_oss_v2 as oss

from conftest import OWNER, REQUESTER, STS, REGION, policy_for, ledger


def client(endpoint, ident):
    cfg = oss.config.load_default()
    token = ident[2] if len(ident) == 4 else None
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ident[0], ident[1], token)
    cfg.region = REGION
    cfg.endpoint = endpoint
    cfg.use_path_style = True
    return oss.Client(cfg)


@pytest.mark.parametrize("who", ["requester", "sts"])
def test_requester_pays_session(endpoint, bucket_name, who):
    owner = client(endpoint, OWNER)
    owner.put_bucket(oss.PutBucketRequest(bucket=bucket_name))
    owner.put_bucket_policy(oss.PutBucketPolicyRequest(
        bucket=bucket_name, body=policy_for(bucket_name, REQUESTER[2], STS[3])))
    owner.put_bucket_request_payment(oss.PutBucketRequestPaymentRequest(
        bucket=bucket_name,
        request_payment_configuration=oss.RequestPaymentConfiguration(payer="Requester")))
    got = owner.get_bucket_request_payment(oss.GetBucketRequestPaymentRequest(bucket=bucket_name))
    assert got.request_payment_configuration.payer == "Requester"

    ident = REQUESTER if who == "requester" else STS
    payer_uid = REQUESTER[2] if who == "requester" else STS[3]
    req = client(endpoint, ident)

    with pytest.raises(oss.exceptions.OperationError) as e:
        req.put_object(oss.PutObjectRequest(bucket=bucket_name, key="k", body=b"x"))
    se = e.value.unwrap()
    assert se.status_code == 403 and se.code == "AccessDenied" and se.ec == "0003-00000703"
    with pytest.raises(oss.exceptions.OperationError) as e:
        req.head_object(oss.HeadObjectRequest(bucket=bucket_name, key="k"))
    assert e.value.unwrap().status_code == 403

    data = b"v2 sdk " * 20000
    r = req.put_object(oss.PutObjectRequest(bucket=bucket_name, key="dir/k", body=data, request_payer="requester"))
    assert r.status_code == 200
    g = req.get_object(oss.GetObjectRequest(bucket=bucket_name, key="dir/k", request_payer="requester"))
    assert g.body.content == data
    h = req.head_object(oss.HeadObjectRequest(bucket=bucket_name, key="dir/k", request_payer="requester"))
    assert h.content_length == len(data)
    lst = req.list_objects_v2(oss.ListObjectsV2Request(bucket=bucket_name, prefix="dir/", request_payer="requester"))
    assert [o.key for o in lst.contents] == ["dir/k"]
    req.copy_object(oss.CopyObjectRequest(bucket=bucket_name, key="dir/copy", source_bucket=bucket_name,
                                          source_key="dir/k", request_payer="requester"))
    g = req.get_object(oss.GetObjectRequest(bucket=bucket_name, key="dir/copy", request_payer="requester"))
    assert g.body.content == data

    init = req.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(
        bucket=bucket_name, key="mp", request_payer="requester"))
    parts = []
    for n, chunk in enumerate([b"a" * (200 * 1024), b"b" * 77], start=1):
        p = req.upload_part(oss.UploadPartRequest(bucket=bucket_name, key="mp", upload_id=init.upload_id,
                                                  part_number=n, body=chunk, request_payer="requester"))
        parts.append(oss.UploadPart(part_number=n, etag=p.etag))
    req.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
        bucket=bucket_name, key="mp", upload_id=init.upload_id,
        complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts), request_payer="requester"))
    g = req.get_object(oss.GetObjectRequest(bucket=bucket_name, key="mp", request_payer="requester"))
    assert g.body.content == b"a" * (200 * 1024) + b"b" * 77

    # Presigned URLs: with the payer parameter signed in, and without it.
    # This SDK signs the payer as a header that the URL's user must send (signed_headers).
    with_payer = req.presign(oss.GetObjectRequest(bucket=bucket_name, key="dir/k", request_payer="requester"))
    assert with_payer.signed_headers.get("x-oss-request-payer") == "requester"
    r = requests.get(with_payer.url, headers=with_payer.signed_headers)
    assert r.status_code == 200 and r.content == data
    without = req.presign(oss.GetObjectRequest(bucket=bucket_name, key="dir/k"))
    r = requests.get(without.url)
    assert r.status_code == 403 and "0003-00000702" in r.text

    for key in ["dir/k", "dir/copy", "mp"]:
        req.delete_object(oss.DeleteObjectRequest(bucket=bucket_name, key=key, request_payer="requester"))

    entries = [e for e in ledger(endpoint) if e["bucket"] == bucket_name and e["requester"] == payer_uid]
    ok = [e for e in entries if e["status"] < 300]
    assert len(ok) >= 10 and all(e["payer"] == payer_uid for e in ok)
