"""Planning: what the plan is worth against today's selection, where quality work pays, which MVPs the practice can act on."""
