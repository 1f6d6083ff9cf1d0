"""Mail: written out in each person's language, queued in the outbox, sent by the worker."""
