"""ivatar's first middleware: behind several proxies, the forwarded server names the host."""


class ForwardedServerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        server = request.META.get("HTTP_X_FORWARDED_SERVER")
        if server:
            request.META["HTTP_X_FORWARDED_HOST"] = server
        return self.get_response(request)
