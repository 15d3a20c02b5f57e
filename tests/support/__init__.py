"""Shared test helpers: real servers on free loopback ports, and the missing-program report."""
