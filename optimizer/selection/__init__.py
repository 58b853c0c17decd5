"""Selection: the integer program that picks the measures and activities, and the ways to solve it.

``problem`` (a pathway's numbers for the program, from the rules), ``model`` (its statements: the
outer approximation's master and the full MILP), ``solve`` (which method, which solver),
``branch_and_bound`` and ``brute_force`` (enumeration, and the tests' independent check).
"""
