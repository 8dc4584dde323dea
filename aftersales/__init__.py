"""Aftersales: an after-sales service platform."""

__version__ = "0.1.0"
