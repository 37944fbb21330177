"""Figures of the knowledge base, drawn by code: ``python -m kb.figures.draw`` regenerates them."""
