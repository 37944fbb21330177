"""Throttles that degrade: when the cache that holds their counters is unreachable (Redis stopped or restarting),
the request is allowed and a warning logged, rather than the request failing with a 500.

A throttle protects the service from abuse; an outage of its counter store must not take logins and demo
submissions down with it (a run submitted while Redis is down is stored and dispatched later)."""

import logging

from rest_framework import throttling

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is installed wherever CACHE_URL may point at Redis
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


class DegradingThrottleMixin:
    """Put before a DRF throttle class: its cache errors allow the request (logged) instead of raising."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            logger.warning(
                "%s not applied: the throttle cache is unreachable (%s: %s); the request is allowed.",
                type(self).__name__,
                type(exc).__name__,
                exc,
            )
            return True


class ScopedRateThrottle(DegradingThrottleMixin, throttling.ScopedRateThrottle):
    """DRF's ScopedRateThrottle (``throttle_scope`` on a view), degrading when the cache is down."""


class UserRateThrottle(DegradingThrottleMixin, throttling.UserRateThrottle):
    """DRF's UserRateThrottle, degrading when the cache is down."""
