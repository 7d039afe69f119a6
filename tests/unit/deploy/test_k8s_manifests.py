"""deploy/k8s checked without a cluster: every overlay builds with `kubectl kustomize`, its
objects are schema-valid in strict mode for a current Kubernetes (kubernetes-validate, offline;
the CRDs against tests/unit/deploy/crd_schemas.py), and the manifests agree with the code
they deploy: settings, ports, probe paths, the routing table, the upload cap, the version."""
from __future__ import annotations

import shlex
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy.k8s import generate
from shared.config import Settings, documented_settings
from shared.routing import ROUTES, path_routes
from shared.uploads import MULTIPART_OVERHEAD
from tests.unit.deploy.crd_schemas import SCHEMAS

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
KUBERNETES = "1.37.0"  # the newest kubernetes-validate knows; the strict schemas of its release
SETTINGS = {env for env, _default, _doc in documented_settings()}


def kubectl() -> str:
    found = shutil.which("kubectl")
    assert found, "kubectl is not installed: `kubectl kustomize` builds the overlays"
    return found


@cache
def built(overlay: str) -> tuple[dict, ...]:
    done = subprocess.run([kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def objects(overlay: str, kind: str) -> list[dict]:
    return [d for d in built(overlay) if d["kind"] == kind]


def pod_specs(overlay: str, stores: bool = True) -> list[tuple[str, dict]]:
    out = []
    for d in built(overlay):
        labels = d["metadata"].get("labels", {})
        dev_store = labels.get("app.kubernetes.io/part-of") == "onepic-dev-stores"
        if d["kind"] in ("Deployment", "Job") and (stores or not dev_store):
            out.append((d["metadata"]["name"], d["spec"]["template"]["spec"]))
    return out


def onepic_containers(overlay: str) -> list[tuple[str, dict]]:
    """OnePic's own workloads (the dev overlay's mail sink runs the image too, as a store)."""
    return [(name, c) for name, spec in pod_specs(overlay, stores=False)
            for c in spec["containers"]
            if c["image"].rsplit("/", 1)[-1].startswith("onepic")]


def test_the_generated_files_are_current():
    assert generate.main(["--check"]) == 0, "run `python -m deploy.k8s.generate`"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_in_strict_mode(overlay):
    crds = 0
    for d in built(overlay):
        key = (d["apiVersion"], d["kind"])
        if key in SCHEMAS:
            jsonschema.validate(d, SCHEMAS[key])
            crds += 1
            continue
        # Raises for an unknown kind too: every kind is either Kubernetes' own or a CRD above.
        kubernetes_validate.validate(d, KUBERNETES, strict=True)
    assert crds == 3  # ServiceMonitor, PrometheusRule, ScaledObject


def test_a_crd_object_with_a_misspelt_field_is_refused():
    so = next(d for d in built("prod") if d["kind"] == "ScaledObject")
    bad = {**so, "spec": {**so["spec"], "maxReplicas": 3}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMAS[("keda.sh/v1alpha1", "ScaledObject")])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_a_manifest_sets_is_a_declared_setting(overlay):
    names = set()
    for cm in objects(overlay, "ConfigMap"):
        if cm["metadata"]["name"].startswith("onepic-config"):
            names |= set(cm["data"])
    for _, c in onepic_containers(overlay):
        names |= {e["name"] for e in c.get("env", [])}
    unknown = names - SETTINGS - set(generate.LIBRARY_ENV)
    assert not unknown, f"not settings of shared/config.py: {sorted(unknown)}"
    assert "PUBLIC_URL" in names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_credential_is_written_in_a_manifest(overlay):
    assert not objects(overlay, "Secret"), "Secrets are made outside the manifests"
    for cm in objects(overlay, "ConfigMap"):
        assert not set(cm.get("data", {})) & set(generate.SECRET_KEYS), cm["metadata"]["name"]
    for _, spec in pod_specs(overlay):
        for c in spec["containers"]:
            for e in c.get("env", []):
                if any(word in e["name"] for word in ("PASSWORD", "PASS", "TOKEN", "SECRET")):
                    assert "valueFrom" in e and "value" not in e, (c["name"], e["name"])
    for _, c in onepic_containers(overlay):
        refs = [s["secretRef"]["name"] for s in c.get("envFrom", []) if "secretRef" in s]
        assert refs == ["onepic-secrets"], c["name"]
    # The dev mail sink runs the image too, as a store: it reads no credential.
    for name, spec in pod_specs(overlay):
        if name == "mail":
            assert all("envFrom" not in c and "env" not in c for c in spec["containers"])


def _listening_port(c: dict) -> int:
    """The port the container's command listens on, read from the command itself."""
    argv = c["command"]
    if "-b" in argv:
        return int(argv[argv.index("-b") + 1].rsplit(":", 1)[1])
    if "--port" in argv:
        return int(argv[argv.index("--port") + 1])
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    (port,) = [v for k, v in env.items() if k in ("RESIZER_METRICS_PORT", "METADATA_WORKER_PORT")]
    return int(port)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_hit_the_port_the_command_listens_on_and_an_ops_path(overlay):
    probed = 0
    for name, c in onepic_containers(overlay):
        probes = [c[k] for k in ("startupProbe", "livenessProbe", "readinessProbe") if k in c]
        if not probes:
            assert name == "migrate", f"{name} has no probes"
            continue
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert ports["http"] == _listening_port(c), name
        for p in probes:
            assert ports[p["httpGet"]["port"]] == ports["http"]
        # Liveness is "the process serves" and readiness "its dependencies answer".
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        probed += 1
    assert probed == 6


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_mail_senders_read_smtp_url_from_the_secret(overlay):
    """metadata's apps refuse to start outside standalone without SMTP_URL: it comes from
    onepic-secrets (a credential), never from the ConfigMap or a literal."""
    assert "SMTP_URL" in generate.SECRET_KEYS
    containers = dict(onepic_containers(overlay))
    for name in ("metadata", "metadata-internal", "metadata-worker"):
        c = containers[name]
        assert {"secretRef": {"name": "onepic-secrets"}} in c["envFrom"], name
        assert "SMTP_URL" not in {e["name"] for e in c.get("env", [])}, name
    for cm in objects(overlay, "ConfigMap"):
        assert "SMTP_URL" not in cm.get("data", {})


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_upload_and_render_call_the_internal_api_where_it_listens(overlay):
    """metadata serves /internal only from create_internal_app() on INTERNAL_PORT: the
    internal Deployment runs exactly that, its Service exposes that port, and upload's and
    render's METADATA_URL name that Service and port (not metadata's public one)."""
    from services.metadata import app as metadata_app

    port = Settings().internal_port
    assert callable(metadata_app.create_internal_app)
    containers = dict(onepic_containers(overlay))
    command = containers["metadata-internal"]["command"]
    assert command[command.index("gunicorn") + 1] == "services.metadata.app:create_internal_app()"
    assert command[command.index("-b") + 1] == f"0.0.0.0:{port}"
    assert "create_internal_app" not in " ".join(containers["metadata"]["command"])
    services = {s["metadata"]["name"]: s for s in objects(overlay, "Service")}
    assert [p["port"] for p in services["metadata-internal"]["spec"]["ports"]] == [port]
    assert services["metadata-internal"]["spec"]["selector"][
        "app.kubernetes.io/component"] == "metadata-internal"
    for name in ("upload", "render"):
        env = {e["name"]: e.get("value") for e in containers[name].get("env", [])}
        assert env["METADATA_URL"] == f"http://metadata-internal:{port}", name
    config = {d["metadata"]["name"]: d for d in objects(overlay, "ConfigMap")}
    assert all("METADATA_URL" not in c.get("data", {}) for c in config.values())


def test_the_ops_paths_the_probes_use_are_served(tmp_path):
    """Every HTTP service answers /healthz and /readyz on its port: the Flask apps through
    shared/web.install, render through its own router, the resizer and the metadata worker
    through shared/ops_server.serve_ops."""
    import json
    import urllib.request

    from flask import Flask

    from shared import web
    from shared.ops_server import serve_ops

    app = Flask("probe")
    web.install(app, "probe", checks={})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    from werkzeug.test import Client

    from services.render.app import create_app as render_app
    from shared.blobstore.file import FileBlobStore
    from shared.cache.memory import MemoryCache
    # Nothing listens at METADATA_URL: the probes must not need metadata to answer.
    render = Client(render_app(Settings(blob_url=f"file://{tmp_path}",
                                        metadata_url="http://127.0.0.1:9",
                                        internal_token="t" * 32),
                               cache=MemoryCache(), blobs=FileBlobStore(tmp_path)))
    assert render.get("/healthz").status_code == 200
    assert render.get("/readyz").status_code in (200, 503)
    server = serve_ops(0, {}, host="127.0.0.1", service="probe")
    try:
        port = server.server_address[1]
        for path in ("/healthz", "/readyz"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                assert r.status == 200 and json.loads(r.read())["status"] == "ok"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_commands_are_the_ones_make_up_runs(overlay):
    want = {w.name: w.argv for w in generate.workloads()}
    got = {name: c["command"] for name, c in onepic_containers(overlay) if name in want}
    assert got == want
    assert all("--no-control-socket" in argv for argv in want.values() if "gunicorn" in argv)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_routes_exactly_the_routing_table(overlay):
    ingresses = {i["metadata"]["name"]: i for i in objects(overlay, "Ingress")}
    assert set(ingresses) == {"onepic", "onepic-closed"}
    ports = {s["metadata"]["name"]: s["spec"]["ports"][0]["port"]
             for s in objects(overlay, "Service")}

    def paths(name):
        rules = ingresses[name]["spec"]["rules"]
        return [(p["path"], p["pathType"], p["backend"]["service"]["name"],
                 p["backend"]["service"]["port"]["number"])
                for r in rules for p in r["http"]["paths"]]

    # By path only (an Ingress cannot match methods): the first route naming a path.
    public = [(r.path, "Exact" if r.exact else "Prefix", r.service, ports[r.service])
              for r in path_routes() if r.service is not None]
    assert paths("onepic") == public
    closed = {(r.path, "Exact" if r.exact else "Prefix") for r in ROUTES if r.service is None}
    assert {(p, t) for p, t, _, _ in paths("onepic-closed")} == closed
    assert ingresses["onepic-closed"]["metadata"]["annotations"][
        "nginx.ingress.kubernetes.io/denylist-source-range"] == "0.0.0.0/0,::/0"
    for path, _, _, _ in paths("onepic"):
        assert not path.startswith("/internal") and path not in ("/metrics", "/readyz")
    assert {"/internal", "/metrics", "/readyz"} <= {p for p, _ in closed}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_body_size_annotation_is_the_upload_cap(overlay):
    cap = Settings().max_upload_bytes + MULTIPART_OVERHEAD
    for i in objects(overlay, "Ingress"):
        assert i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == \
            str(cap)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_locked_down(overlay):
    for name, spec in pod_specs(overlay):
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            assert sc["runAsNonRoot"] is True, name
            assert c["resources"]["limits"] and c["resources"]["requests"], name
            if c["image"].rsplit("/", 1)[-1].startswith("onepic"):
                assert sc["readOnlyRootFilesystem"] is True, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_metadata_and_its_worker_reach_postgres(overlay):
    policies = {p["metadata"]["name"]: p for p in objects(overlay, "NetworkPolicy")}
    assert policies["default-deny"]["spec"] == {"podSelector": {},
                                                "policyTypes": ["Ingress", "Egress"]}
    clients = policies["to-postgres"]["spec"]["podSelector"]["matchExpressions"][0]["values"]
    assert set(clients) == {"metadata", "metadata-worker", "metadata-internal", "migrate"}
    internal = policies["metadata-internal"]["spec"]
    assert internal["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == \
        "metadata-internal"
    assert [f["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
            for f in internal["ingress"][0]["from"]] == ["upload", "render"]
    # metadata's public port admits the Ingress, Prometheus and, of our pods, upload only
    # (which hands it the methods of /v1/photos the Ingress sends upload).
    pods = set()
    for p in policies.values():
        selector = p["spec"]["podSelector"].get("matchLabels", {})
        if selector.get("app.kubernetes.io/component") == "metadata":
            pods |= {f["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                     for rule in p["spec"].get("ingress", []) for f in rule["from"]
                     if "podSelector" in f}
    assert pods == {"upload"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_upload_reaches_the_metadata_it_hands_the_photo_list_to(overlay):
    """The Ingress sends GET /v1/photos to upload (it cannot route by method): upload's
    METADATA_PUBLIC_URL must name metadata's Service and port, and the policies must let
    exactly that connection through, both ways."""
    from urllib.parse import urlsplit

    env = {e["name"]: e.get("value") for name, c in onepic_containers(overlay)
           if name == "upload" for e in c.get("env", [])}
    url = urlsplit(env["METADATA_PUBLIC_URL"])
    services = {s["metadata"]["name"]: s for s in objects(overlay, "Service")}
    assert [p["port"] for p in services[url.hostname]["spec"]["ports"]] == [url.port]
    assert services[url.hostname]["spec"]["selector"]["app.kubernetes.io/component"] == \
        "metadata"
    policies = [p["spec"] for p in objects(overlay, "NetworkPolicy")]

    def allows(direction, side, peer):
        return any(p["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/component")
                   == side and any(
                       any(f.get("podSelector", {}).get("matchLabels", {}).get(
                           "app.kubernetes.io/component") == peer
                           for f in rule["from" if direction == "ingress" else "to"])
                       and {"protocol": "TCP", "port": url.port} in rule["ports"]
                       for rule in p.get(direction, []))
                   for p in policies)
    assert allows("egress", "upload", "metadata") and allows("ingress", "metadata", "upload")
    assert not allows("egress", "render", "metadata")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaling_and_disruption_budgets(overlay):
    hpas = {h["metadata"]["name"] for h in objects(overlay, "HorizontalPodAutoscaler")}
    assert hpas == {"metadata", "metadata-internal", "upload", "render"}
    pdbs = {p["metadata"]["name"] for p in objects(overlay, "PodDisruptionBudget")}
    assert pdbs >= hpas
    (so,) = objects(overlay, "ScaledObject")
    trigger = so["spec"]["triggers"][0]
    assert so["spec"]["scaleTargetRef"]["name"] == "resizer" and trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == f"{Settings().queue_prefix}.resize.requests"
    deployments = {d["metadata"]["name"]: d for d in objects(overlay, "Deployment")}
    for name in hpas | {"resizer"}:
        assert "replicas" not in deployments[name]["spec"], f"{name}: the autoscaler owns it"


def test_the_image_tag_is_the_project_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    kustomization = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    assert kustomization["images"] == [{"name": "onepic", "newTag": version}]
    for overlay in OVERLAYS:
        for _, c in onepic_containers(overlay):
            assert c["image"].endswith(f"onepic:{version}"), c["image"]


def test_the_migration_job_runs_alembic_under_its_lock():
    (job,) = objects("prod", "Job")
    (c,) = job["spec"]["template"]["spec"]["containers"]
    assert shlex.join(c["command"]) == "python -m services.metadata.migrate"


def test_the_secrets_script_makes_every_key_the_manifests_read():
    from deploy.k8s import secrets

    made = {s["metadata"]["name"]: set(s["stringData"]) for s in secrets.dev()}
    assert made["onepic-secrets"] == set(generate.SECRET_KEYS)
    wanted = {(e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
              for _, spec in pod_specs("dev") for c in spec["containers"]
              for e in c.get("env", []) if "valueFrom" in e}
    assert wanted and all(key in made[name] for name, key in wanted), wanted
    with pytest.raises(SystemExit, match="DATABASE_URL"):
        secrets.prod({})
    with pytest.raises(SystemExit, match="SMTP_URL"):
        secrets.prod({k: "x" for k in generate.SECRET_KEYS if k != "SMTP_URL"})
    full = {k: "x" for k in generate.SECRET_KEYS if k != "INTERNAL_TOKEN"}
    (secret,) = secrets.prod(full)
    assert len(secret["stringData"]["INTERNAL_TOKEN"]) >= 32


def test_the_dev_secret_names_the_dev_mail_sink_and_the_senders_reach_it():
    """Without SMTP_URL metadata and its internal API refuse to start: in dev it names the
    overlay's mail sink, which those that send mail (and only they) may reach."""
    from urllib.parse import urlsplit

    from deploy.k8s import secrets

    (onepic,) = [s for s in secrets.dev() if s["metadata"]["name"] == "onepic-secrets"]
    url = urlsplit(onepic["stringData"]["SMTP_URL"])
    services = {s["metadata"]["name"]: s for s in objects("dev", "Service")}
    assert [p["port"] for p in services[url.hostname]["spec"]["ports"]] == [url.port]
    (sink,) = [c for name, spec in pod_specs("dev") if name == url.hostname
               for c in spec["containers"]]
    assert sink["command"][-1].endswith(f":{url.port}")
    policies = {p["metadata"]["name"]: p["spec"] for p in objects("dev", "NetworkPolicy")}
    senders = {"metadata", "metadata-worker", "metadata-internal"}
    assert set(policies["to-mail"]["podSelector"]["matchExpressions"][0]["values"]) == senders
    (rule,) = policies["mail-from-clients"]["ingress"]
    assert set(rule["from"][0]["podSelector"]["matchExpressions"][0]["values"]) == senders
