"""The client's address, seen through the proxies this deployment trusts.

Behind a TLS proxy every request arrives from the proxy, so ``REMOTE_ADDR`` is the proxy's
address for every user, and one client hammering the sign-in page would lock all staff out of
the per-address limit. The proxy appends the address it saw to ``X-Forwarded-For``; but anyone
can send that header, so it is believed only when the request itself comes from an address in
``RONGXIN_TRUSTED_PROXIES``, and then only from the right: walking the header from its last
entry, each trusted hop hands over to the entry before it, and the first untrusted address is
the client (entries further left were written by the client and are ignored). A malformed
entry ends the walk at the last hop that could be trusted. With no trusted proxies configured
(the default) the header is ignored entirely and the client is ``REMOTE_ADDR``.

Every per-address rate limit (django-ratelimit's ``ip`` and ``user_or_ip`` keys, through
``RATELIMIT_IP_META_KEY``) and the audit log's address use :func:`client_address`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """Comma- or space-separated addresses and CIDR blocks (``10.0.0.2, 172.16.0.0/12``).

    Raises :class:`ValueError` naming the first entry that is neither.
    """
    networks = []
    for entry in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR block: {entry!r}") from None
    return tuple(networks)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # A server listening on "::" reports IPv4 clients as ::ffff:a.b.c.d.
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(request: Any) -> str | None:
    """The client's address (see the module docstring), or ``None`` when the connection has no
    IP address at all (e.g. a Unix socket with no trusted proxy in front)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted: tuple[Network, ...] = settings.RONGXIN_TRUSTED_PROXIES
    if not trusted or not _trusted(remote, trusted):
        return str(remote)
    client = remote
    for entry in reversed(str(request.META.get(settings.RONGXIN_PROXY_HEADER, "")).split(",")):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not _trusted(hop, trusted):
            break
    return str(client)


def ratelimit_address(request: Any) -> str:
    """:func:`client_address` for django-ratelimit (``RATELIMIT_IP_META_KEY``), which needs one."""
    address = client_address(request)
    if address is None:
        raise ImproperlyConfigured(
            "The request has no client IP address (REMOTE_ADDR is empty, e.g. a Unix socket): "
            "connect the proxy to the web server over TCP (see docs/operations.md, behind a proxy)."
        )
    return address
