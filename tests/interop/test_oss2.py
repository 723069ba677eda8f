"""The official oss2 SDK (V1 and V4, plain and STS) runs a requester-pays session against ossemu.
Its own CRC-64 checks are on (oss2's default)."""
import pytest
import requests

import oss2
from oss2.headers import OSS_REQUEST_PAYER

from conftest import OWNER, REQUESTER, STS, REGION, policy_for, ledger

PAY = {OSS_REQUEST_PAYER: "requester"}


def auth(ident, version):
    if len(ident) == 4:
        return oss2.StsAuth(ident[0], ident[1], ident[2], auth_version="v4" if version == 4 else "v1")
    return oss2.AuthV4(ident[0], ident[1]) if version == 4 else oss2.Auth(ident[0], ident[1])


def bucket(endpoint, name, ident, version):
    return oss2.Bucket(auth(ident, version), endpoint, name, region=REGION, enable_crc=True)


def setup_requester_pays(endpoint, name, version):
    owner = bucket(endpoint, name, OWNER, version)
    owner.create_bucket()
    owner.put_bucket_policy(policy_for(name, REQUESTER[2], STS[3]))
    owner.put_bucket_request_payment("Requester")
    assert owner.get_bucket_request_payment().payer == "Requester"
    return owner


@pytest.mark.parametrize("version", [1, 4])
@pytest.mark.parametrize("who", ["requester", "sts"])
def test_requester_pays_session(endpoint, bucket_name, version, who):
    owner = setup_requester_pays(endpoint, bucket_name, version)
    ident = REQUESTER if who == "requester" else STS
    payer_uid = REQUESTER[2] if who == "requester" else STS[3]
    req = bucket(endpoint, bucket_name, ident, version)

    # Denied without the header, on every kind of request.
    for call in [
        lambda: req.put_object("a.txt", b"x"),
        lambda: req.get_object("a.txt"),
        lambda: req.list_objects(),
        lambda: req.delete_object("a.txt"),
    ]:
        with pytest.raises(oss2.exceptions.AccessDenied) as e:
            call()
        assert e.value.status == 403
        assert e.value.ec == "0003-00000703"
        assert e.value.message == "Access denied for requester pay bucket"
    with pytest.raises(oss2.exceptions.ServerError) as e:
        req.head_object("a.txt")
    assert e.value.status == 403

    # Succeeds with it: put, get, head, list, copy, multipart, delete.
    data = bytes(range(256)) * 1000
    r = req.put_object("dir/a.txt", data, headers=PAY)
    assert r.status == 200
    assert r.headers.get("x-oss-request-charged") == "requester"
    got = req.get_object("dir/a.txt", headers=PAY)
    assert got.read() == data
    head = req.head_object("dir/a.txt", headers=PAY)
    assert head.content_length == len(data)
    listing = req.list_objects(prefix="dir/", headers=PAY)
    assert [o.key for o in listing.object_list] == ["dir/a.txt"]
    req.copy_object(bucket_name, "dir/a.txt", "dir/b.txt", headers=PAY)
    assert req.get_object("dir/b.txt", headers=PAY).read() == data

    up = req.init_multipart_upload("multi.bin", headers=PAY).upload_id
    part1 = b"1" * (100 * 1024)
    part2 = b"2" * 1000
    p1 = req.upload_part("multi.bin", up, 1, part1, headers=PAY)
    p2 = req.upload_part("multi.bin", up, 2, part2, headers=PAY)
    req.complete_multipart_upload(
        "multi.bin", up, [oss2.models.PartInfo(1, p1.etag), oss2.models.PartInfo(2, p2.etag)], headers=PAY)
    assert req.get_object("multi.bin", headers=PAY).read() == part1 + part2

    for key in ["dir/a.txt", "dir/b.txt", "multi.bin"]:
        req.delete_object(key, headers=PAY)
    with pytest.raises(oss2.exceptions.NoSuchKey):
        req.get_object("dir/a.txt", headers=PAY)

    entries = [e for e in ledger(endpoint) if e["bucket"] == bucket_name]
    charged = [e for e in entries if e["status"] < 300 and e["requester"] == payer_uid]
    assert charged and all(e["payer"] == payer_uid for e in charged)
    denied = [e for e in entries if e["status"] == 403]
    assert denied and all(e["payer"] == OWNER[2] for e in denied)


@pytest.mark.parametrize("version", [1, 4])
def test_signed_urls(endpoint, bucket_name, version):
    owner = setup_requester_pays(endpoint, bucket_name, version)
    owner.put_object("u.txt", b"signed")
    req = bucket(endpoint, bucket_name, REQUESTER, version)

    url = req.sign_url("GET", "u.txt", 60, params={"x-oss-request-payer": "requester"})
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"signed"
    assert r.headers.get("x-oss-request-charged") == "requester"

    url = req.sign_url("GET", "u.txt", 60)
    r = requests.get(url)
    assert r.status_code == 403
    assert "<EC>0003-00000702</EC>" in r.text

    r = requests.get(f"{endpoint}/{bucket_name}/u.txt")
    assert r.status_code == 403 and "<EC>0003-00000701</EC>" in r.text


def test_sdk_crc_check_passes_on_range_and_whole(endpoint, bucket_name):
    owner = bucket(endpoint, bucket_name, OWNER, 4)
    owner.create_bucket()
    data = b"0123456789" * 10000
    owner.put_object("crc.bin", data)
    assert owner.get_object("crc.bin").read() == data
    assert owner.get_object("crc.bin", byte_range=(10, 19)).read() == data[10:20]
    owner.delete_object("crc.bin")
    owner.delete_bucket()
