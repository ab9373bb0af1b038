"""Which URLs a webhook may point at, and connections that go only to the addresses checked.

Only http and https. The host is resolved and EVERY address it resolves to must be public
(not loopback, private, link-local, multicast, reserved or unspecified), unless it lies in a
network an administrator listed in WEBHOOK_ALLOWED_NETWORKS. With WEBHOOK_ALLOWED_HOSTS set,
only those host names are accepted at all. The check runs when a hook is saved and again at
every delivery, and the delivery connects to the very address that was checked, so a DNS
answer that changes in between (DNS rebinding) cannot send a request inside the network.
Redirects are never followed.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from flask import current_app

from ..errors import DomainError


class UnsafeURL(DomainError):
    """The URL may not receive webhooks; the message says why."""

    def __init__(self, message: str):
        super().__init__(message, field="url")


def _networks(config) -> list:
    networks = []
    for text in config.get("WEBHOOK_ALLOWED_NETWORKS") or ():
        networks.append(ipaddress.ip_network(text, strict=False))
    return networks


def _is_public(address) -> bool:
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified
                or (address.version == 6 and address.ipv4_mapped is not None
                    and not _is_public(address.ipv4_mapped)))


def split(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL a webhook may use; UnsafeURL otherwise."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Use an http:// or https:// address.")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeURL("The address needs a host name, and no user name or password in it.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The port in the address is not a number from 1 to 65535.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower(), port, path


def checked_addresses(host: str, port: int) -> list[str]:
    """Every address the host resolves to, all of them allowed; UnsafeURL if any is not."""
    config = current_app.config
    allowed_hosts = {h.lower() for h in config.get("WEBHOOK_ALLOWED_HOSTS") or ()}
    if allowed_hosts and host not in allowed_hosts:
        raise UnsafeURL(f"{host} is not on this installation's list of webhook hosts (WEBHOOK_ALLOWED_HOSTS).")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"The host name {host} does not resolve.") from None
    addresses = sorted({info[4][0] for info in infos})
    networks = _networks(config)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not _is_public(address) and not any(address in network for network in networks):
            raise UnsafeURL(f"{host} resolves to {address}, a loopback, private or reserved address; webhooks "
                            "only go to public addresses unless an administrator allows that network "
                            "(WEBHOOK_ALLOWED_NETWORKS).")
    if not addresses:
        raise UnsafeURL(f"The host name {host} does not resolve.")
    return addresses


def check_url(url: str) -> str:
    """The URL, stripped, if a webhook may use it now; UnsafeURL otherwise."""
    _scheme, host, port, _path = split(url)
    checked_addresses(host, port)
    return url.strip()


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address while the Host header keeps the URL's name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As _PinnedHTTP, with TLS verified against the URL's host name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST to the URL's checked address; (status, first KB of the answer). Raises UnsafeURL or OSError."""
    scheme, host, port, path = split(url)
    address = checked_addresses(host, port)[0]
    connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = connection_class(host, port, address, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(1024)
    finally:
        connection.close()
