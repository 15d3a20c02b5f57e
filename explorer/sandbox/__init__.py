"""The embedded vendor simulator: one real HTTP server on loopback that behaves like PCE,
Procode, PriceEdge, ServiceChannel and Flexiti, quirks included, plus a ``/_sandbox/`` control
plane (info, clock, reset, log, faults, revoke, stats, config). Never imports Qt.

The layout and every behaviour are documented in ``docs/sandbox.md``.
"""

from explorer.sandbox.server import Sandbox, start_sandbox

__all__ = ["Sandbox", "start_sandbox"]
