from django.urls import re_path

from .peer.views import avatar

# ivatar's patterns: a SHA-256 or an MD5 digest.
urlpatterns = [
    re_path(r"avatar/(?P<digest>\w{64})", avatar),
    re_path(r"avatar/(?P<digest>\w{32})", avatar),
]
