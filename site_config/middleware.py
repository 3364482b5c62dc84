from django.conf import settings
from django.urls import resolve, reverse


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header: the site uses no camera, microphone, location..."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class LeanPathMiddleware:
    """A GET of a view named in LEAN_PATHS skips the middleware below this one.

    The suggestions (`/search/suggest`, asked on every keystroke) read `q` and nothing else:
    no session, user, CSRF token, message or history. For a GET of such a path this calls
    the view at once, without resolving the URL again, and adds the headers the skipped
    middleware would have added: the Content-Security-Policy, Permissions-Policy and
    X-Frame-Options (all three fixed, so made once here) and Content-Length. Every other
    request, and any other method on these paths, goes down the whole stack as before.

    Placed below the page cache, so cached mode still caches these answers, and wrapped
    by Django like any middleware, so an error in the view still becomes the 500 or 503 page.
    """

    def __init__(self, get_response):
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.utils import build_policy

        self.get_response = get_response
        self.views = {reverse(name): resolve(reverse(name)) for name in settings.LEAN_PATHS}
        headers = {
            HEADER: build_policy(),
            HEADER_REPORT_ONLY: build_policy(report_only=True),
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
            "X-Frame-Options": settings.X_FRAME_OPTIONS.upper(),
        }
        self.headers = [(name, value) for name, value in headers.items() if value]

    def __call__(self, request):
        match = self.views.get(request.path_info) if request.method == "GET" else None
        if match is None:
            return self.get_response(request)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        for name, value in self.headers:
            response.headers.setdefault(name, value)
        if not response.streaming:
            response.headers.setdefault("Content-Length", str(len(response.content)))
        return response
