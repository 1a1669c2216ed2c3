"""Every write to the domain goes through a function of this package."""
