"""The topic classifier's backends, one module each; :class:`~newsdesk.models.topics.TopicClassifier` picks one by
name."""
