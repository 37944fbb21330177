"""Loads what learners study: the concepts of the knowledge base and the question bank over them.

It sits above kb and quizzes, so that kb knows none of its consumers.
"""
