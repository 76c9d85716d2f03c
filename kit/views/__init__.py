"""The views layer: widgets, charts, the team log, the workshop and the recheck drill.

Thin layers over the engine (and the store for saving); imported by handout and cli.
"""
