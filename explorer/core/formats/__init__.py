"""Importers and exporters: Postman, curl, ``.http``/``.rest`` and OpenAPI (see docs/formats.md).

Every importer returns an ``ImportResult`` (a collection tree, environments, a report of what
could not be mapped, and any secret values found, which callers put in the keyring, never in
files) or raises ``FormatError`` with a location; no input makes one crash.
"""
