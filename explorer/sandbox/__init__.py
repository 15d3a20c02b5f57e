"""The embedded vendor simulator: a real HTTP server on loopback. Never imports Qt."""
