"""edgelint: static analysis for Next.js apps that run on edge runtimes."""

__version__ = "0.1.0"
