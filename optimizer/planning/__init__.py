"""Planning: what the commands ask of a scenario, from forecast to recommendation.

``plan`` (every pathway planned and re-scored, the recommendation and its pessimistic check),
``compare`` (what-if variants side by side), ``swap`` (mid-year changes) and ``reasons`` (the plain
sentences a plan report gives).
"""
