"""What the running system holds in its blob store, listed from outside, so tests can prove
that a refused upload stored nothing: files under BLOB_URL in standalone, the objects of
`make up`'s SeaweedFS bucket (read with the credentials `make up` generated) in services."""
from __future__ import annotations

import json
from pathlib import Path


class FileBlobs:
    def __init__(self, root: Path):
        self.root = root

    def keys(self, prefix: str = "") -> set[str]:
        if not self.root.is_dir():
            return set()
        return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                if p.is_file() and not p.name.startswith(".tmp-")
                and p.relative_to(self.root).as_posix().startswith(prefix)}


class BucketBlobs:
    def __init__(self, var: Path, s3_port: str, bucket: str = "onepic"):
        import boto3
        from botocore.config import Config

        cred = json.loads((var / "seaweedfs" / "s3.json").read_text())
        cred = cred["identities"][0]["credentials"][0]
        self.bucket = bucket
        self.s3 = boto3.session.Session().client(
            "s3", endpoint_url=f"http://127.0.0.1:{s3_port}", region_name="us-east-1",
            aws_access_key_id=cred["accessKey"], aws_secret_access_key=cred["secretKey"],
            config=Config(s3={"addressing_style": "path"}))

    def keys(self, prefix: str = "") -> set[str]:
        out: set[str] = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                     Prefix=prefix):
            out.update(o["Key"] for o in page.get("Contents", []))
        return out


def blobs_of(system):
    if system.mode == "standalone":
        url = system.env["BLOB_URL"]
        assert url.startswith("file://"), url
        return FileBlobs(Path(url[len("file://"):]))
    return BucketBlobs(Path(system.env["UP_VAR_DIR"]), system.env["UP_S3_PORT"])
