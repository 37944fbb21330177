from django.conf import settings

from common.throttles import UserRateThrottle


class DemoSubmitThrottle(UserRateThrottle):
    """Submissions per user; the rate is read at request time (DEMO_SUBMIT_RATE, e.g. "60/hour"). When the
    cache is unreachable, submissions are allowed (and logged) rather than refused: see common.throttles."""

    scope = "demo_submit"

    def get_rate(self):
        return settings.DEMO_SUBMIT_RATE
