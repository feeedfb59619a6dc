"""One-thing cases (一件事办件): the frozen plan, materials, item cases, dispatch between stages, the audit trail."""
