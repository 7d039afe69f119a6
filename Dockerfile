# OnePic: one image for every service; the command chooses which (docs/deploy.md). Built by
# `make image` (deploy/image/build.sh) from a context holding only wheels fetched on the host:
# nothing is downloaded during the build, and no host certificate or pip configuration ever
# enters the image.
#
# BASE_IMAGE: a Debian bookworm. With debian:bookworm-slim (a registry and network at build
# time) python3 is installed from Debian's packages; a base that has it already (the test's
# debootstrap import: deploy/image/base.sh) needs no network at all.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
RUN if ! python3 -c "import ensurepip, venv" 2>/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && \
        rm -rf /var/lib/apt/lists/*; \
    fi
COPY wheels/ /wheels/
# --no-index: the wheels in the context are the only source; the set is complete or this fails.
RUN python3 -m venv /opt/onepic/venv && \
    /opt/onepic/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels onepic && \
    /opt/onepic/venv/bin/pip uninstall -y pip

FROM ${BASE_IMAGE}
# The runtime needs the interpreter only: no pip, no compiler, no apt lists.
RUN if ! command -v python3 >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends python3 && \
        rm -rf /var/lib/apt/lists/*; \
    fi && \
    groupadd --system --gid 10001 onepic && \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/onepic --no-create-home \
        --shell /usr/sbin/nologin onepic && \
    mkdir -p /var/lib/onepic && chown 10001:10001 /var/lib/onepic
COPY --from=build /opt/onepic/venv /opt/onepic/venv
# Read-only root friendly: bytecode is compiled at install, HOME is /tmp (gunicorn's control
# socket is off anyway), and the data of standalone lives on the volume.
ENV PATH=/opt/onepic/venv/bin:/usr/local/bin:/usr/bin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:////var/lib/onepic/onepic.db \
    BLOB_URL=file:///var/lib/onepic/blobs
VOLUME /var/lib/onepic
USER 10001:10001
WORKDIR /var/lib/onepic
EXPOSE 8080
# Standalone on PORT: migrate (file-locked on SQLite), then serve. Kubernetes and compose
# files give each service its own command instead (deploy/k8s/base/workloads.yaml).
CMD ["/bin/sh", "-c", "python -m services.metadata.migrate && exec python -m services.standalone"]
