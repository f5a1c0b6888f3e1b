"""Metroscope: an open platform for metropolitan city-makers."""

__version__ = "0.1.0"
