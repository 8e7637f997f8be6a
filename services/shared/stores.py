"""What every store of every service shares: the one way to say it cannot answer."""


class StoreUnavailable(Exception):
    """The store cannot be reached or did not answer in time."""
