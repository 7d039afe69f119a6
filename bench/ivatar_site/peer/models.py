"""The tables ivatar looks a digest up in (its ConfirmedEmail and ConfirmedOpenId) with the
columns ivatar gives them, so each lookup reads and builds rows as wide as ivatar's; like
ivatar's, the digest columns carry no index."""
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone


class Owned(models.Model):
    user = models.ForeignKey(User, on_delete=models.deletion.CASCADE)
    ip_address = models.GenericIPAddressField(unpack_ipv4=True, null=True)
    add_date = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Photo(Owned):
    data = models.BinaryField()
    format = models.CharField(max_length=4)
    access_count = models.BigIntegerField(default=0, editable=False)


class Claimed(Owned):
    """What both kinds of claimed identity carry besides their digests."""
    photo = models.ForeignKey(Photo, related_name="%(class)ss", blank=True, null=True,
                              on_delete=models.deletion.SET_NULL)
    access_count = models.BigIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


class ConfirmedEmail(Claimed):
    email = models.EmailField(unique=True, max_length=254)
    digest = models.CharField(max_length=32)
    digest_sha256 = models.CharField(max_length=64)


class ConfirmedOpenId(Claimed):
    openid = models.URLField(unique=True, max_length=255)
    digest = models.CharField(max_length=64)
    alt_digest1 = models.CharField(max_length=64, null=True, blank=True, default=None)
    alt_digest2 = models.CharField(max_length=64, null=True, blank=True, default=None)
    alt_digest3 = models.CharField(max_length=64, null=True, blank=True, default=None)
