"""Django settings of the ivatar stand-in (bench/ivatar.py): what ivatar (master of February
2025) runs a request through, on SQLite, nothing else: its middleware stack, its languages, a
transaction per request (ATOMIC_REQUESTS), DEBUG off as in production, and its response cache
on files. Runs in its own venv (var/bench/ivatar-venv)."""
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
# ivatar's MIDDLEWARE as its settings.py and config.py leave it: its proxy-header middleware
# first, and LocaleMiddleware twice (listed in settings.py and appended again by config.py).
MIDDLEWARE = [
    "ivatar_site.peer.proxy.ForwardedServerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
]
ROOT_URLCONF = "ivatar_site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(BASE, "ivatar.sqlite3"),
                         "ATOMIC_REQUESTS": True}}
# ivatar's CACHE_RESPONSE: every generated answer is written to a file cache (15 minutes) and
# looked up there, by absolute URI, before anything else.
CACHE_RESPONSE = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "filesystem": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                   "LOCATION": os.path.join(BASE, "filecache"), "TIMEOUT": 900},
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-us"
LANGUAGES = [(code, code) for code in ("de", "en", "ca", "cs", "es", "eu", "fr", "it", "ja", "nl",
                                       "pt", "ru", "sq", "tr", "uk")]
USE_X_FORWARDED_HOST = True
