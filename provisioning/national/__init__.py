"""The national pharmacy data systems: one client interface with a legacy and a v2
adapter, a simulator that speaks both dialects, and a traffic generator for demos."""
