"""Routing evidence: adapters turn vendor exports into one RoutingModel that the analysis reads."""
