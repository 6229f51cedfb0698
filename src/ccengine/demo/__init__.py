"""``ccengine demo``: a whole simulated call center on one machine (issue 8), and ``ccengine
replay``, the indicator engine alone at scale."""
