"""The one transport every page fetch goes through, and where an address is checked.

With ``block_private`` the name is resolved here, once, every address it gives
is checked against the policy, and the socket is opened to exactly the address
that was checked (and its peer checked again), so a DNS server that answers
with a public address first and 127.0.0.1 the second time (DNS rebinding)
gains nothing. TLS still verifies the certificate against the host name.

httpx has no public way to swap its connection backend, so the transport's
pool is given ours; this is the only place that knows.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[str, IPAddress], bool]  # (host, address) -> may we connect?
Resolver = Callable[[str, int], Awaitable[list[str]]]  # (host, port) -> addresses

NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class Refused(Exception):
    """A connection the address policy does not allow, or a name that does not resolve."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped, 6to4, NAT64 or IPv4-compatible."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(_host: str, address: IPAddress) -> bool:
    """The default policy: a global address that embeds no private IPv4 one."""
    inner = embedded_ipv4(address)
    return address.is_global and (inner is None or inner.is_global)


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, connecting only to addresses the policy allows."""

    def __init__(self, allowed: AddressPolicy, resolver: Resolver | None = None):
        self._inner = httpcore.AnyIOBackend()
        self._allowed = allowed
        self._resolve = resolver or system_resolver

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._resolve(host, port)
        except OSError as exc:
            raise Refused("dns", f"the host name does not resolve: {exc}") from None
        if not addresses:
            raise Refused("dns", f"the host name {host} does not resolve")
        for address in addresses:
            self._check(host, address)
        error: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except httpcore.ConnectError as exc:
                error = exc
                continue
            peer = stream.get_extra_info("server_addr")
            try:
                if peer:
                    self._check(host, str(peer[0]))
            except Refused:
                await stream.aclose()
                raise
            return stream
        assert error is not None
        raise error

    def _check(self, host: str, address: str) -> None:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not self._allowed(host, ip):
            raise Refused("refused", f"refused: {host} is at {ip}, a private, loopback or "
                                     "link-local address (block_private)")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise Refused("refused", "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def make_transport(limits: httpx.Limits, *, block_private: bool,
                   allowed: AddressPolicy | None = None,
                   resolver: Resolver | None = None) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits)
    if block_private:
        transport._pool._network_backend = GuardedBackend(allowed or is_public, resolver)
    return transport
