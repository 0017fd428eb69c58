"""Background work: the scheduler and the jobs it runs (deliveries, callbacks, reminders)."""
