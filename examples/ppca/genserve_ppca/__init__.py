"""Probabilistic PCA as a genserve model kind: an example plugin package.

Installed (``pip install -e examples/ppca``), it registers ``ppca`` in the entry-point group
``genserve.models``; genserve then trains it (``POST /jobs {"kind": "ppca", ...}``), serves it
and lists it without a change to its own code.
"""

from genserve_ppca.kind import PPCA_KIND, fit_ppca
from genserve_ppca.model import PPCA, PPCAHyperparameters

__all__ = ["PPCA", "PPCA_KIND", "PPCAHyperparameters", "fit_ppca"]
