"""Staff workbenches: the comprehensive window, department review, supervision, catalog files.

Pages only: every read goes through selectors, every write through services
of the domain apps. The applicant-facing pages are in ``lianban.portal``.
"""
