"""Django settings of the ivatar stand-in (bench/ivatar.py): ivatar's own middleware stack and
database lookups, SQLite, nothing else. Runs in its own venv (var/bench/ivatar-venv)."""
import os

BASE = os.environ["IVATAR_PEER_DIR"]
SECRET_KEY = "bench-only, never served beyond loopback"  # noqa: S105 - not a secret: loopback bench
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "ivatar_site.peer",
]
# ivatar's MIDDLEWARE, as its settings.py lists it.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "ivatar_site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(BASE, "ivatar.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
