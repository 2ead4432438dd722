"""Numbers as the real service writes them: Java's ``Double.toString``.

The service is Java; its JSON writer prints a timestamp (a double of epoch seconds,
kept at millisecond precision) the way ``Double.toString`` does: the shortest
digits that read back as the same double, in scientific notation (``1.70057487582E9``)
from 10^7 up and below 10^-3, in plain notation between.
"""

from __future__ import annotations

import math
from decimal import Decimal


def java_double(value: float) -> str:
    """``Double.toString(value)`` for a finite double."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON form")
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    shortest = Decimal(repr(abs(float(value))))  # repr: the shortest round-tripping digits
    digits = "".join(map(str, shortest.as_tuple().digits)).rstrip("0") or "0"
    exponent = shortest.adjusted()  # power of ten of the first digit
    if 1e-3 <= abs(value) < 1e7:
        text = format(shortest.normalize(), "f")
        return sign + (text if "." in text else text + ".0")
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_timestamp(seconds: float) -> str:
    """Epoch seconds as the service stores (milliseconds) and prints them."""
    return java_double(round(float(seconds), 3))
