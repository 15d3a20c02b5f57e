"""The one error snippets add: a request that cannot be exported the way it was asked for."""

from __future__ import annotations

from explorer.core.errors import UsageError


class SnippetError(UsageError):
    """An option combination or request a target cannot express (``--flow`` without an OAuth2
    provider, an auth type no target knows, a secret where only a plain value fits)."""
