"""Argument checking, broadcasting and pandas round-tripping for the public functions."""

from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

Numeric = float | int | np.ndarray | pd.Series
"""What the public functions take and give back: a scalar, an array or a Series."""


def as_arrays(**arguments):
    """Broadcast numeric arguments to float arrays of at least one dimension.

    Returns the arrays (in the order given) and a :class:`Shape` to give results back in the
    caller's form: the broadcast shape and the pandas index of the first Series argument. Series
    arguments must share one index: silently aligning intervals that do not match would hide a
    planning error.
    """
    index, index_name = None, None
    arrays = {}
    for name, value in arguments.items():
        if isinstance(value, pd.DataFrame):
            raise TypeError(f"{name} must be a scalar, array or Series, not a DataFrame")
        if isinstance(value, pd.Series):
            if index is None:
                index, index_name = value.index, name
            elif not value.index.equals(index):
                raise ValueError(f"{name} and {index_name} are Series with different indexes")
            value = value.to_numpy()
        try:
            arrays[name] = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be numeric, got {value!r}") from err
    try:
        shaped = np.broadcast_arrays(*arrays.values())
    except ValueError as err:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"arguments do not broadcast together: {shapes}") from err
    shape = Shape(shaped[0].shape if shaped else (), index)
    return [np.atleast_1d(np.array(s, dtype=float)) for s in shaped], shape


@dataclass(frozen=True)
class Shape:
    """The shape and pandas index that a result is given back in."""

    shape: tuple
    index: pd.Index | None = None


def wrap(values, shape, name=None):
    """Give ``values`` the caller's form: a Series when a Series came in, a float for scalars."""
    values = np.asarray(values).reshape(shape.shape)
    if shape.index is not None:
        return pd.Series(values, index=shape.index, name=name)
    if values.ndim == 0:
        return values.item()
    return values


def _offending(values, bad):
    first = float(np.asarray(values)[bad].flat[0])
    count = int(np.count_nonzero(bad))
    more = f" ({count} entries)" if count > 1 else ""
    return f"{first!r}{more}"


def check_finite(name, values, *, low=None, low_inclusive=True, high=None, allow_inf=False):
    """Raise ``ValueError`` naming ``name`` and the first offending value."""
    values = np.asarray(values, dtype=float)
    bad = np.isnan(values)
    if bad.any():
        raise ValueError(f"{name} must not be NaN, got {_offending(values, bad)}")
    if not allow_inf:
        bad = np.isinf(values)
        if bad.any():
            raise ValueError(f"{name} must be finite, got {_offending(values, bad)}")
    if low is not None:
        bad = values < low if low_inclusive else values <= low
        if bad.any():
            rel = ">=" if low_inclusive else ">"
            raise ValueError(f"{name} must be {rel} {low}, got {_offending(values, bad)}")
    if high is not None:
        bad = values > high
        if bad.any():
            raise ValueError(f"{name} must be <= {high}, got {_offending(values, bad)}")


def check_probability(name, value, *, allow_one=False):
    """A target probability: a real number strictly inside (0, 1) (or (0, 1] if allowed)."""
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    upper_ok = value <= 1.0 if allow_one else value < 1.0
    if not (value > 0.0 and upper_ok):
        interval = "(0, 1]" if allow_one else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
