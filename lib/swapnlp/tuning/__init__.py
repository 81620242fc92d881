"""Hyperparameter search with Optuna: `swapnlp tune CONFIG --search SPACE.json --trials N`.

search_space.py reads the search space, objective.py trains one trial, report.py summarises a study and
plots its expected validation performance, tuner.py puts them together. Optuna is imported only here.
"""
