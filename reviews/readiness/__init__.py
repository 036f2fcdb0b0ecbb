"""Readiness: the guide's rule (`rule`), its calendar months (`months`), the snapshots that keep it
per case (`snapshots`) and the heat strip that draws it (`heatstrip`)."""
