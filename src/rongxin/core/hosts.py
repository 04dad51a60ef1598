"""Where the development server listens, which ``Host`` headers it answers, and the address to print.

``make demo`` binds ``HOST:PORT`` (``RONGXIN_HOST``, default ``127.0.0.1``; ``PORT``, default
8000). Django answers only the host names in ``ALLOWED_HOSTS``: in development these are the
loopback names, plus, when the server listens beyond loopback (``HOST=0.0.0.0`` to try the demo
from a phone on the same network), this machine's own addresses and names. Never ``*``: a page
reached under a foreign name (DNS rebinding) is still refused.

No function here touches the network: the machine's outward address is read from the routing
table by "connecting" a UDP socket, which sends nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Documentation prefixes (RFC 5737, RFC 3849): a route lookup towards them sends no packet.
_PROBE = {socket.AF_INET: "192.0.2.1", socket.AF_INET6: "2001:db8::1"}


def is_loopback(host: str) -> bool:
    """Whether a bind address listens on this machine only."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Whether a bind address listens on every interface (``0.0.0.0`` or ``::``)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def as_host_header(address: str) -> str:
    """An address as it appears in a ``Host`` header (IPv6 in brackets)."""
    name = address.strip("[]").split("%", 1)[0]
    try:
        return f"[{name}]" if ipaddress.ip_address(name).version == 6 else name
    except ValueError:
        return name.lower()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _outward_address(family: socket.AddressFamily) -> str | None:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((_PROBE[family], 9))
            return str(s.getsockname()[0])
    except OSError:
        return None


def machine_addresses() -> list[str]:
    """This machine's names and non-loopback addresses, best first (the outward IPv4 address,
    then the host name's addresses, then the names), without duplicates."""
    found: list[str] = []
    for family in (socket.AF_INET, socket.AF_INET6):
        address = _outward_address(family)
        if address:
            found.append(address)
    hostname = socket.gethostname()
    try:
        infos = socket.getaddrinfo(hostname, None, proto=socket.IPPROTO_TCP)
    except OSError:
        infos = []
    found += [str(info[4][0]) for info in infos]
    found += [hostname, socket.getfqdn()]
    seen: dict[str, None] = {}
    for item in found:
        if item and not is_loopback(item) and not is_wildcard(item):
            seen.setdefault(as_host_header(item), None)
    return list(seen)


def development_allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> list[str]:
    """``ALLOWED_HOSTS`` outside production: loopback, ``testserver`` (the test client), the
    address the server was told to bind, this machine's addresses when it listens beyond
    loopback, and any names given in ``RONGXIN_ALLOWED_HOSTS``."""
    hosts = [*LOOPBACK_HOSTS, "testserver"]
    if not is_loopback(bind_host):
        if not is_wildcard(bind_host):
            hosts.append(as_host_header(bind_host))
        hosts += machine_addresses()
    hosts += [h.strip() for h in extra if h.strip()]
    return list(dict.fromkeys(hosts))


def demo_urls(host: str, port: int) -> list[str]:
    """The addresses to open for a server bound to ``host:port``: the bound address itself, or,
    on every interface, this machine (loopback) first and then its outward addresses."""
    if is_wildcard(host):
        outward = [a for a in machine_addresses() if _is_address(a)]
        return [f"http://127.0.0.1:{port}", *(f"http://{a}:{port}" for a in outward)]
    return [f"http://{as_host_header(host)}:{port}"]
