"""The applicant portal and the staff workbenches (HTML pages)."""
