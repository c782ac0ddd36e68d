"""The peer of `cargo xtask bench-s3-source`: boto3, the AWS SDK for Python,
lists the same prefix on the same S3 API and reads every object once, one
after another (as a source imports them), doing nothing with the bytes.

Usage: s3_peer.py ENDPOINT BUCKET PREFIX
Prints one JSON line: {"objects": N, "bytes": B, "list_s": .., "list_and_get_s": ..}
"""

import json
import sys
import time

import boto3
from botocore.config import Config


def main():
    endpoint, bucket, prefix = sys.argv[1:4]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing-secret",
        config=Config(retries={"max_attempts": 3}),
    )
    pages = s3.get_paginator("list_objects_v2")

    started = time.perf_counter()
    keys = []
    for page in pages.paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    list_s = time.perf_counter() - started

    started = time.perf_counter()
    listed = []
    for page in pages.paginate(Bucket=bucket, Prefix=prefix):
        listed.extend(o["Key"] for o in page.get("Contents", []))
    total = 0
    for key in listed:
        total += len(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    list_and_get_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "objects": len(listed),
                "bytes": total,
                "list_s": list_s,
                "list_and_get_s": list_and_get_s,
            }
        )
    )


if __name__ == "__main__":
    main()
