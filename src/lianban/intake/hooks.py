"""What intake lets the apps above it do (``common.hooks``): they register in their ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Mapping

from lianban.common.hooks import Hook

#: Called with (claimed applicant id, registered applicant id) when a claim is confirmed as a registered
#: applicant, in its transaction: what the apps above keep of the claim moves too (the portal's drafts).
APPLICANT_CONFIRMED: Hook[[int, int], object] = Hook("applicant confirmed")
#: Called with a case's id when its intake decision was not made in time (supervision raises its 红牌).
INTAKE_OVERDUE: Hook[[int], object] = Hook("intake overdue")
#: Called with year → cases whose intake deadline the deemed-acceptance sweep could not compute (the
#: working-day calendar does not cover that year): supervision keeps its calendar alerts.
CALENDAR_GAPS: Hook[[Mapping[int, int]], object] = Hook("intake calendar gaps")
