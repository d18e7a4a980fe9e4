from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header from settings.CONTENT_SECURITY_POLICY.

    The Wagtail admin needs inline scripts and styles of its own, so it gets a looser policy;
    every public page gets the strict one.
    """

    ADMIN_PREFIXES = ("/admin/", "/django-admin/")

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", {})
        self.header = "; ".join(f"{key} {value}" for key, value in policy.items())
        admin_policy = dict(policy)
        admin_policy["script-src"] = "'self' 'unsafe-inline' 'unsafe-eval'"
        admin_policy["img-src"] = "'self' data: blob: https:"
        self.admin_header = "; ".join(f"{key} {value}" for key, value in admin_policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            is_admin = request.path.startswith(self.ADMIN_PREFIXES)
            response["Content-Security-Policy"] = self.admin_header if is_admin else self.header
        return response
