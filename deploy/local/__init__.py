"""`make up` / `make down`: every OnePic service as its own process on this machine, against
the local PostgreSQL, RabbitMQ and Redis, with nginx in front (configured from
shared/routing.py, as the Ingress is in Kubernetes) and supervisord restarting whatever dies
(as the kubelet would). Run as `python -m deploy.local up|down|status|purge`.

Everything a second copy needs to run beside a developer's (ports, database name, Redis db,
queue prefix, var dir) comes from the environment; see `plan.py`.
"""
