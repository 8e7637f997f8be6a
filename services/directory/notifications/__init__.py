"""Notifications: events about referrals written to an outbox with the change, delivered by signed webhooks."""
