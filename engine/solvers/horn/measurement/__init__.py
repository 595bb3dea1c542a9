"""Measured responses beside simulated ones: FRD files and polar sets read into a results-shaped document
(``document``), and how far a simulation's on-axis response is from one (``deviation``).

Modules: ``frd`` reads one file, ``files`` tells which files a set holds and where each was measured,
``document`` builds the document with numpy, ``deviation`` is pure Python for the engine's comparisons.
"""
