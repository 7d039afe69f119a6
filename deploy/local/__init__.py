"""`make up` / `make down`: every OnePic service as its own process on this machine, against
the local PostgreSQL, RabbitMQ and Redis, with the gateway in front (what the Ingress does in
Kubernetes). Run as `python -m deploy.local up|down|status|purge`.

Everything a second copy needs to run beside a developer's (ports, database name, Redis db,
queue prefix, var dir) comes from the environment; see `plan.py`.
"""
