"""The course machinery of Swappable NLP.

    import course
    ROOT = course.setup()        # the one setup line of every notebook: repository root, seeds, threads
    course.check("1.2")          # check your exercise: one ✅ / ❌ line, True or False
    course.hint("1.2")           # the next hint of an exercise
    course.progress_table()      # chapters and exercises with your progress

On the command line: `python -m course workspace` (your copies of the exercises in workspace/, which
nothing overwrites), `status [--json]`, `check [IDS]` (pytest --nbval over your copies), `reset ID`,
`hint ID`, and for the course's authors `build-exercises`, `build-index`, `run-chapters` and `run-solutions`.
Importing this package is cheap: torch is only imported when a check runs.
"""

from course.checks import check
from course.hints import hint
from course.progress import progress_table
from course.setup import dataset, setup
from course.syllabus import CHAPTERS, EXERCISES, chapter, exercise, exercises_of

__all__ = ["setup", "dataset", "check", "hint", "progress_table", "CHAPTERS", "EXERCISES", "chapter", "exercise", "exercises_of"]
