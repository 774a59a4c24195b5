"""Grading of the course's chapters with nbgrader.

Run ``python -m grading --help``; the functions behind the commands are in
:mod:`grading.pipeline`.
"""
