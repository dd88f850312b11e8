"""Topic classifiers and summarisers."""
