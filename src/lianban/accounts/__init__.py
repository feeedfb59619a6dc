"""Users and their roles (applicant, window clerk, department reviewer, supervisor, admin), and applicants (enterprises and persons) with the users who act for them."""
