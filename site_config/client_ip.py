"""The visitor's address as the TLS proxy saw it, for django-axes's lock-out."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address they were
    sent from: X-Forwarded-For is read from the right, so a client cannot forge it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
