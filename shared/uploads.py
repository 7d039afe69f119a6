"""What the upload service and the front door in front of it (`make up`'s nginx, the
Kubernetes Ingress) agree on about an upload's size."""
from __future__ import annotations

# Room for multipart boundaries, part headers and the small text fields around the file: a
# front door allows MAX_UPLOAD_BYTES plus this, and the upload service applies the exact cap.
MULTIPART_OVERHEAD = 64 * 1024
