"""Many queues at once: :func:`plan_many` forecasts, staffs and schedules every queue of a long
history frame serially, on the local cores or on a Dask cluster, with identical results; the
engines, the per-queue work and a generator of synthetic hotline networks."""

from roster.lazy import lazy_names

# Resolved on first use (PEP 562); Dask itself only when its engine is asked for.
_WHERE = {
    "BatchPlan": "roster.batch.plan",
    "DaskEngine": "roster.batch.engines",
    "LocalEngine": "roster.batch.engines",
    "SerialEngine": "roster.batch.engines",
    "SyntheticNetwork": "roster.batch.network",
    "plan_many": "roster.batch.plan",
    "queue_seed": "roster.batch.network",
    "synthetic_network": "roster.batch.network",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_names("roster.batch", _WHERE, globals())
