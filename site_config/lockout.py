"""django-axes's database handler with two limits instead of one.

AXES_LOCKOUT_PARAMETERS counts failures per user name and address and per address across
all user names. Axes compares both counts with one AXES_FAILURE_LIMIT, which would lock a
whole office behind a NAT out after five typos spread over five colleagues; here the
address-wide count has its own, higher AXES_ADDRESS_FAILURE_LIMIT. Reaching either limit
locks the client out until AXES_COOLOFF_TIME has passed since the last failure.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class AddressWideLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """Failures by this user name from this address, or the failure limit itself once
        the address as a whole has reached AXES_ADDRESS_FAILURE_LIMIT."""
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        failures = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                if count >= settings.AXES_ADDRESS_FAILURE_LIMIT:
                    failures = max(failures, get_failure_limit(request, credentials))
            else:
                failures = max(failures, count)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login forgives that user's own failures from that address only:
        it must not reset the address-wide count that other user names' failures built."""
        username = get_client_username(request, credentials)
        if not username or not request.axes_ip_address:
            return 0
        return self.reset_attempts(ip_address=request.axes_ip_address, username=username)
