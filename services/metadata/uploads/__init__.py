"""Presigned direct uploads: the tickets that POST /v1/uploads hands out (the upload service
signs the POST and admits the bytes; metadata keeps who may complete what, until when)."""
