"""Grading of the course's chapters with nbgrader.

Run ``python -m grading --help``. The functions behind the commands are
gathered in :mod:`grading.pipeline`; each step has its module:

* :mod:`grading.config`: the course config (due dates, late policy, roster, limits);
* :mod:`grading.course`: the nbgrader course directory, its chapters, release;
* :mod:`grading.collect`: gathering submissions from a folder, an LMS zip or the exchange;
* :mod:`grading.intake`: reading, validating and repairing submissions;
* :mod:`grading.autograde`: grading with the engine, results into the gradebook;
* :mod:`grading.engine`, :mod:`grading.sandbox`, :mod:`grading.runner`: the engine;
* :mod:`grading.reports`: the status file and the CSV of grades;
* :mod:`grading.report`: the HTML report of the class;
* :mod:`grading.feedback`: the learners' HTML feedback pages;
* :mod:`grading.status`: where the class stands;
* :mod:`grading.check`: a learner's self-check;
* :mod:`grading.audit`: what each grade was computed from.
"""
