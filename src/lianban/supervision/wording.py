"""How the supervision app's refusals read, for the API and the workbench alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lianban.core.orders import OrderStepRefused
from lianban.supervision.models import OrderState


def order_step_text(exc: OrderStepRefused) -> str:
    """Why a 督办 order refused a step, in words: its state and the step asked for."""
    state = str(OrderState(exc.state).label) if exc.state in OrderState.values else exc.state
    steps = {
        "sign": _("sign for it"),
        "reply": _("reply to it"),
        "accept": _("accept the reply"),
        "return": _("return the reply"),
    }
    return _("The supervision order is “%(state)s”: you cannot %(step)s now.") % {
        "state": state,
        "step": steps.get(exc.event, exc.event),
    }
