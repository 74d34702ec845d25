"""Tests of the halnav command line."""
