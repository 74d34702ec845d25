"""The checks of a sandbox's options, each the one rule of its option, shared by the app, the
server and the command (which turns a ``ValueError`` into a usage error naming the option). It
needs nothing beyond the standard library, so that the command can check options (and say how to
install the extra) where werkzeug is missing.

Among them the rule about where to listen: the sandbox's ready-made tokens, user passwords and
client secret are printed and never change, so it serves on loopback addresses only, unless told
otherwise (``allow_remote``).
"""

from __future__ import annotations

import ipaddress
import socket

from ._faults import SandboxConfig

DEFAULT_ORDERS = 14486  # the figure of the orders seed page
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_CONNECTIONS = 64
LAYOUT_NAMES = ("default", "alternate")


def check_orders(orders: int) -> None:
    if orders < 0:
        raise ValueError("orders must be >= 0")


def check_layout(layout: str) -> None:
    if layout not in LAYOUT_NAMES:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUT_NAMES)}")


def check_token_lifetime(token_lifetime: float) -> None:
    if not token_lifetime >= 0:
        raise ValueError("token_lifetime must be >= 0")


def check_port(port: int) -> None:
    if not 0 <= port <= 65535:
        raise ValueError("port must be between 0 and 65535")


def check_max_body_bytes(max_body_bytes: int) -> None:
    if max_body_bytes < 1:
        raise ValueError("max_body_bytes must be >= 1")


def check_max_connections(max_connections: int) -> None:
    if max_connections < 1:
        raise ValueError("max_connections must be >= 1")


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback one (``127.0.0.1``, ``::1``,
    ``localhost``...). The wildcard ``""``/``0.0.0.0``/``::`` is every interface: not loopback."""
    name = host.strip("[]")
    if not name:
        return False
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False  # cannot tell: binding will fail anyway
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses
    )


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse an address beyond loopback unless ``allow_remote``."""
    if not allow_remote and not is_loopback(host):
        raise ValueError(
            f"host {host!r} is not a loopback address: anyone who can reach it could use the"
            " sandbox's ready-made tokens, passwords and client secret; pass allow_remote"
            " (--allow-remote) to serve there anyway"
        )


def check_options(
    *,
    orders: int = DEFAULT_ORDERS,
    latency_ms: float = 0,
    fail_rate: float = 0.0,
    token_lifetime: float = 3600,
    layout: str = "default",
    port: int = 0,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    host: str = "127.0.0.1",
    allow_remote: bool = False,
) -> None:
    """Check a sandbox's options before anything is seeded or bound, with the very checks that
    :func:`open_database`, :class:`SandboxConfig`, the app and ``serve`` make: a ``ValueError``
    names the first bad one."""
    check_orders(orders)
    SandboxConfig(latency_ms=latency_ms, fail_rate=fail_rate)
    check_token_lifetime(token_lifetime)
    check_layout(layout)
    check_port(port)
    check_max_body_bytes(max_body_bytes)
    check_max_connections(max_connections)
    check_host(host, allow_remote)
