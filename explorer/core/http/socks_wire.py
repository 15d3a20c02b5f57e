"""Pools for a SOCKS proxy whose connections keep the request head they write.

Separate from ``timing`` because ``urllib3.contrib.socks`` needs PySocks, which requests itself
imports only when a SOCKS proxy is used.
"""

from __future__ import annotations

from urllib3.connectionpool import HTTPConnectionPool
from urllib3.contrib.socks import (
    SOCKSConnection,
    SOCKSHTTPConnectionPool,
    SOCKSHTTPSConnection,
    SOCKSHTTPSConnectionPool,
)

from explorer.core.http.timing import WireConnection

__all__ = ["SOCKS_WIRE_POOLS"]


class _WireSOCKSConnection(WireConnection, SOCKSConnection):
    """Plain HTTP through the SOCKS tunnel: the head reaches the server as written."""


class _WireSOCKSHTTPSConnection(WireConnection, SOCKSHTTPSConnection):
    """HTTPS through the SOCKS tunnel."""


class _WireSOCKSPool(SOCKSHTTPConnectionPool):
    ConnectionCls = _WireSOCKSConnection


class _WireSOCKSHTTPSPool(SOCKSHTTPSConnectionPool):
    ConnectionCls = _WireSOCKSHTTPSConnection


SOCKS_WIRE_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _WireSOCKSPool,
    "https": _WireSOCKSHTTPSPool,
}
