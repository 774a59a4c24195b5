"""Grading of the course's chapters with nbgrader.

Run ``python -m grading --help``. The functions behind the commands are
gathered in :mod:`grading.pipeline`; each step has its module:

* :mod:`grading.course`: the nbgrader course directory, its chapters, release;
* :mod:`grading.intake`: reading, validating and repairing submissions;
* :mod:`grading.autograde`: grading with nbgrader, results from the gradebook;
* :mod:`grading.reports`: the status file and the CSV of grades;
* :mod:`grading.feedback`: the learners' HTML feedback pages.
"""
