"""Predictive lead scoring: a calibrated classifier trained on won/lost or converted history.

features.py builds the one declared feature pipeline, leakage.py flags features that give the
answer away, report.py measures a model on held-out data, model.py trains and explains.
"""
