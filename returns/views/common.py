"""What the returns views share: who may do what, finding a return."""

from django.http import Http404

from oms.roles import Role
from returns.models import ReturnRequest
from returns.selectors_backoffice import return_detail

# Everyone who works orders may look at returns. Support and managers open, decide, refund,
# exchange and close them; the warehouse (and managers) receive them — the transitions'
# `permission=` say the same, and the services check it again.
RETURN_VIEWERS = (Role.FULFILLMENT, Role.SUPPORT, Role.MANAGER)
DECIDERS = (Role.SUPPORT, Role.MANAGER)
RECEIVERS = (Role.FULFILLMENT, Role.MANAGER)


def return_or_404(number: str) -> ReturnRequest:
    try:
        return return_detail(number=number)
    except ReturnRequest.DoesNotExist:
        raise Http404(f"No return has the number {number}.") from None
