"""The SeaweedFS command line and config that `make up` and the tests run (the server itself
is exercised in tests/integration/test_s3_blobstore.py)."""
import json
import stat

from deploy.local import plan as local_plan
from deploy.local.seaweedfs import SeaweedFS, for_deployment


def test_credentials_are_generated_private_and_reused(tmp_path):
    store = SeaweedFS(tmp_path / "sw", 9550)
    access, secret = store.credentials()
    assert len(secret) >= 30 and access.startswith("onepic")
    path = tmp_path / "sw" / "s3.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SeaweedFS(tmp_path / "sw", 9550).credentials() == (access, secret)
    assert SeaweedFS(tmp_path / "other", 9550).credentials() != (access, secret)
    identity = json.loads(path.read_text())["identities"][0]
    assert identity["credentials"][0] == {"accessKey": access, "secretKey": secret}


def test_loopback_only_explicit_ports_and_no_telemetry(tmp_path):
    store = SeaweedFS(tmp_path, 9550, allowed_origins=("http://127.0.0.1:9540",))
    argv = store.argv()
    assert "-ip.bind=127.0.0.1" in argv and "-master.telemetry=false" in argv
    assert "-filer.disableHttp" in argv  # no credential-less way to the objects
    assert f"-s3.config={tmp_path / 's3.json'}" in argv
    # Every port it opens is one of ours: nothing left on weed's fixed defaults.
    assert "-s3.port.iceberg=0" in argv and "-s3.port.lance=0" in argv
    ports = {int(a.split("=")[1]) for a in argv if ".port" in a and a.split("=")[1] != "0"}
    assert ports == set(store.ports) == {9550, 9551, 9552, 9553, 19550, 19551, 19552, 19553}
    assert "-s3.allowedOrigins=http://127.0.0.1:9540" in argv
    assert store.process_env({})["WEED_MASTER_VOLUME_GROWTH_COPY_1"] == "1"


def test_one_scheduler_thread_whatever_the_caller_set(tmp_path):
    """GOMAXPROCS=1 is what saved weed's CPU (docs/decisions/0069); an inherited value from
    the caller's environment must not undo it."""
    env = SeaweedFS(tmp_path, 9550).process_env({"GOMAXPROCS": "8", "PATH": "/bin"})
    assert env["GOMAXPROCS"] == "1" and env["PATH"] == "/bin"


def test_make_up_uses_it_as_blob_store(tmp_path):
    plan = local_plan.build({"UP_VAR_DIR": str(tmp_path), "PORT": "9540", "UP_S3_PORT": "9550"})
    store = for_deployment(plan.var, plan.env)
    assert plan.env["BLOB_URL"] == store.blob_url
    assert plan.env["BLOB_URL"].startswith("s3://onepic?endpoint_url=http://127.0.0.1:9550")
    assert (plan.env["AWS_ACCESS_KEY_ID"], plan.env["AWS_SECRET_ACCESS_KEY"]) == store.credentials()
    assert store.allowed_origins == ("http://127.0.0.1:9540",)


def _sections(conf: str) -> dict[str, dict[str, str]]:
    import configparser

    parser = configparser.RawConfigParser()
    parser.read_string(conf)
    return {s: dict(parser[s]) for s in parser.sections()}


def test_make_up_supervises_it_and_starts_the_services_only_after_it(tmp_path):
    """SeaweedFS is a supervisord program like the others (restarted when it dies, shown by
    `make status`), the only one supervisord starts by itself: `up` starts the rest once
    the store takes writes, since every service opens its blob store when it starts."""
    from deploy.local import procs

    plan = local_plan.build({"UP_VAR_DIR": str(tmp_path), "PORT": "9540", "UP_S3_PORT": "9550"})
    store = for_deployment(plan.var, plan.env)
    assert plan.processes[0].name == "seaweedfs" and plan.processes[0].argv == store.argv()
    assert [p.name for p in plan.processes if p.first] == ["seaweedfs"]
    sections = _sections(procs.config(plan))
    weed = sections["program:seaweedfs"]
    assert (weed["autostart"], weed["autorestart"]) == ("true", "true")
    assert int(weed["stopwaitsecs"]) >= 30  # its SIGTERM takes 15-25 s
    assert "WEED_MASTER_VOLUME_GROWTH_COPY_1" in weed["environment"]
    for proc in plan.processes[1:]:
        program = sections[f"program:{proc.name}"]
        assert (program["autostart"], program["autorestart"]) == ("false", "true"), proc.name

