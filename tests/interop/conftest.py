"""Shared fixtures: the ossemu endpoint (started by scripts/test.sh) and its demo identities."""
import json
import os
import urllib.request
import uuid

import pytest

OWNER = ("demo-owner-ak", "demo-owner-sk", "1000000000000001")
REQUESTER = ("demo-requester-ak", "demo-requester-sk", "1000000000000002")
STS = ("STS.demo-role-ak", "demo-role-sk", "demo-role-token", "1000000000000003")
REGION = "cn-hangzhou"


@pytest.fixture(scope="session")
def endpoint():
    e = os.environ.get("OSSC_TEST_ENDPOINT")
    if not e:
        pytest.fail("OSSC_TEST_ENDPOINT must point at a running ossemu (scripts/test.sh starts one)")
    return e


@pytest.fixture
def bucket_name():
    return "interop-" + uuid.uuid4().hex[:12]


def policy_for(bucket, *uids):
    return json.dumps({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Principal": list(uids),
            "Action": ["oss:GetObject", "oss:PutObject", "oss:DeleteObject", "oss:ListObjects",
                       "oss:AbortMultipartUpload", "oss:ListParts"],
            "Resource": [f"acs:oss:*:*:{bucket}", f"acs:oss:*:*:{bucket}/*"],
        }],
    })


def ledger(endpoint):
    return json.load(urllib.request.urlopen(endpoint + "/_ossemu/ledger"))
