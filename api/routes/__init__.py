"""API routers: plans, schedules, keys, health."""
