"""Synthesis per axis, fiches actions, governance and follow-up: where contributions become the contract."""
