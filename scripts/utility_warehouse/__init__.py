"""Utility-bill analytics warehouse: landing, building and reporting helpers."""
