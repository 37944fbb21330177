"""Demo trainings: one module per demo, each defining ``DEMO``; they are registered in demos/catalog.py."""
