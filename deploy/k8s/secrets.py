"""`python -m deploy.k8s.secrets dev|prod`: the Secret manifests OnePic reads, printed for
`kubectl apply -f -`, so no credential is ever written into the repository.

- dev: random passwords for the in-cluster stores (Secret `onepic-stores`) and the URLs
  OnePic uses to reach them (`onepic-secrets`), in the namespace onepic-dev.
- prod: `onepic-secrets` from this shell's environment (DATABASE_URL, BROKER_URL, CACHE_URL,
  BLOB_URL, SMTP_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; INTERNAL_TOKEN generated when
  unset). A missing one is an error, not an empty value.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys

import yaml

from .generate import SECRET_KEYS

# None is optional: SMTP_URL too, since metadata (public and internal API) refuses to start
# outside standalone without a mail server (Settings.check_outside_standalone).
OPTIONAL: set[str] = set()


def _secret(name: str, namespace: str, data: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {"app.kubernetes.io/name": "onepic"}},
            "stringData": data}


def dev() -> list[dict]:
    pw = {k: secrets.token_urlsafe(24) for k in ("POSTGRES_PASSWORD", "REDIS_PASSWORD",
                                                 "RABBITMQ_PASSWORD")}
    urls = {
        "DATABASE_URL": f"postgresql://onepic:{pw['POSTGRES_PASSWORD']}@postgres:5432/onepic",
        "BROKER_URL": f"amqp://onepic:{pw['RABBITMQ_PASSWORD']}@rabbitmq:5672/%2F",
        "CACHE_URL": f"redis://:{pw['REDIS_PASSWORD']}@redis:6379/0",
        "BLOB_URL": "s3://onepic?endpoint_url=http://s3:8333&create_bucket=true",
        "INTERNAL_TOKEN": secrets.token_urlsafe(32),
        "SMTP_URL": "smtp://mail:1025",  # the dev overlay's sink (stores.yaml), printing to its log
        # SeaweedFS without an identity file takes any key; boto3 insists on having one.
        "AWS_ACCESS_KEY_ID": "onepic-dev",
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(24),
    }
    return [_secret("onepic-stores", "onepic-dev", pw),
            _secret("onepic-secrets", "onepic-dev", urls)]


def prod(env: dict[str, str]) -> list[dict]:
    data = {k: env.get(k, "") for k in SECRET_KEYS}
    data["INTERNAL_TOKEN"] = data["INTERNAL_TOKEN"] or secrets.token_urlsafe(32)
    missing = [k for k, v in data.items() if not v and k not in OPTIONAL]
    if missing:
        raise SystemExit(f"set {', '.join(missing)} in the environment first")
    return [_secret("onepic-secrets", "onepic", data)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.k8s.secrets", description=__doc__)
    parser.add_argument("overlay", choices=["dev", "prod"])
    args = parser.parse_args(argv)
    docs = dev() if args.overlay == "dev" else prod(dict(os.environ))
    sys.stdout.write("".join("---\n" + yaml.safe_dump(d, sort_keys=False) for d in docs))


if __name__ == "__main__":
    main()
