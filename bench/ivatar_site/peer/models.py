"""The two tables ivatar looks a digest up in (its ConfirmedEmail and ConfirmedOpenId), with
the columns those lookups read; like ivatar's, the digest columns carry no index."""
from django.db import models


class ConfirmedEmail(models.Model):
    email = models.CharField(max_length=254, unique=True)
    digest = models.CharField(max_length=32)
    digest_sha256 = models.CharField(max_length=64)
    photo = models.BinaryField(null=True)


class ConfirmedOpenId(models.Model):
    openid = models.CharField(max_length=255, unique=True)
    digest = models.CharField(max_length=64)
    alt_digest1 = models.CharField(max_length=64, null=True, default=None)
    alt_digest2 = models.CharField(max_length=64, null=True, default=None)
    alt_digest3 = models.CharField(max_length=64, null=True, default=None)
    photo = models.BinaryField(null=True)
