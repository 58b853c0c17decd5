"""Planning: what the commands ask of a scenario, from forecast to recommendation.

``plan`` (every pathway planned and re-scored, the recommendation and its pessimistic check),
``compare`` (what-if variants side by side), ``swap`` (mid-year changes), ``reasons`` (the plain
sentences a plan report gives), ``current_selection`` (what the plan is worth against today's
selection), ``care_gaps`` (where quality work pays) and ``mvp_readiness`` (which MVPs the practice can
act on).
"""
