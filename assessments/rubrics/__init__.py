"""Rubrics: their schema, their files, answers and scoring, and publishing them."""
