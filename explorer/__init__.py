"""API Explorer: a native desktop client for OAuth2-protected vendor REST APIs."""

__version__ = "0.1.0"
