"""Scoring classifiers and summarisers on labelled samples, and the reports."""
