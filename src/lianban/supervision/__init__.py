"""Deadlines, due-soon and overdue lists, the deadline sweep and supervision (督办)."""
