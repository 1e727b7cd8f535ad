"""What the exams app tells the apps above it (the points engine). The points app connects to
these (``points/exam_source.py``); exams never imports points."""

from django.dispatch import Signal

# sender: Exam; kwargs: exam, person_id — a person's counted result may have changed (a submission,
# a mark, a regrade); sent from the task ``tasks.result_changed``, never inside a taker's request
result_changed = Signal()
# sender: Exam; kwargs: exam, actor, reason — the exam was withdrawn: its points go
exam_cancelled = Signal()
