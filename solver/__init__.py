"""Mingle's solver: who should meet whom, and tables and golf flights that make them meet.

Pure Python on OR-Tools; it never imports Flask or the app. See solver/model.py for the types.
"""

from solver.model import Fixed, Problem, Progress, Result, Status
from solver.seating import solve

__all__ = ["Fixed", "Problem", "Progress", "Result", "Status", "solve"]
