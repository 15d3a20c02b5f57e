"""Qt widgets: they render state and emit intent; no HTTP, no file formats."""
