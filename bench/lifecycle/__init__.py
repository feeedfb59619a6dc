"""bench/lifecycle: complete hotel cases per second through the services, against a plain-SQL floor."""
