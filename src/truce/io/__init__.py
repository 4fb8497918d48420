"""Readers that turn data monitors already have into truce scenarios (``truce.io.acled``)."""
