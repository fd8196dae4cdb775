"""The REST API's rate limits: DRF's throttles, counted in fixed windows.

DRF's own throttles keep each caller's request history (a list of timestamps, up to the
rate's count) in the cache, and read and rewrite it whole on every request: two round trips
and a pickled list that grows with the rate (a key at 1,200 a minute carries about 11 kB both
ways). These count in a fixed window instead (``common.ratelimit.window_hit``): one round
trip, atomic across processes, the same size at any rate. The difference a caller can see: a
window starts at its first request and ends on time, so up to twice the rate can pass across
a window's edge.
"""

from rest_framework import throttling

from common.ratelimit import window_hit


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    # Not DRF's "throttle_…": a deployment's old history lists must not meet INCR.
    cache_format = "rate_%(scope)s_%(ident)s"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self.seconds_left = window_hit(self.key, self.duration)
        return count <= self.num_requests

    def wait(self) -> int:
        return self.seconds_left


# Listed after DRF's class, so that its allow_request (ScopedRateThrottle's picks the rate)
# runs first and hands over to FixedWindowRateThrottle's.
class AnonRateThrottle(throttling.AnonRateThrottle, FixedWindowRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, FixedWindowRateThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, FixedWindowRateThrottle):
    pass
