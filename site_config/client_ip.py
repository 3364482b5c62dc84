"""The visitor's address, for django-axes's lock-out (and any later per-client limit).

X-Forwarded-For is believed only from the proxies listed in TRUSTED_PROXIES: a request
from anywhere else is taken at its REMOTE_ADDR, whatever headers it carries. From a
trusted proxy, the header is walked from the right (each proxy appends the address it
was sent from) past every trusted proxy; the first other address is the client's.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(value: str | list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """'10.0.0.5, 10.1.0.0/16, ::1' (or a list of those) as networks; ValueError if bad."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


@lru_cache(maxsize=8)
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(proxies)


def _address(value: str) -> Address | None:
    """An address, with an IPv4 address mapped into IPv6 (::ffff:a.b.c.d) unmapped."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy, then the rightmost
    X-Forwarded-For entry that is not one. A hop that is not an address stops the walk at
    the trusted proxy that reported it (never a forged value)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    current = _address(remote)
    if current is None:
        return remote

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(forwarded):
        if not is_trusted(current):
            break
        sender = _address(hop)
        if sender is None:
            break
        current = sender
    return str(current)
