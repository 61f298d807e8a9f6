"""A fixed-window limit on the requests one API key may file, counted in Django's cache.

The rate comes from the setting FENGQIAO_OPEN311_RATE, else the environment variable of the
same name, else 60 a minute: "N/s", "N/m", "N/h" or "N/d". With the in-process cache of the
embedded mode each worker counts on its own; set REDIS_URL to share the count.
"""

from __future__ import annotations

import os
import re
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = "60/m"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])[a-z]*\s*$")


def parse_rate(text: str) -> tuple[int, int]:
    """ "60/m" -> (60, 60): that many requests per that many seconds."""
    match = _RATE.match(text.lower())
    if not match:
        raise ValueError(f"FENGQIAO_OPEN311_RATE must look like 60/m, not {text!r}")
    return int(match.group(1)), PERIODS[match.group(2)]


def configured_rate() -> tuple[int, int]:
    text = getattr(settings, "FENGQIAO_OPEN311_RATE", None) or os.environ.get("FENGQIAO_OPEN311_RATE") or DEFAULT_RATE
    return parse_rate(text)


def take(key_id: int) -> tuple[bool, int]:
    """Count one request for the key: (allowed, seconds until the window ends)."""
    limit, period = configured_rate()
    now = time.time()
    window = int(now // period)
    cache_key = f"fengqiao:open311:rate:{key_id}:{period}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    return count <= limit, max(int(period - now % period), 1)
