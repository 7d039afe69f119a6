"""View analytics: per-photo daily view counts, rolled up from render's batches in the cache
(services/render/views.py) and served by GET /v1/photos/<id>/stats."""
