"""Sweeps: many runs of one experiment over seeds and settings (spec.py: the sweep file and its
members; runner.py: running them on Ray or one after another; aggregate.py: every member's rows
in one table with statistics across seeds)."""
