"""Serving a WSGI app with gunicorn from Python, for the entry points that are processes
of their own (standalone). `load` runs in the worker process, so background threads
started there live beside the app that serves requests."""
from __future__ import annotations

import logging
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class _Application(BaseApplication):
    def __init__(self, load: Callable[[], object], options: dict):
        self._load, self._options = load, options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._load()


def serve(load: Callable[[], object], *, port: int, host: str = "127.0.0.1",
          workers: int = 1, threads: int = 16, **options) -> None:
    """Run gunicorn until SIGTERM/SIGINT; `load` builds the WSGI app in each worker."""
    base = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread", "accesslog": None, "errorlog": "-",
        "loglevel": logging.getLevelName(logging.getLogger().level).lower(),
        "graceful_timeout": 10, "timeout": 60,
        # gunicorn 27's control socket defaults to $HOME/.gunicorn/gunicorn.ctl: one path
        # for every instance on the machine, and unwritable in a read-only container.
        "control_socket_disable": True,
    }
    base.update(options)
    _Application(load, base).run()


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
