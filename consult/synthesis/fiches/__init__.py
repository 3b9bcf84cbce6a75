"""Fiches actions: writing, versions, numbering, publication."""
