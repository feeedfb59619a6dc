"""Small shared pieces: the background worker (queue loop + periodic scheduler) and its ledger. Must stay small."""
