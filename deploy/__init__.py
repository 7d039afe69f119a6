"""How OnePic is deployed: `local` (make up) here, Kubernetes manifests in k8s/."""
