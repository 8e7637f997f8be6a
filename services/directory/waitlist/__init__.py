"""The waiting list: a caseworker waits for a need when nothing is free, and is offered the first unit that fits."""
