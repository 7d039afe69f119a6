"""JSON schemas for the three custom resources deploy/k8s uses, which kubernetes-validate
does not know (it ships Kubernetes' own schemas only). Written here from the CRDs' published
field lists (Prometheus Operator monitoring.coreos.com/v1, KEDA keda.sh/v1alpha1), covering
the fields OnePic sets, strict like kubernetes-validate's mode: an unknown or misspelt field
is an error, as the API server's structural-schema pruning would silently drop it.
docs/deploy.md says how to validate against the full CRDs of your cluster's operators."""
from __future__ import annotations


def _obj(props: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": props, "required": list(required),
            "additionalProperties": False}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_LABELS = {"type": "object", "additionalProperties": _STR}
_METADATA = {"type": "object", "properties": {"name": _STR, "namespace": _STR,
                                              "labels": _LABELS, "annotations": _LABELS},
             "required": ["name"]}


def _resource(api: str, kind: str, spec: dict) -> dict:
    return _obj({"apiVersion": {"const": api}, "kind": {"const": kind}, "metadata": _METADATA,
                 "spec": spec}, ("apiVersion", "kind", "metadata", "spec"))


_DURATION = {"type": "string", "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?"
             r"(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"}

SERVICE_MONITOR = _resource("monitoring.coreos.com/v1", "ServiceMonitor", _obj({
    "selector": _obj({"matchLabels": _LABELS}),
    "namespaceSelector": _obj({"matchNames": {"type": "array", "items": _STR},
                               "any": {"type": "boolean"}}),
    "endpoints": {"type": "array", "minItems": 1, "items": _obj({
        "port": _STR, "path": _STR, "interval": _DURATION, "scrapeTimeout": _DURATION,
        "scheme": {"enum": ["http", "https"]}})},
}, ("selector", "endpoints")))

PROMETHEUS_RULE = _resource("monitoring.coreos.com/v1", "PrometheusRule", _obj({
    "groups": {"type": "array", "items": _obj({
        "name": _STR, "interval": _DURATION,
        "rules": {"type": "array", "items": _obj({
            "alert": _STR, "record": _STR, "expr": _STR, "for": _DURATION,
            "labels": _LABELS, "annotations": _LABELS}, ("expr",))},
    }, ("name", "rules"))},
}, ("groups",)))

SCALED_OBJECT = _resource("keda.sh/v1alpha1", "ScaledObject", _obj({
    "scaleTargetRef": _obj({"name": {"type": "string", "minLength": 1}, "kind": _STR,
                            "apiVersion": _STR, "envSourceContainerName": _STR}, ("name",)),
    "minReplicaCount": {"type": "integer", "minimum": 0},
    "maxReplicaCount": {"type": "integer", "minimum": 1},
    "idleReplicaCount": {"type": "integer", "minimum": 0},
    "pollingInterval": {"type": "integer", "minimum": 1},
    "cooldownPeriod": {"type": "integer", "minimum": 0},
    "triggers": {"type": "array", "minItems": 1, "items": _obj({
        "type": _STR, "name": _STR, "metricType": _STR,
        "metadata": {"type": "object", "additionalProperties": _STR},
        "authenticationRef": _obj({"name": _STR, "kind": _STR}, ("name",)),
    }, ("type", "metadata"))},
}, ("scaleTargetRef", "triggers")))

SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
}
