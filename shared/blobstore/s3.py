"""Blobs in S3 or any S3-protocol store (MinIO, R2, Ceph, moto) through boto3.

Credentials come from boto3's standard chain (AWS_* env, ~/.aws, instance role); they are
never part of the URL and never logged.
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import BlobNotFound, BlobStore, BlobStoreUnavailable

log = logging.getLogger(__name__)

_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
_TRUE = {"1", "true", "yes", "on"}


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 create_bucket: bool = False, public_endpoint_url: str | None = None,
                 connect_timeout: float = 2.0,
                 read_timeout: float = 10.0, max_attempts: int = 3):
        if not bucket:
            raise ValueError("S3 blob store needs a bucket name")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        # Where clients reach the store, if not where we do (a presigned POST's policy is
        # signed, its host is not, so only the URL handed out changes).
        self.public_endpoint_url = public_endpoint_url
        config = Config(
            signature_version="s3v4",  # presigned POSTs too; boto3 would sign those with v2
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            # Path-style works with every S3-compatible server and with dotted bucket names.
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        session = boto3.session.Session()
        self._s3 = session.client("s3", endpoint_url=endpoint_url, region_name=region,
                                  config=config)
        if create_bucket:
            self._create_bucket(region)

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        parts = urlsplit(url)
        if parts.scheme != "s3":
            raise ValueError(f"not an s3:// URL: {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint_url", "region", "create_bucket", "public_endpoint_url"}
        if unknown:
            raise ValueError(f"BLOB_URL: unknown s3 option(s) {sorted(unknown)}")
        return cls(parts.netloc, endpoint_url=query.get("endpoint_url") or None,
                   region=query.get("region") or None,
                   create_bucket=query.get("create_bucket", "").lower() in _TRUE,
                   public_endpoint_url=query.get("public_endpoint_url") or None)

    def _create_bucket(self, region: str | None) -> None:
        kwargs: dict = {"Bucket": self.bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._s3.create_bucket(**kwargs)
        except ClientError as e:
            if _code(e) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise _translate(e, "create bucket") from e
        except BotoCoreError as e:
            raise _translate(e, "create bucket") from e

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (ClientError, BotoCoreError) as e:
            raise _translate(e, f"put {key}") from e

    def get(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as e:
            if _code(e) in _NOT_FOUND:
                raise BlobNotFound(key) from None
            raise _translate(e, f"get {key}") from e
        except BotoCoreError as e:
            raise _translate(e, f"get {key}") from e

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as e:
            if _code(e) in _NOT_FOUND:
                return False
            raise _translate(e, f"head {key}") from e
        except BotoCoreError as e:
            raise _translate(e, f"head {key}") from e

    def delete(self, key: str) -> None:
        # S3 DeleteObject succeeds on a missing key, which is the contract we want.
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            if _code(e) in _NOT_FOUND:
                return
            raise _translate(e, f"delete {key}") from e
        except BotoCoreError as e:
            raise _translate(e, f"delete {key}") from e

    def list(self, prefix: str):
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                        Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"], item["LastModified"].timestamp()
        except (ClientError, BotoCoreError) as e:
            raise _translate(e, f"list {prefix}") from e

    def presigned_post(self, key: str, content_type: str, max_bytes: int,
                       expires_in: int) -> dict:
        # Signing is local: no request, nothing that can fail on the network.
        post = self._s3.generate_presigned_post(
            self.bucket, key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in)
        url = post["url"]
        if self.public_endpoint_url and self.endpoint_url and url.startswith(self.endpoint_url):
            url = self.public_endpoint_url.rstrip("/") + url[len(self.endpoint_url.rstrip("/")):]
        return {"url": url, "fields": post["fields"]}

    def ping(self) -> None:
        try:
            self._s3.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as e:
            raise _translate(e, "head bucket") from e


def _code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def _translate(e: Exception, what: str) -> BlobStoreUnavailable:
    # Only the error class and S3's code go into the message: botocore errors can carry
    # request details we do not want in logs.
    detail = _code(e) if isinstance(e, ClientError) else type(e).__name__
    return BlobStoreUnavailable(f"S3 {what} failed: {detail}")
