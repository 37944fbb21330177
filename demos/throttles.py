from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class DemoSubmitThrottle(UserRateThrottle):
    """Submissions per user; the rate is read at request time (DEMO_SUBMIT_RATE, e.g. "60/hour")."""

    scope = "demo_submit"

    def get_rate(self):
        return settings.DEMO_SUBMIT_RATE
