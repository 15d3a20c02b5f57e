"""The workspace on disk: marker, collections, environments, history (see docs/workspace.md)."""
