"""Training recipes: fitting classifiers on labelled files, threshold tuning, the shipped default."""
