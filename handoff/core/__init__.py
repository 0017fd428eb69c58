"""The pure core: decisions, routing, briefings, rendering and measures as functions of data (no I/O, no clock reads)."""
