"""Vectorized queueing core: Erlang B, C and A metrics and staffing."""
