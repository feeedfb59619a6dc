"""Page-shaped reads of the workbenches, built on the domain apps' selectors and access functions."""
