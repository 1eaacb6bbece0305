"""The built-in checks, one module per check, installed as `edgelint.checks`.

The registry loads every `Check` subclass with a code from the submodules of this package,
through the same `edgelint.checks` entry point a third-party plugin uses.
"""
